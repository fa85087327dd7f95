// The settings (`-c` options) of a throwaway dry-run server, recorded in the report.
import { PGAUDIT_SERVER_SETTINGS } from './session-audit.js';

/** Every statement logged with who sent it. */
export const LOG_SETTINGS: Readonly<Record<string, string>> = {
  log_statement: 'all',
  log_line_prefix: '%m [%p] app=%a user=%u db=%d ',
  log_min_error_statement: 'error',
  log_timezone: 'UTC',
  lc_messages: 'C',
};

/** A throwaway server may trade durability for restore speed; recorded in the report, off with fast_restore: false. */
export const FAST_RESTORE_SETTINGS: Readonly<Record<string, string>> = {
  fsync: 'off',
  full_page_writes: 'off',
  synchronous_commit: 'off',
  wal_level: 'minimal',
  max_wal_senders: '0',
  maintenance_work_mem: '512MB',
};

/** The settings of a run's dry-run server: logging always; pgaudit and the fast restore as chosen. */
export function dryRunServerSettings(choice: { sessionAudit: boolean; fastRestore: boolean }): Record<string, string> {
  return {
    ...LOG_SETTINGS,
    ...(choice.sessionAudit ? PGAUDIT_SERVER_SETTINGS : {}),
    ...(choice.fastRestore ? FAST_RESTORE_SETTINGS : {}),
  };
}
