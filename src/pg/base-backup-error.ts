// How a base backup of production fails: production refused the replication connection, the user
// lacks the REPLICATION attribute, the disk failed us, or pg_basebackup could not run. Never a
// defect of the system under test.
import { EnvironmentError, type RehearseErrorOptions } from '../errors.js';

/** The base backup of production failed: production, its access rules or this machine failed us. */
export class BaseBackupError extends EnvironmentError {
  constructor(
    /** `host:port` of the server that was copied. */
    readonly server: string,
    /** pg_basebackup's exit code; null when it did not start or was killed by a signal. */
    readonly exitCode: number | null,
    /** The last lines of pg_basebackup's stderr (progress lines left out). */
    readonly stderrTail: string[],
    /** Why, in one line: pg_basebackup's first error line when it printed one. */
    readonly shortMessage: string,
    options: RehearseErrorOptions = {},
  ) {
    super(
      'E_BASE_BACKUP',
      `pg_basebackup of ${server} failed${exitCode === null ? '' : ` (exit ${exitCode})`}: ${shortMessage}`,
      { hint: options.hint ?? hintFor(shortMessage), ...(options.cause === undefined ? {} : { cause: options.cause }) },
    );
  }
}

/** What to do about a refused replication connection, by what the server said. */
export function hintFor(line: string): string {
  if (/pg_hba\.conf/.test(line) && /replication/.test(line))
    return "add a `host replication <user> <client address> scram-sha-256` line to production's pg_hba.conf and reload it";
  if (/superuser or replication role|permission denied to start WAL sender/.test(line))
    return 'give the backup role the REPLICATION attribute (`ALTER ROLE <user> REPLICATION`)';
  if (/password authentication failed/.test(line)) return "check the backup role's password in production's DSN";
  if (/max_wal_senders|number of requested standby connections|too many clients/.test(line))
    return "raise production's max_wal_senders (a base backup with `-X stream` uses two WAL senders) or wait for a free one";
  if (/No space left on device|could not (?:create|write)/i.test(line))
    return 'free space on the disk of the state folder (PG_REHEARSE_STATE_DIR), or point it at a larger disk';
  return 'check that production answers replication connections from this machine; nothing was kept of the partial copy';
}

/**
 * The server's part of a client tool's error line, spaces collapsed:
 * `pg_basebackup: error: connection to server at "h", port 5432 failed: FATAL:  no pg_hba.conf entry ...`
 * -> `FATAL: no pg_hba.conf entry ...`; a line without one, its text after `<tool>: error: `.
 */
export function serverErrorLine(line: string): string {
  const server = /\b((?:FATAL|ERROR|PANIC):.*)$/.exec(line);
  const text = server ? server[1]! : line.replace(/^[\w-]+: (?:error|fatal): /, '');
  return text.replace(/\s+/g, ' ').trim();
}
