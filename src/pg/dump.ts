// The backup (G2): pg_dump of production, streamed into a new 0600 file while its sha256 and size
// are computed in the same pass (backpressure end to end: memory stays flat whatever the size).
// Production is only read: pg_dump reads in its own read-only transaction, and the session itself
// is made read-only on top of that (PGOPTIONS), which is proved separately with the same options.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, lstat, open, readdir, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { execa } from 'execa';
import { ToolError, messageOf } from '../errors.js';
import { parseToolVersion } from './client-tools.js';
import { DumpContentHash } from './dump-content-hash.js';
import { backupWriteError, DumpError, pgDumpEnd } from './dump-error.js';
import { clientProcessEnv, connect, type PgTarget } from './target.js';
import { StderrTail, errnoOf, interruptedBy, throwIfInterrupted } from './tool-process.js';

/** What the backup's session is started with: every transaction read-only unless it says otherwise. */
export const READ_ONLY_PGOPTIONS = '-c default_transaction_read_only=on';

export type DumpFormat = 'plain' | 'custom' | 'directory';

export interface DumpOptions {
  target: PgTarget;
  /** A new path (it must not exist) inside a 0700 folder: a file, or a folder for `directory`. */
  file: string;
  format: DumpFormat;
  /** The pg_dump binary; default `pg_dump` on PATH. */
  pgDump?: string;
  /** Bytes written so far, after each chunk (for `directory`: once, at the end). */
  onProgress?: (bytes: number) => void;
  signal?: AbortSignal;
  /** pg_dump's `--lock-wait-timeout`: it gives up instead of queueing behind a conflicting lock; none by default. */
  lockWaitTimeoutMs?: number;
  /** pg_dump's application name on production; default `pg-rehearse backup`. */
  applicationName?: string;
  /** Called as soon as pg_dump's process has ended (its session with it), before its output is judged. */
  onExit?: () => void;
}

export interface DumpResult {
  path: string;
  format: DumpFormat;
  /** Size of the file; for `directory`, the sum of its files' sizes. */
  bytes: number;
  /**
   * sha256 of the file. For `directory`: sha256 of the manifest `<sha256 hex>  <name>\n` of its
   * files in byte order of their names, i.e. `cd DIR && LC_ALL=C sha256sum * | sha256sum`.
   */
  sha256: string;
  /**
   * For `plain`: sha256 of the file with the random key of its `\restrict KEY` and `\unrestrict KEY`
   * lines (pg_dump 15.14+) replaced by `<normalised>`, so two dumps of the same content compare equal.
   * For `custom` and `directory`: equal to `sha256` (their archives also carry the dump's start
   * time, so they differ from run to run anyway). The rule is by line, as asked of it: a COPY data
   * line could only start with `\restrict ` if its first value began with a carriage return and
   * "estrict " (COPY writes a CR as `\r`); `sha256` stays exact in every case.
   */
  contentSha256: string;
  ms: number;
  /** pg_dump's version, e.g. "15.20". */
  pgDumpVersion: string;
  /** pg_dump's full `--version` line, e.g. "pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)". */
  pgDumpVersionLine: string;
  /** The command line as run; it holds no secret (the connection comes from the environment). */
  argv: string[];
  /** A session opened with the backup's PGOPTIONS answered `show transaction_read_only` with `on`. */
  readOnlySession: boolean;
}

/** Open a session with the backup's PGOPTIONS and ask it: true only when it answers `on`. */
export async function proveReadOnlySession(target: PgTarget): Promise<boolean> {
  const sql = connect(target, 'pg-rehearse read-only proof', { sessionOptions: READ_ONLY_PGOPTIONS });
  try {
    const [row] = await sql<{ transaction_read_only: string }[]>`show transaction_read_only`;
    return row?.transaction_read_only === 'on';
  } catch {
    // No answer is no proof; the dump itself then reports why the server cannot be read.
    return false;
  } finally {
    await sql.end({ timeout: 5 }).catch(() => {});
  }
}

/** pg_dump's `--version`: the parsed version and the whole line; a binary that does not run is a DumpError. */
async function pgDumpVersionOf(pgDump: string, database: string): Promise<{ version: string; line: string }> {
  const result = await execa(pgDump, ['--version'], { reject: false, timeout: 10_000, stdin: 'ignore' });
  const line = typeof result.stdout === 'string' ? result.stdout.trim() : '';
  if (result.exitCode !== 0) {
    throw new DumpError(
      database,
      result.exitCode ?? null,
      [],
      `\`${pgDump} --version\` did not run: ${result.shortMessage ?? line}`,
    );
  }
  return { version: parseToolVersion(line)?.version ?? line, line };
}

/** How pg_dump runs against the target: its binary, arguments (no secret) and environment (the password), checked first. */
export interface DumpCommand {
  pgDump: string;
  args: string[];
  env: Record<string, string>;
  version: { version: string; line: string };
  readOnlySession: boolean;
}

/** pg_dump's version (a binary that does not run is a DumpError), the read-only proof, and its command line. */
export async function prepareDump(
  opts: Pick<DumpOptions, 'target' | 'file' | 'format' | 'pgDump' | 'signal' | 'lockWaitTimeoutMs' | 'applicationName'>,
): Promise<DumpCommand> {
  throwIfInterrupted(opts.signal);
  const pgDump = opts.pgDump ?? 'pg_dump';
  const version = await pgDumpVersionOf(pgDump, opts.target.database);
  const readOnlySession = await proveReadOnlySession(opts.target);
  const formatFlag = { plain: 'p', custom: 'c', directory: 'd' }[opts.format];
  const args = ['--no-owner', '--no-privileges', '--no-password', `--format=${formatFlag}`];
  if (opts.lockWaitTimeoutMs !== undefined) args.push(`--lock-wait-timeout=${opts.lockWaitTimeoutMs}`);
  if (opts.format === 'directory') args.push(`--file=${opts.file}`);
  const env = clientProcessEnv(opts.target, opts.applicationName ?? 'pg-rehearse backup', {
    PGOPTIONS: READ_ONLY_PGOPTIONS,
  });
  return { pgDump, args, env, version, readOnlySession };
}

/** Dump the target database into `opts.file`; see DumpResult for what each field proves. */
export async function dumpDatabase(opts: DumpOptions): Promise<DumpResult> {
  const t0 = performance.now();
  const command = await prepareDump(opts);
  const { pgDump, args, env } = command;
  const written =
    opts.format === 'directory'
      ? await dumpToDirectory(pgDump, args, env, opts)
      : await dumpToFile(pgDump, args, env, opts);
  return dumpResultOf(opts.file, opts.format, command, written, t0);
}

/** What a dump written by `cmd` since `t0` (performance.now()) proves: its file's hashes, pg_dump's version and command line. */
export function dumpResultOf(
  file: string,
  format: DumpFormat,
  cmd: DumpCommand,
  written: Written,
  t0: number,
): DumpResult {
  return {
    path: file,
    format,
    ...written,
    ms: Math.round(performance.now() - t0),
    pgDumpVersion: cmd.version.version,
    pgDumpVersionLine: cmd.version.line,
    argv: [cmd.pgDump, ...cmd.args],
    readOnlySession: cmd.readOnlySession,
  };
}

/** A new 0600 file for a dump (never an existing one); a failure to create it is a DumpError. */
export async function newDumpFile(file: string, database: string): Promise<FileHandle> {
  let handle: FileHandle;
  try {
    handle = await open(file, 'wx', 0o600);
  } catch (err) {
    if (errnoOf(err) === 'EEXIST')
      throw new ToolError(`refusing to overwrite \`${file}\`: a dump is always written to a new file`);
    throw backupWriteError(database, file, `cannot create it: ${messageOf(err)}`, [], err);
  }
  // The mode given to open() is narrowed by the umask; the backup is exactly 0600 whatever it is.
  await handle.chmod(0o600).catch(async (err: unknown) => {
    await handle.close().catch(() => {});
    await rm(file, { force: true });
    throw err;
  });
  return handle;
}

type Written = Pick<DumpResult, 'bytes' | 'sha256' | 'contentSha256'>;

/** pg_dump's stdout through the hashes into a new 0600 file, fsynced; on any failure the file is removed. */
async function dumpToFile(
  pgDump: string,
  args: string[],
  env: Record<string, string>,
  opts: DumpOptions,
): Promise<Written> {
  const { database } = opts.target;
  const handle = await newDumpFile(opts.file, database);
  let removeFile = true;
  try {
    const sha = createHash('sha256');
    const content = opts.format === 'plain' ? new DumpContentHash() : null;
    let bytes = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        sha.update(chunk);
        content?.update(chunk);
        bytes += chunk.length;
        opts.onProgress?.(bytes);
        done(null, chunk);
      },
    });
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        writeAll(handle, chunk).then(() => done(), done);
      },
      final(done) {
        handle.sync().then(() => done(), done);
      },
    });

    const child = execa(pgDump, args, {
      env,
      extendEnv: false,
      stdin: 'ignore',
      buffer: false,
      reject: false,
      cancelSignal: opts.signal,
      forceKillAfterDelay: 5_000,
    });
    const stderr = StderrTail.of(child.stderr);
    let writeError: unknown = null;
    const piping = pipeline(child.stdout!, meter, sink).catch((err: unknown) => {
      writeError = err;
      child.kill();
    });
    const result = await child;
    opts.onExit?.();
    await piping;
    const tail = stderr.finish();

    if (opts.signal?.aborted) throw interruptedBy(opts.signal);
    // A failed write stops pg_dump (killed, or exit 0 had it finished): the write is the cause.
    if (writeError !== null) throw backupWriteError(database, opts.file, messageOf(writeError), tail, writeError);
    const ended = pgDumpEnd(result, pgDump, database, stderr, tail);
    if (ended) throw ended;
    removeFile = false;
    const sha256 = sha.digest('hex');
    return { bytes, sha256, contentSha256: content ? content.digest() : sha256 };
  } finally {
    await handle.close().catch(() => {});
    if (removeFile) await rm(opts.file, { force: true });
  }
}

/** Write the whole chunk: a write may take fewer bytes than given. */
async function writeAll(handle: FileHandle, chunk: Buffer): Promise<void> {
  let offset = 0;
  while (offset < chunk.length) {
    const { bytesWritten } = await handle.write(chunk, offset, chunk.length - offset);
    offset += bytesWritten;
  }
}

/** pg_dump -Fd into a new folder (0700, files 0600), then the manifest hash; on failure the folder is removed. */
async function dumpToDirectory(
  pgDump: string,
  args: string[],
  env: Record<string, string>,
  opts: DumpOptions,
): Promise<Written> {
  const { database } = opts.target;
  const dir = opts.file;
  const exists = await lstat(dir).then(
    () => true,
    (err: unknown) => {
      if (errnoOf(err) === 'ENOENT') return false;
      throw err;
    },
  );
  if (exists) throw new ToolError(`refusing to write into \`${dir}\`: a dump is always written to a new folder`);

  let removeDir = true;
  try {
    const child = execa(pgDump, args, {
      env,
      extendEnv: false,
      stdin: 'ignore',
      stdout: 'ignore',
      buffer: false,
      reject: false,
      cancelSignal: opts.signal,
      forceKillAfterDelay: 5_000,
    });
    const stderr = StderrTail.of(child.stderr);
    const result = await child;
    opts.onExit?.();
    const tail = stderr.finish();
    if (opts.signal?.aborted) throw interruptedBy(opts.signal);
    const ended = pgDumpEnd(result, pgDump, database, stderr, tail);
    if (ended) throw ended;
    await chmod(dir, 0o700);
    const names = (await readdir(dir)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    let manifest = '';
    let bytes = 0;
    for (const name of names) {
      const path = join(dir, name);
      await chmod(path, 0o600);
      const h = createHash('sha256');
      for await (const chunk of createReadStream(path)) {
        h.update(chunk as Buffer);
        bytes += (chunk as Buffer).length;
      }
      manifest += `${h.digest('hex')}  ${name}\n`;
    }
    opts.onProgress?.(bytes);
    removeDir = false;
    const sha256 = createHash('sha256').update(manifest).digest('hex');
    return { bytes, sha256, contentSha256: sha256 };
  } finally {
    if (removeDir) await rm(dir, { recursive: true, force: true });
  }
}
