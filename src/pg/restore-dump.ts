// Restoring the backup into the dry-run server (G4), whatever its format: a plain dump through
// psql in one transaction (runSqlFile), a custom or directory archive through pg_restore, in
// parallel (-j) where there is more than one CPU. The password only ever travels in the child's
// environment; a failure is the same SqlFileError a plain restore throws, naming the file.
import { lstat, readdir } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { UsageError, messageOf, type RehearseErrorOptions } from '../errors.js';
import type { DumpFormat } from './dump.js';
import { psqlScriptArgs, runSqlFile, SqlFileError } from './restore.js';
import { clientProcessEnv, type PgTarget } from './target.js';
import { StderrTail, interruptedBy, throwIfInterrupted } from './tool-process.js';

export interface RestoreDumpOptions {
  /** pg_restore's parallel jobs; default `defaultRestoreJobs()`. A plain dump always loads with one psql. */
  jobs?: number;
  signal?: AbortSignal;
  /**
   * Bytes of the dump read so far. Plain: after each chunk sent to psql. Custom and directory:
   * pg_restore reads the archive itself (several processes at once with -j), so once, at the end,
   * with the archive's size.
   */
  onProgress?: (bytes: number) => void;
}

export interface RestoreDumpResult {
  ms: number;
  /** The dump's size: the file's, or for `directory` the sum of its files' (as DumpResult.bytes). */
  bytes: number;
  tool: 'psql' | 'pg_restore';
  /** The parallel jobs used: always 1 for psql. */
  jobs: number;
  /** The client tool's command line as run; it holds no secret (the connection comes from the environment). */
  argv: string[];
}

/** pg_restore stopped on an archive: a SqlFileError (same code, same handling), naming pg_restore in its message. */
export class PgRestoreError extends SqlFileError {
  constructor(
    file: string,
    exitCode: number | null,
    stderrTail: string[],
    firstError: string,
    options: RehearseErrorOptions = {},
  ) {
    super(file, exitCode, stderrTail, firstError, options);
    // SqlFileError's message says "psql exit N": the exit code here is pg_restore's.
    this.message = `running \`${file}\` failed${exitCode === null ? '' : ` (pg_restore exit ${exitCode})`}: ${firstError}`;
  }
}

/** At most 4 parallel jobs, at most one per CPU: the dry-run server shares the machine's CPUs. */
export function defaultRestoreJobs(cpus: number = availableParallelism()): number {
  return Math.max(1, Math.min(4, Math.floor(cpus)));
}

/**
 * libpq takes a `-d` value holding `=` (or starting `postgres://`) as a connection string: any
 * name that is not a plain word goes as `dbname='...'`, quoted, so it is only ever a name.
 */
export function dbnameArgument(database: string): string {
  if (/^[A-Za-z0-9_][A-Za-z0-9_$-]*$/.test(database)) return database;
  return `dbname='${database.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/**
 * pg_restore's arguments. `--single-transaction` (all or nothing) cannot be combined with -j, so
 * it is used with one job only; with several, a failure leaves a partial restore behind (the
 * dry-run server is thrown away either way).
 */
export function pgRestoreArgs(input: {
  database: string;
  path: string;
  format: 'custom' | 'directory';
  jobs: number;
}): string[] {
  const { jobs } = input;
  if (!Number.isInteger(jobs) || jobs < 1)
    throw new UsageError(`Expected \`jobs\` to be a positive integer, got \`${String(jobs)}\``);
  const args = [
    '--no-owner',
    '--no-privileges',
    '--exit-on-error',
    '--no-password',
    `--format=${input.format}`,
    `--dbname=${dbnameArgument(input.database)}`,
  ];
  args.push(jobs === 1 ? '--single-transaction' : `--jobs=${jobs}`);
  // `--` keeps a path that starts with `-` a path.
  args.push('--', input.path);
  return args;
}

/** Restore a dump into the target's database (which must exist, empty); see RestoreDumpResult. */
export async function restoreDump(
  target: PgTarget,
  dump: { path: string; format: DumpFormat },
  opts: RestoreDumpOptions = {},
): Promise<RestoreDumpResult> {
  throwIfInterrupted(opts.signal);
  const jobs = opts.jobs ?? defaultRestoreJobs();
  if (dump.format === 'plain') {
    // Validated for plain too: a bad value is a caller's bug whatever the format.
    if (!Number.isInteger(jobs) || jobs < 1)
      throw new UsageError(`Expected \`jobs\` to be a positive integer, got \`${String(jobs)}\``);
    const out = await runSqlFile(target, dump.path, {
      singleTransaction: true,
      signal: opts.signal,
      onProgress: opts.onProgress,
    });
    // runSqlFile's command line, the file streamed into its stdin.
    return { ...out, tool: 'psql', jobs: 1, argv: ['psql', ...psqlScriptArgs({ singleTransaction: true })] };
  }
  return pgRestore(target, dump.path, dump.format, jobs, opts);
}

async function pgRestore(
  target: PgTarget,
  path: string,
  format: 'custom' | 'directory',
  jobs: number,
  opts: RestoreDumpOptions,
): Promise<RestoreDumpResult> {
  const t0 = performance.now();
  const args = pgRestoreArgs({ database: target.database, path, format, jobs });
  const bytes = await archiveBytes(path, format);
  const child = execa('pg_restore', args, {
    env: clientProcessEnv(target, 'pg-rehearse restore'),
    extendEnv: false,
    stdin: 'ignore',
    stdout: 'ignore',
    buffer: false,
    reject: false,
    cancelSignal: opts.signal,
    // pg_restore's SIGTERM handler cancels its queries (every worker's with -j) before it exits.
    forceKillAfterDelay: 5_000,
  });
  const stderr = StderrTail.of(child.stderr, 40);
  const result = await child;
  const tail = stderr.finish();

  if (opts.signal?.aborted) throw interruptedBy(opts.signal);
  if (result.exitCode === undefined && result.signal === undefined) {
    throw new PgRestoreError(path, null, tail, `pg_restore could not be started: ${result.shortMessage}`, {
      cause: result.cause,
    });
  }
  if (result.exitCode !== 0) {
    const why =
      result.exitCode === undefined
        ? `pg_restore was killed by ${result.signal}`
        : (stderr.firstError ?? tail.at(-1) ?? 'no message');
    throw new PgRestoreError(path, result.exitCode ?? null, tail, why);
  }
  opts.onProgress?.(bytes);
  return { ms: Math.round(performance.now() - t0), bytes, tool: 'pg_restore', jobs, argv: ['pg_restore', ...args] };
}

/** The archive's size, checking it is what its format says (a file, or a folder); unreadable is a PgRestoreError before pg_restore runs. */
async function archiveBytes(path: string, format: 'custom' | 'directory'): Promise<number> {
  try {
    const st = await lstat(path);
    if (format === 'custom') {
      if (!st.isFile()) throw new Error('a custom-format dump is a file, and this is not one');
      return st.size;
    }
    if (!st.isDirectory()) throw new Error('a directory-format dump is a folder, and this is not one');
    let bytes = 0;
    for (const name of await readdir(path)) bytes += (await lstat(join(path, name))).size;
    return bytes;
  } catch (err) {
    throw new PgRestoreError(path, null, [], `cannot read it: ${messageOf(err)}`, { cause: err });
  }
}
