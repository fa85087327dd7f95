// A step's lock evidence against its scenario's lock budgets: the first budget it exceeds, with
// the relation, the mode, the time or size and the statement, for the scenario's failure.
import { byteSize } from '../byte-size.js';
import type { LocksConfig } from '../config/index.js';
import type { BlockedRead } from './blocked-reads.js';
import type { LockEvidence } from './lock-timeline.js';

/** The modes `max_exclusive_ms` limits: both block every write, ACCESS EXCLUSIVE every read too. */
const EXCLUSIVE_MODES: readonly string[] = ['ACCESS EXCLUSIVE', 'EXCLUSIVE'];

export interface LockBudgetBreach {
  budget: 'max_exclusive_ms' | 'max_blocked_read_ms' | 'forbid_rewrite' | 'forbid_invalid_indexes';
  /** The budget as configured: `5000`, `ledger.*`, `true`. */
  limit: string;
  relation: string;
  mode: string | null;
  held_ms: number | null;
  bytes: number | null;
  /** Unredacted: redaction is the caller's. */
  statement: string | null;
  source: LockEvidence['source'] | null;
}

export interface StepLockFacts {
  relations: readonly LockEvidence[];
  rewrites: readonly { relation: string; bytes: number }[];
  invalidIndexes: readonly string[];
  /** What the read probe saw, when it ran. */
  blockedReads?: readonly BlockedRead[];
}

/** Every budget the step exceeded: the longest exclusive holds first, then rewrites, then invalid indexes. */
export function lockBudgetBreaches(budgets: LocksConfig, facts: StepLockFacts): LockBudgetBreach[] {
  const breaches: LockBudgetBreach[] = [];
  const max = budgets.max_exclusive_ms;
  if (max !== undefined)
    for (const e of [...facts.relations].sort((a, b) => b.held_ms - a.held_ms))
      if (EXCLUSIVE_MODES.includes(e.mode) && e.held_ms > max)
        breaches.push({
          budget: 'max_exclusive_ms',
          limit: String(max),
          relation: e.relation,
          mode: e.mode,
          held_ms: e.held_ms,
          bytes: null,
          statement: e.statement,
          source: e.source,
        });
  const maxRead = budgets.max_blocked_read_ms;
  if (maxRead !== undefined)
    for (const r of [...(facts.blockedReads ?? [])].sort((a, b) => b.blocked_read_ms - a.blocked_read_ms))
      if (r.blocked_read_ms > maxRead)
        breaches.push({
          ...none,
          budget: 'max_blocked_read_ms',
          limit: String(maxRead),
          relation: r.relation,
          held_ms: r.blocked_read_ms,
          statement: r.statement,
        });
  for (const r of facts.rewrites) {
    const pattern = budgets.forbid_rewrite?.find((p) => matchesTablePattern(p, r.relation));
    if (pattern)
      breaches.push({ ...none, budget: 'forbid_rewrite', limit: pattern, relation: r.relation, bytes: r.bytes });
  }
  if (budgets.forbid_invalid_indexes)
    for (const index of facts.invalidIndexes)
      breaches.push({ ...none, budget: 'forbid_invalid_indexes', limit: 'true', relation: index });
  return breaches;
}

/** Whether `relation` (`schema.table`) is matched by a `forbid_rewrite` pattern: itself, `schema.*` or `*`. */
export function matchesTablePattern(pattern: string, relation: string): boolean {
  if (pattern === '*') return true;
  const [schema, table] = pattern.split('.');
  const [rs, rt] = relation.split('.');
  return schema === rs && (table === '*' || table === rt);
}

const none = { mode: null, held_ms: null, bytes: null, statement: null, source: null };

/** One line for the failure message: what, where, how much, against which budget. */
export function breachMessage(b: LockBudgetBreach, statement: string | null): string {
  const said = statement ? `: \`${statement}\`` : '';
  switch (b.budget) {
    case 'max_exclusive_ms':
      return `${b.mode} on ${b.relation} held ${b.held_ms} ms (${b.source}), over locks.max_exclusive_ms ${b.limit}${said}`;
    case 'max_blocked_read_ms':
      return `reads of ${b.relation} would have queued ${b.held_ms} ms${statement ? ` behind \`${statement}\`` : ''}, over locks.max_blocked_read_ms ${b.limit}`;
    case 'forbid_rewrite':
      return `${b.relation} was rewritten whole (${byteSize(b.bytes ?? 0)}), which locks.forbid_rewrite \`${b.limit}\` forbids`;
    case 'forbid_invalid_indexes':
      return `the index ${b.relation} was left invalid, which locks.forbid_invalid_indexes forbids`;
  }
}
