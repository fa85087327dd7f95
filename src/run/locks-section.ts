// report.json's `locks`, made at G6 from what each step's watch saw (gates/step-locks.ts) and from
// the statement log (and pgaudit's sub-statements when session audit is on): per scenario, each
// relation and mode with the longest time it was held (inferred, sampled or both), the tables its
// steps rewrote, and what they left invalid.
import type { Locks } from '../config/index.js';
import {
  blockedReads,
  inferredHolds,
  lockEvidence,
  nestedStatementsOf,
  resolverOf,
  sampledQuery,
  withHolders,
  type AuditRecord,
  type LockEvidence,
  type LoggedStatement,
} from '../evidence/index.js';
import { PROBE_INTERVAL_MS, PROBE_LOCK_TIMEOUT_MS, type SampledLock } from '../pg/index.js';
import { LOCK_SAMPLE_INTERVAL_MS } from './gates/step-locks.js';
import type { ScenarioWindow } from './trace-gate.js';

const SOURCE = `dry-run server log (log_min_duration_statement=0) + pg_locks sampled every ${LOCK_SAMPLE_INTERVAL_MS} ms + pg_class.relfilenode, pg_index.indisvalid, pg_constraint.convalidated before and after each step`;

// The catalog's own relations, which every query reads: not the system's tables.
const CATALOG = /^(pg_catalog|information_schema)\./;

const INFERRED_ONLY =
  "dry-run server log (log_min_duration_statement=0): each statement's documented lock level, held to its transaction's end";

const AUDITED =
  " + pgaudit session audit (what functions, DO blocks and triggers ran, held to their statement's transaction end)";

/**
 * The locks of every scenario that ran, from the system's statements (not the tool's) in its window,
 * and from what ran inside them as pgaudit's session audit logged it (`audit`: null when it is off).
 */
export async function locksSection(
  statements: readonly LoggedStatement[],
  windows: readonly ScenarioWindow[],
  toolRole: string,
  audit: readonly AuditRecord[] | null = null,
): Promise<Locks> {
  const scenarios: Locks['scenarios'] = [];
  for (const w of windows) {
    const watched = w.steps.flatMap((st) => (st.locks ? [{ step: st.name, ...st.locks }] : []));
    const sampled = watched.flatMap((x) => x.sampled);
    const probed = watched.some((x) => x.probed !== null) ? blockedReads(watched.flatMap((x) => x.probed ?? [])) : null;
    const relations = await relationsIn(statements, w, {
      knownTables: w.writes?.knownTables ?? [],
      sampled,
      toolRole,
      audit,
    });
    scenarios.push({
      id: w.id,
      relations: relations.map((r) => ({
        ...r,
        blocked_read_ms: probed?.find((b) => b.relation === r.relation)?.blocked_read_ms ?? null,
      })),
      blocked_reads: probed,
      rewrites: watched.flatMap((x) => (x.leftovers?.rewrites ?? []).map((r) => ({ ...r, step: x.step }))),
      invalid_indexes: watched.flatMap((x) => x.leftovers?.invalidIndexes ?? []),
      not_valid_constraints: watched.flatMap((x) => x.leftovers?.notValidConstraints ?? []),
      waits: sampled
        .filter((l) => !l.granted)
        .map((l) => ({
          relation: l.relation,
          mode: l.mode,
          waited_ms: l.lastSeen - l.firstSeen,
          statement: sampledQuery(l),
        })),
      samples: watched.reduce((n, x) => n + x.samples, 0),
      unread: watched.flatMap((x) => x.unread.map((u) => `${x.step}: ${u}`)),
    });
  }
  const watched = windows.some((w) => w.steps.some((st) => st.locks));
  const source = `${watched ? SOURCE : INFERRED_ONLY}${audit ? AUDITED : ''}`;
  const probe = scenarios.some((x) => x.blocked_reads)
    ? { interval_ms: PROBE_INTERVAL_MS, lock_timeout_ms: PROBE_LOCK_TIMEOUT_MS }
    : null;
  return { source, sample_interval_ms: LOCK_SAMPLE_INTERVAL_MS, probe, scenarios };
}

/**
 * What the system's statements logged in `span` (not the tool's) locked, inferred (with what ran
 * inside them, from pgaudit's records when given) and sampled; the catalog's relations left out.
 */
export async function relationsIn(
  statements: readonly LoggedStatement[],
  span: { from: number; to: number },
  o: {
    knownTables: readonly string[];
    sampled: readonly SampledLock[];
    toolRole: string;
    audit: readonly AuditRecord[] | null;
  },
): Promise<LockEvidence[]> {
  const mine = statements.filter((s) => s.user !== o.toolRole && within(s, span));
  const nested = nestedStatementsOf(
    (o.audit ?? []).filter((r) => within(r, span)),
    o.toolRole,
  );
  const resolve = resolverOf(o.knownTables);
  const holds = await inferredHolds(
    mine,
    (schema, name) => {
      const r = resolve({ schema, name, relation: true });
      return r.schema ? `${r.schema}.${r.name}` : (r.name ?? name);
    },
    nested,
  );
  return lockEvidence(holds, o.sampled).filter((l) => !CATALOG.test(l.relation));
}

function within(s: { at: string }, w: { from: number; to: number }): boolean {
  const t = Date.parse(s.at);
  return t >= w.from && t <= w.to;
}
