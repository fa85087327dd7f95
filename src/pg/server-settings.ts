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

/**
 * A physical copy carries production's whole configuration: these override it (a setting on the
 * server's command line wins over every configuration file, in PGDATA or in /etc), so nothing in
 * the copy archives, restores, follows a primary, runs a subscription's worker (which would move
 * production's slots), preloads production's libraries (job schedulers), or logs anywhere but to
 * the container's log. `dataDir` is the copy's PGDATA, where the tool writes its own pg_hba.conf.
 */
export function physicalCopySettings(dataDir: string): Record<string, string> {
  return {
    archive_mode: 'off',
    archive_command: '',
    archive_cleanup_command: '',
    restore_command: '',
    recovery_end_command: '',
    primary_conninfo: '',
    primary_slot_name: '',
    max_logical_replication_workers: '0',
    max_sync_workers_per_subscription: '0',
    shared_preload_libraries: '',
    session_preload_libraries: '',
    local_preload_libraries: '',
    logging_collector: 'off',
    log_destination: 'stderr',
    ssl: 'off',
    listen_addresses: '*',
    port: '5432',
    unix_socket_directories: '/var/run/postgresql',
    hba_file: `${dataDir}/pg_hba.conf`,
    ident_file: `${dataDir}/pg_ident.conf`,
    external_pid_file: '',
  };
}

/** The single-user step of a physical copy logs nothing: its SQL holds the per-run passwords. */
export const QUIET_SINGLE_USER_SETTINGS: Readonly<Record<string, string>> = {
  log_statement: 'none',
  log_min_error_statement: 'panic',
  log_min_duration_statement: '-1',
};

/** The settings of a run's dry-run server: logging always; pgaudit and the fast restore as the plan chose. */
export function dryRunServerSettings(choice: {
  sessionAudit: boolean;
  fastRestore: boolean;
  /** A physical copy's PGDATA: its isolating overrides come first, the run's own settings over them. */
  physicalDataDir?: string | null;
}): Record<string, string> {
  return {
    ...(choice.physicalDataDir ? physicalCopySettings(choice.physicalDataDir) : {}),
    ...LOG_SETTINGS,
    ...(choice.sessionAudit ? PGAUDIT_SERVER_SETTINGS : {}),
    ...(choice.fastRestore ? FAST_RESTORE_SETTINGS : {}),
  };
}
