// `locks:`: whether a probe measures what a concurrent reader would have waited, and the lock
// budgets: what a step of the system under test may lock before its scenario fails. The run gives
// them, a scenario its own, each key it gives replacing the run's. Without budgets the lock
// evidence is reported and nothing fails on it.
import { z } from 'zod';

/** A table as the report names it (`schema.table`), `schema.*` for every table of a schema, or `*`. */
const TABLE_PATTERN = /^(\*|[^.\s*]+\.(\*|[^.\s*]+))$/;

export const LocksConfig = z.strictObject({
  /** A probe session reads one row of each watched table every ~50 ms during each step, to measure blocked reads. */
  probe: z.boolean().optional(),
  /** The longest a plain read of a watched table may have been blocked, in ms (it turns the probe on). */
  max_blocked_read_ms: z.number().int().min(0).optional(),
  /** The longest an ACCESS EXCLUSIVE or EXCLUSIVE lock may be held on one relation, in ms. */
  max_exclusive_ms: z.number().int().min(0).optional(),
  /** Tables that must not be rewritten whole (relfilenode changed): `schema.table`, `schema.*` or `*`. */
  forbid_rewrite: z
    .array(z.string().regex(TABLE_PATTERN, 'a table as `schema.table`, `schema.*` or `*`'))
    .min(1)
    .optional(),
  /** No step may leave an index invalid (pg_index.indisvalid = false). */
  forbid_invalid_indexes: z.boolean().optional(),
});
export type LocksConfig = z.infer<typeof LocksConfig>;

/** The budgets of a scenario: each key it gives replaces the run's. */
export function scenarioLocksConfig(run: LocksConfig, scenario: LocksConfig | undefined): LocksConfig {
  return { ...run, ...Object.fromEntries(Object.entries(scenario ?? {}).filter(([, v]) => v !== undefined)) };
}

/** Whether a budget names anything. */
export function hasLockBudgets(b: LocksConfig): boolean {
  return (
    b.max_exclusive_ms !== undefined ||
    b.max_blocked_read_ms !== undefined ||
    b.forbid_rewrite !== undefined ||
    b.forbid_invalid_indexes === true
  );
}

/** Whether the read probe runs: asked for, or needed by `max_blocked_read_ms`. */
export function probeIsOn(b: LocksConfig): boolean {
  return b.probe === true || b.max_blocked_read_ms !== undefined;
}
