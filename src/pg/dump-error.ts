// How a backup fails: production, pg_dump or this machine's disk failed us, never the system under test.
import { EnvironmentError, type RehearseErrorOptions } from '../errors.js';
import type { StderrTail } from './tool-process.js';

/** The backup of production failed: production (or the disk) failed us, never the system under test. */
export class DumpError extends EnvironmentError {
  constructor(
    readonly database: string,
    /** pg_dump's exit code; null when it did not start or was killed by a signal. */
    readonly exitCode: number | null,
    /** The last lines of pg_dump's stderr. */
    readonly stderrTail: string[],
    detail: string,
    options: RehearseErrorOptions & { message?: string } = {},
  ) {
    super(
      'E_DUMP',
      options.message ??
        `pg_dump of database \`${database}\` failed${exitCode === null ? '' : ` (exit ${exitCode})`}: ${detail}`,
      {
        hint: 'check that production answers and that the backup role may read every object; nothing was kept of the partial dump',
        ...options,
      },
    );
  }
}

/** The backup could not be written on this machine (a full or read-only disk): the disk failed us, not production nor pg_dump. */
export function backupWriteError(
  database: string,
  file: string,
  why: string,
  stderrTail: string[],
  cause?: unknown,
): DumpError {
  return new DumpError(database, null, stderrTail, why, {
    message: `the backup of database \`${database}\` could not be written to \`${file}\`: ${why}`,
    hint: 'free space on the disk of the state folder (PG_REHEARSE_STATE_DIR), or point PG_REHEARSE_STATE_DIR at a writable folder on a larger disk (`rehearse doctor` shows its free space); nothing was kept of the partial dump',
    cause,
  });
}

/** How a pg_dump child ended, as far as it matters: null when it exited 0, else the DumpError saying why (`also`: what else failed). */
export function pgDumpEnd(
  result: {
    exitCode?: number | undefined;
    signal?: string | undefined;
    shortMessage?: string | undefined;
    cause?: unknown;
  },
  pgDump: string,
  database: string,
  stderr: StderrTail,
  tail: string[],
  also = '',
): DumpError | null {
  if (result.exitCode === undefined && result.signal === undefined) {
    return new DumpError(
      database,
      null,
      tail,
      `\`${pgDump}\` could not be started: ${result.shortMessage ?? 'no message'}`,
      { cause: result.cause },
    );
  }
  if (result.exitCode === 0) return null;
  const why =
    result.exitCode === undefined ? `killed by ${result.signal}` : (stderr.firstError ?? tail.at(-1) ?? 'no message');
  return new DumpError(database, result.exitCode ?? null, tail, `${why}${also}`);
}
