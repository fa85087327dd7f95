// Evidence sections of the report fixtures (report-fixture.ts): what the demo's S4 locked, and the
// dump's footprint on production, as a real run of the example system records them.
import type { ReportDraft } from './report-fixture.js';

/** What the demo's S4 locked: its migration's rewrite of ledger.sweep_log, and MARK's row locks. */
export function locksFixture(): NonNullable<ReportDraft['locks']> {
  return {
    source: 'dry-run server log (log_min_duration_statement=0) + pg_locks sampled every 25 ms + pg_class.relfilenode',
    sample_interval_ms: 25,
    scenarios: [
      {
        id: 'S4',
        relations: [
          {
            relation: 'ledger.sweep_log',
            mode: 'ACCESS EXCLUSIVE',
            held_ms: 41,
            statement: 'ALTER TABLE ledger.sweep_log ALTER COLUMN swept_count TYPE bigint',
            source: 'both',
          },
          {
            relation: 'ledger.entry',
            mode: 'ROW EXCLUSIVE',
            held_ms: 3,
            statement: 'UPDATE ledger.entry SET state = $1',
            source: 'inferred',
          },
        ],
        rewrites: [{ relation: 'ledger.sweep_log', bytes: 16384, step: 'migrate' }],
        invalid_indexes: [],
        not_valid_constraints: [],
        waits: [],
        samples: 12,
        unread: [],
      },
    ],
  };
}

/** G2's footprint on production: a short dump that nobody waited on. */
export function dumpFootprint(): NonNullable<ReportDraft['production']>['dump_footprint'] {
  return {
    lock_wait_timeout_ms: 5000,
    sample_interval_ms: 1000,
    samples: 3,
    backend_pid: 412,
    locks_held_ms: 1830,
    relations_locked: 12,
    xmin_held_ms: 1830,
    xmin_age_max: 0,
    waiters: [],
    unread: [],
  };
}
