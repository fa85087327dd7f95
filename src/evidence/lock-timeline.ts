// How long each inferred lock was held, from the statement log: a lock is taken when its
// statement starts (the log's time of it) and held to the end of its transaction: the end (start
// plus logged duration) of the last statement of the same transaction, told by its session and
// virtual transaction id (`%c`, `%v`: log-line.ts), so a block opened inside a multi-statement
// string (`BEGIN; ALTER TABLE ...`) ends at its later COMMIT, and a statement outside a block at its
// own end. What a function, DO block or trigger ran (pgaudit's sub-statements, EXECUTE included)
// locks from the start of the statement that ran it to the end of that statement's transaction.
// Then the inferred holds and the sampled locks (pg/lock-sampler.ts) of a scenario are put side by
// side: per relation and mode, inferred, sampled or both, and a sampled lock inference did not
// predict is listed, never hidden.
import { inferLocks } from './lock-inference.js';
import { LOCK_MODES, modeOfPgLocks, stronger, type LockMode } from './lock-modes.js';
import type { AuditRecord } from './audit-record.js';
import { auditStatements } from './audit-statements.js';
import { partsOf } from './log-line.js';
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

/** A statement run inside another one (a function, DO block or trigger), as pgaudit logged it. */
export interface NestedStatement {
  at: string;
  session: string | null;
  vxid: string | null;
  /** The sub-statement's own text. */
  text: string;
}

const BEGIN = /^\s*(begin|start\s+transaction)\b/i;
const END = /^\s*(commit|end|rollback|abort)\b(?!\s+prepared)(?![\s\S]*\bto\b)/i;

const ms = (s: { at: string }) => Date.parse(s.at);
const endOf = (s: LoggedStatement) => ms(s) + (s.duration_ms ?? 0);

/** `schema.name` as written, or qualified by `resolve` when the schema was left out. */
type Qualify = (schema: string | null, name: string) => string;
const asWritten: Qualify = (schema, name) => (schema ? `${schema}.${name}` : name);

/** The transaction of a line: its session and vxid; none outside one (`N/0`) or when the prefix has no `%c %v`. */
function transactionOf(s: { session: string | null; vxid: string | null }): string | null {
  return s.session !== null && s.vxid !== null && !s.vxid.endsWith('/0') ? `${s.session} ${s.vxid}` : null;
}

interface Transaction {
  /** Its statements, in log order. */
  statements: LoggedStatement[];
  /** What ended it, read once from its last statement. */
  end?: Promise<Pick<LockHold, 'to' | 'until'>>;
}

/** A part of the string is BEGIN or START TRANSACTION (the scanner splits it; most texts name neither). */
async function opensBlock(text: string): Promise<boolean> {
  return /\b(begin|start)\b/i.test(text) && (await partsOf(text)).some((p) => BEGIN.test(p));
}

/** The end of a block: its last statement's, a COMMIT or ROLLBACK as its last part, or not logged. */
async function blockEnd(last: LoggedStatement): Promise<Pick<LockHold, 'to' | 'until'>> {
  const end = END.exec((await partsOf(last.text)).at(-1) ?? '');
  // A block with no end logged (the backend was killed, or is still open): held at least to its last line.
  if (!end) return { to: endOf(last), until: 'unknown' };
  return { to: endOf(last), until: /^(rollback|abort)$/i.test(end[1]!) ? 'rollback' : 'commit' };
}

/** When the locks a statement (or what ran inside it) took were released, and what released them. */
async function releaseOf(s: LoggedStatement, tx: Transaction | undefined): Promise<Pick<LockHold, 'to' | 'until'>> {
  if ((tx?.statements.length ?? 1) === 1 && !(await opensBlock(s.text)))
    return { to: endOf(s), until: s.duration_ms === undefined ? 'unknown' : 'statement' };
  if (!tx) return blockEnd(s);
  return (tx.end ??= blockEnd(tx.statements.at(-1)!));
}

/**
 * Every lock the system's statements took, with when it was taken and released; `nested` adds the
 * locks of what ran inside them (pgaudit's sub-statements), taken when their statement started.
 */
export async function inferredHolds(
  statements: readonly LoggedStatement[],
  qualify: Qualify = asWritten,
  nested: readonly NestedStatement[] = [],
): Promise<LockHold[]> {
  const transactions = new Map<string, Transaction>();
  for (const s of statements) {
    const key = transactionOf(s);
    if (key === null) continue;
    const tx = transactions.get(key);
    if (tx) tx.statements.push(s);
    else transactions.set(key, { statements: [s] });
  }
  const txOf = (s: { session: string | null; vxid: string | null }) => transactions.get(transactionOf(s) ?? '');
  const holds: LockHold[] = [];
  const hold = async (s: LoggedStatement, text: string, shown: string) => {
    const claims = (await inferLocks(text)).flat();
    if (claims.length === 0) return;
    const release = await releaseOf(s, txOf(s));
    for (const c of claims)
      holds.push({
        relation: qualify(c.relation.schema, c.relation.name ?? ''),
        mode: c.mode,
        pid: s.pid,
        statement: shown,
        why: c.why,
        from: ms(s),
        ...release,
      });
  };
  for (const s of statements) await hold(s, s.text, s.text);
  for (const n of nested) {
    // The statement it ran inside: the last one of its session and transaction logged at or before it.
    const parent = txOf(n)?.statements.findLast((s) => ms(s) <= ms(n));
    if (parent) await hold(parent, n.text, `(inside a function, DO block or trigger) ${n.text}`);
  }
  return holds;
}

/**
 * What ran inside the statements of everyone but `excludeUser` (pgaudit's sub-statements whose text
 * is not their statement's own). An entry that does not read, or whose prefix reads two ways (G6
 * fails the run on it), stands alone and is not one.
 */
export function nestedStatementsOf(records: readonly AuditRecord[], excludeUser: string): NestedStatement[] {
  return auditStatements(records)
    .filter((s) => s.nested && s.user !== excludeUser)
    .map((s) => ({ at: s.at, session: s.records[0]!.session, vxid: s.records[0]!.vxid, text: s.text }));
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
    if (!had)
      return void out.set(key, {
        relation,
        mode,
        held_ms: Math.round(held),
        statement,
        source,
      });
    if (had.source !== source) had.source = 'both';
    if (held > had.held_ms)
      Object.assign(had, {
        held_ms: Math.round(held),
        ...(source === 'inferred' ? { statement } : {}),
      });
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
