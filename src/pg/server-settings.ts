// The `-c` settings a dry-run server starts with: what it logs, what it preloads, and what it may
// trade for restore speed. The run picks which apply; the bench starts its servers with the same.

/** Settings of a throwaway dry-run server: every statement logged with who sent it. */
export const LOG_SETTINGS = {
  log_statement: 'all',
  log_line_prefix: '%m [%p] %c %x %v app=%a user=%u db=%d ',
  log_min_error_statement: 'error',
  // Each statement's duration (its text not repeated): how long its locks were held outside a transaction block.
  log_min_duration_statement: '0',
  // A lock waited on for longer than deadlock_timeout is logged.
  log_lock_waits: 'on',
  deadlock_timeout: '200ms',
  log_timezone: 'UTC',
  lc_messages: 'C',
};

/** A throwaway server may trade durability for restore speed; recorded in the report, off with fast_restore: false. */
export const FAST_RESTORE_SETTINGS = {
  fsync: 'off',
  full_page_writes: 'off',
  synchronous_commit: 'off',
  wal_level: 'minimal',
  max_wal_senders: '0',
  maintenance_work_mem: '512MB',
};

/** Server settings (besides LOG_SETTINGS) of a dry-run server whose image has pgaudit (session-audit.ts). */
export const PGAUDIT_SERVER_SETTINGS: Readonly<Record<string, string>> = { shared_preload_libraries: 'pgaudit' };

/** The settings of a run's dry-run server: logging always; pgaudit and the fast restore as the plan chose. */
export function dryRunServerSettings(choice: { sessionAudit: boolean; fastRestore: boolean }): Record<string, string> {
  return {
    ...LOG_SETTINGS,
    ...(choice.sessionAudit ? PGAUDIT_SERVER_SETTINGS : {}),
    ...(choice.fastRestore ? FAST_RESTORE_SETTINGS : {}),
  };
}
