// report.json's `locks`: per scenario, what the system under test locked, in which mode and for how
// long (inferred from the statement log, sampled from pg_locks, or both), what it rewrote whole,
// and the invalid indexes and NOT VALID constraints it left.
import { z } from 'zod';
import { LOCK_MODES } from './lock-mode-names.js';

const LockMode = z.enum(LOCK_MODES);

const ScenarioLocks = z.object({
  id: z.string(),
  /** Per relation and mode, strongest first: the longest time it was held, and the statement that took it. */
  relations: z.array(
    z.object({
      relation: z.string(),
      mode: LockMode,
      held_ms: z.number().int(),
      statement: z.string(),
      source: z.enum(['inferred', 'sampled', 'both']),
      /** The longest a plain read of it was blocked during the scenario (the read probe); null: it was not probed. */
      blocked_read_ms: z.number().int().nullable().optional(),
    }),
  ),
  /** The read probe (`locks.probe`): per watched table, the longest a plain read was blocked and by what; null: no probe. */
  blocked_reads: z
    .array(z.object({ relation: z.string(), blocked_read_ms: z.number().int(), statement: z.string().nullable() }))
    .nullable()
    .optional(),
  /** Tables whose relfilenode changed during a step: rewritten whole, with their size after. */
  rewrites: z.array(z.object({ relation: z.string(), bytes: z.number().int(), step: z.string() })),
  /** `schema.index on schema.table`, invalid after a step and not before it. */
  invalid_indexes: z.array(z.string()),
  /** `schema.table constraint`, NOT VALID after a step and not before it. */
  not_valid_constraints: z.array(z.string()),
  /** A lock a backend of the system waited for (seen not granted by the sampler), and for how long. */
  waits: z.array(
    z.object({ relation: z.string(), mode: z.string(), waited_ms: z.number().int(), statement: z.string() }),
  ),
  /** Samples of pg_locks read during its steps. */
  samples: z.number().int(),
  /** Why its locks or its catalog could not be read, when they could not (the evidence above is then partial). */
  unread: z.array(z.string()),
});

export const Locks = z.object({
  source: z.string(),
  sample_interval_ms: z.number().int(),
  /** How the read probe read, when it ran in some scenario. */
  probe: z.object({ interval_ms: z.number().int(), lock_timeout_ms: z.number().int() }).nullable().optional(),
  scenarios: z.array(ScenarioLocks),
});
export type Locks = z.infer<typeof Locks>;

/** The lock budget a step exceeded (report.json's `failure.lock_budget`): the first, and how many in all. */
export const LockBudgetFailure = z.object({
  budget: z.enum(['max_exclusive_ms', 'max_blocked_read_ms', 'forbid_rewrite', 'forbid_invalid_indexes']),
  /** As configured: `5000`, `ledger.*`, `true`. */
  limit: z.string(),
  step: z.string(),
  /** The table, or the index left invalid (`schema.index on schema.table`). */
  relation: z.string(),
  mode: z.string().nullable(),
  /** How long the lock was held, or (max_blocked_read_ms) a read was blocked. */
  held_ms: z.number().int().nullable(),
  bytes: z.number().int().nullable(),
  /** Redacted, cut to 300 characters. */
  statement: z.string().nullable(),
  source: z.enum(['inferred', 'sampled', 'both']).nullable(),
  /** How many budgets the step exceeded in all (this is the first). */
  breaches: z.number().int(),
});
