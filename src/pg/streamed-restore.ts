// The backup streamed into the restore: one pg_dump of production, each chunk hashed, written to
// the backup file and handed to a psql restoring into the dry-run server at the same time, so the
// restore does not wait for the whole dump (a plain dump only; an archive needs its whole file).
// The file and its hashes never depend on the restore: if psql stops early (an error in the dump's
// SQL), the dump still runs to its end and the restore's failure is returned for its own gate.
import type { Writable } from 'node:stream';
import { dumpDatabase, type DumpOptions, type DumpResult, type DumpTap } from './dump.js';
import type { RestoreDumpResult } from './restore-dump.js';
import { SqlFileError, isEarlyStop, startPsqlScript } from './restore.js';
import type { PgTarget } from './target.js';
import { messageOf } from '../errors.js';

export interface StreamedRestoreOptions {
  /** The dry-run database, which must exist, with the roles the dump may name already in it. */
  target: PgTarget;
  /** Bytes handed to psql so far, after each chunk. */
  onProgress?: (bytes: number) => void;
}

export type StreamedRestoreOutcome = { ok: true; result: RestoreDumpResult } | { ok: false; error: SqlFileError };

/**
 * Dump (plain) into `dump.file` and restore into `restore.target` in one pass. A failure of the
 * dump throws as dumpDatabase does, after psql was stopped (its transaction rolls back); a failure
 * of the restore is the outcome's `error`, beside a complete dump.
 */
export async function dumpIntoRestore(dump: Omit<DumpOptions, 'format' | 'tap'>, restore: StreamedRestoreOptions): Promise<{ dump: DumpResult; restore: StreamedRestoreOutcome }> {
  const t0 = performance.now();
  const psql = startPsqlScript(restore.target, dump.file, { singleTransaction: true, signal: dump.signal });
  const tap = stdinTap(psql.stdin, restore.onProgress);
  let dumped: DumpResult;
  try {
    dumped = await dumpDatabase({ ...dump, format: 'plain', tap });
  } catch (err) {
    // A partial dump must never be committed: psql is stopped, not given an end of input.
    psql.kill();
    await psql.finish().catch(() => {});
    throw err;
  }
  // Only a whole dump ends psql's input; its --single-transaction then commits.
  tap.end();
  try {
    await psql.finish();
  } catch (err) {
    if (err instanceof SqlFileError) return { dump: dumped, restore: { ok: false, error: err } };
    throw err;
  }
  // psql exiting 0 is not enough: it must have been handed every byte of the dump.
  if (tap.bytes() !== dumped.bytes || tap.failure() !== null) {
    const why = tap.failure() === null ? 'psql stopped reading' : `feeding psql failed (${messageOf(tap.failure())})`;
    return { dump: dumped, restore: { ok: false, error: new SqlFileError(dump.file, null, [], `${why} after ${tap.bytes()} of ${dumped.bytes} bytes`) } };
  }
  return { dump: dumped, restore: { ok: true, result: { ms: Math.round(performance.now() - t0), bytes: tap.bytes(), tool: 'psql', jobs: 1, argv: psql.argv } } };
}

/** psql's stdin as a DumpTap: waits for the pipe to drain; once psql has stopped reading, takes nothing more. */
function stdinTap(stdin: Writable, onProgress?: (bytes: number) => void): DumpTap & { end(): void; bytes(): number; failure(): unknown } {
  let stopped = false;
  let bytes = 0;
  let failure: unknown = null;
  stdin.on('error', (err: unknown) => {
    // psql stopped reading (ON_ERROR_STOP): its exit code and stderr tell why, not the pipe.
    stopped = true;
    if (!isEarlyStop(err)) failure ??= err;
  });
  stdin.on('close', () => {
    stopped = true;
  });
  return {
    write(chunk) {
      if (stopped) return Promise.resolve();
      bytes += chunk.length;
      onProgress?.(bytes);
      if (stdin.write(chunk)) return Promise.resolve();
      return new Promise((resolve) => {
        const done = () => {
          stdin.off('drain', done);
          stdin.off('close', done);
          resolve();
        };
        stdin.on('drain', done);
        stdin.on('close', done);
      });
    },
    end() {
      if (!stopped) stdin.end();
    },
    bytes: () => bytes,
    failure: () => failure,
  };
}
