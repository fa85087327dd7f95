// How long each inferred lock was held, from the statement log: a lock is taken when its
// statement starts (the log's time of it) and held to the end of its transaction: the COMMIT or
// ROLLBACK of the same backend (plus that statement's own duration) inside BEGIN ... COMMIT, or the
// statement's own end (its start plus its logged duration) outside one. Then the inferred holds and
// the sampled locks (pg/lock-sampler.ts) of a scenario are put side by side: per relation and mode,
// inferred, sampled or both, and a sampled lock inference did not predict is listed, never hidden.
import { inferLocks } from './lock-inference.js';
import { LOCK_MODES, modeOfPgLocks, stronger, type LockMode } from './lock-modes.js';
import { CUT_BY_SOURCE } from './redact.js';
import type { LoggedStatement } from './sql-trace.js';

export interface LockHold {
  relation: string;
  mode: LockMode;
  pid: number;
  statement: string;
  /** The statement shape that takes the lock. */
  why: string;
  from: number;
  to: number;
  /** What ended it: its transaction's end, the statement's own end, or nothing logged (the backend's last line). */
  until: 'commit' | 'rollback' | 'statement' | 'unknown';
}

const BEGIN = /^\s*(begin|start\s+transaction)\b(?![\s\S]*;\s*\S)/i;
const END = /^\s*(commit|end|rollback|abort)\b(?!\s+prepared)(?![\s\S]*\bto\b)/i;

const ms = (s: LoggedStatement) => Date.parse(s.at);
const endOf = (s: LoggedStatement) => ms(s) + (s.duration_ms ?? 0);

/** `schema.name` as written, or qualified by `resolve` when the schema was left out. */
type Qualify = (schema: string | null, name: string) => string;
const asWritten: Qualify = (schema, name) => (schema ? `${schema}.${name}` : name);

/** Every lock the system's statements took, with when it was taken and released. */
export async function inferredHolds(
  statements: readonly LoggedStatement[],
  qualify: Qualify = asWritten,
): Promise<LockHold[]> {
  const holds: LockHold[] = [];
  const open = new Map<number, LockHold[]>(); // holds of a backend's open transaction block
  const lastSeen = new Map<number, number>();
  for (const s of statements) {
    lastSeen.set(s.pid, endOf(s));
    const block = open.get(s.pid);
    if (BEGIN.test(s.text)) {
      open.set(s.pid, block ?? []);
      continue;
    }
    const end = END.exec(s.text);
    if (end && block) {
      for (const h of block)
        Object.assign(h, { to: endOf(s), until: /^(rollback|abort)$/i.test(end[1]!) ? 'rollback' : 'commit' });
      open.delete(s.pid);
      continue;
    }
    for (const claims of await inferLocks(s.text))
      for (const c of claims) {
        const hold: LockHold = {
          relation: qualify(c.relation.schema, c.relation.name ?? ''),
          mode: c.mode,
          pid: s.pid,
          statement: s.text,
          why: c.why,
          from: ms(s),
          to: endOf(s),
          until: s.duration_ms === undefined ? 'unknown' : 'statement',
        };
        holds.push(hold);
        block?.push(hold);
      }
  }
  // A block with no end logged (the backend was killed, or is still open): held at least to its last line.
  for (const [pid, block] of open)
    for (const h of block) Object.assign(h, { to: lastSeen.get(pid) ?? h.to, until: 'unknown' });
  return holds;
}

export interface SampledSpan {
  relation: string;
  /** As pg_locks names it. */
  mode: string;
  granted: boolean;
  firstSeen: number;
  lastSeen: number;
  query: string;
  /** The server kept only the start of the query: its text ends with CUT_BY_SOURCE here. */
  query_cut?: boolean;
}

export interface LockEvidence {
  relation: string;
  mode: LockMode;
  held_ms: number;
  statement: string;
  source: 'inferred' | 'sampled' | 'both';
}

/** Per relation and mode: the longest hold, inferred, sampled or both; strongest first, then by relation. */
export function lockEvidence(holds: readonly LockHold[], sampled: readonly SampledSpan[]): LockEvidence[] {
  const out = new Map<string, LockEvidence>();
  const put = (relation: string, mode: LockMode, held: number, statement: string, source: 'inferred' | 'sampled') => {
    const key = `${relation}\u0000${mode}`;
    const had = out.get(key);
    if (!had) return void out.set(key, { relation, mode, held_ms: Math.round(held), statement, source });
    if (had.source !== source) had.source = 'both';
    if (held > had.held_ms)
      Object.assign(had, { held_ms: Math.round(held), ...(source === 'inferred' ? { statement } : {}) });
  };
  for (const h of holds) put(h.relation, h.mode, h.to - h.from, h.statement, 'inferred');
  for (const s of sampled) {
    const mode = s.granted ? modeOfPgLocks(s.mode) : null;
    if (mode) put(s.relation, mode, s.lastSeen - s.firstSeen, sampledQuery(s), 'sampled');
  }
  const rank = (m: LockMode) => -LOCK_MODES.indexOf(m);
  return [...out.values()].sort((a, b) => rank(a.mode) - rank(b.mode) || a.relation.localeCompare(b.relation));
}

/** A sampled lock's query, marked when the server cut it (redactStatement then trims its end). */
export const sampledQuery = (s: { query: string; query_cut?: boolean }): string =>
  s.query_cut ? `${s.query}${CUT_BY_SOURCE}` : s.query;

/** The strongest mode each relation was locked in, with the longest time it was held in it. */
export function strongestPerRelation(evidence: readonly LockEvidence[]): LockEvidence[] {
  const best = new Map<string, LockEvidence>();
  for (const e of evidence) {
    const had = best.get(e.relation);
    if (!had || (stronger(had.mode, e.mode) === e.mode && had.mode !== e.mode)) best.set(e.relation, e);
  }
  return [...best.values()];
}
