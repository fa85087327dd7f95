// Lock budgets: what a step of the system under test may lock before its scenario fails. The run
// gives them under `locks:`, a scenario under its own `locks:`, each key it gives replacing the
// run's. Without budgets the lock evidence is reported and nothing fails on it.
import { z } from 'zod';

/** A table as the report names it (`schema.table`), `schema.*` for every table of a schema, or `*`. */
const TABLE_PATTERN = /^(\*|[^.\s*]+\.(\*|[^.\s*]+))$/;

export const LockBudgets = z.strictObject({
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
export type LockBudgets = z.infer<typeof LockBudgets>;

/** The budgets of a scenario: each key it gives replaces the run's. */
export function scenarioLockBudgets(run: LockBudgets, scenario: LockBudgets | undefined): LockBudgets {
  return { ...run, ...Object.fromEntries(Object.entries(scenario ?? {}).filter(([, v]) => v !== undefined)) };
}

/** Whether a budget names anything. */
export function hasLockBudgets(b: LockBudgets): boolean {
  return b.max_exclusive_ms !== undefined || b.forbid_rewrite !== undefined || b.forbid_invalid_indexes === true;
}
