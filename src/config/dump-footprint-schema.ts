// report.json's `production.dump_footprint`: what G2's own pg_dump did to production while it ran,
// sampled every 200 ms from a read-only session: how long it held its ACCESS SHARE locks
// and its snapshot's xmin, and every session that waited on it.
import { z } from 'zod';

export const DumpFootprint = z.object({
  /** pg_dump's `--lock-wait-timeout` (config `production.lock_wait_timeout_ms`). */
  lock_wait_timeout_ms: z.number().int(),
  sample_interval_ms: z.number().int(),
  samples: z.number().int(),
  /** The dump's backend on production; null when no sample saw it (a dump shorter than the interval). */
  backend_pid: z.number().int().nullable(),
  /** From the first sample that saw it hold ACCESS SHARE on a table to the dump's end; null when none did. */
  locks_held_ms: z.number().int().nullable(),
  /** The most tables it held ACCESS SHARE on in one sample. */
  relations_locked: z.number().int(),
  /** From the first sample that saw its backend_xmin to the dump's end: how long it held the xmin horizon back. */
  xmin_held_ms: z.number().int().nullable(),
  /** The largest age(backend_xmin) seen, in transactions. */
  xmin_age_max: z.number().int().nullable(),
  /** Every session seen waiting for a lock on a table the dump held, on the dump or behind a session that waits on it. */
  waiters: z.array(
    z.object({
      pid: z.number().int(),
      /** Null where the tool's role may not read it. */
      role: z.string().nullable(),
      relation: z.string(),
      /** As pg_locks names it, e.g. `AccessExclusiveLock`. */
      mode: z.string(),
      /** At least this long: from its wait's start (pg_locks.waitstart, else the first sample) to the last sample seeing it. */
      waited_ms: z.number().int(),
      /** The sessions it waited for (pg_blocking_pids): the dump's, or a session queued behind it. */
      blocked_by: z.array(z.number().int()),
      /** Its query, redacted and cut to 300 characters; null where it could not be read. */
      query: z.string().nullable(),
    }),
  ),
  /** Why part of it could not be read (the sampler did not start, ended early), when it could not. */
  unread: z.array(z.string()),
});
export type DumpFootprint = z.infer<typeof DumpFootprint>;
