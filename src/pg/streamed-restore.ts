// The backup streamed into the restore: pg_dump's output goes through `tee -p` into the backup file
// and into a FIFO that a psql restoring into the dry-run server reads at the same time, so the
// restore does not wait for the whole dump (a plain dump only; an archive needs its whole file).
// The bytes never pass through this process: the kernel moves them between the three children,
// and the file's sha256, content sha256 and size are computed here by reading it as it grows, in
// the same pass.
//
// psql runs `BEGIN`, the dump from the data FIFO, then a second FIFO. Only when pg_dump and tee
// both exited 0 is COMMIT written into that one; otherwise psql is stopped (its transaction rolls
// back with its connection). So a partial dump is never committed, although its input ends either way.
// The file never depends on the restore: a FIFO whose reader is gone fails tee's writes with EPIPE,
// which `tee -p` drops while it goes on writing the file, and the restore's failure is returned for
// its own gate. (A child's stdin 'pipe' is a socket here, whose ECONNRESET tee would count as a
// failure of the file's writer too: hence the FIFOs.)
import { constants } from 'node:fs';
import { open, rm, type FileHandle } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { messageOf } from '../errors.js';
import { DumpContentHash } from './dump-content-hash.js';
import { backupWriteError, DumpError, pgDumpEnd } from './dump-error.js';
import { dumpResultOf, newDumpFile, prepareDump, type DumpCommand, type DumpOptions, type DumpResult } from './dump.js';
import type { RestoreDumpResult } from './restore-dump.js';
import { SqlFileError } from './restore.js';
import { clientProcessEnv, type PgTarget } from './target.js';
import { StderrTail, errnoOf, interruptedBy } from './tool-process.js';

export interface StreamedRestoreOptions {
  /** The dry-run database, which must exist, with the roles the dump may name already in it. */
  target: PgTarget;
  /** fsync the backup file once written: for a backup that is kept (a throwaway one is shredded at teardown). */
  syncFile?: boolean;
}

export type StreamedRestoreOutcome = { ok: true; result: RestoreDumpResult } | { ok: false; error: SqlFileError };

/** How often the growing file is read again once its end is reached, and the FIFO's reader looked for. */
const POLL_MS = 10;
/** Each read of the growing file: one buffer, reused, so memory stays flat whatever the size. */
const READ_BYTES = 1024 * 1024;

/**
 * Dump (plain) into `dump.file` and restore into `restore.target` in one pass. A failure of the
 * dump throws a DumpError, as dumpDatabase does, after psql was stopped; a failure of the restore
 * is the outcome's `error`, beside a whole dump. `dump.onProgress` counts the bytes written.
 */
export async function dumpIntoRestore(
  dump: Omit<DumpOptions, 'format'>,
  restore: StreamedRestoreOptions,
): Promise<{ dump: DumpResult; restore: StreamedRestoreOutcome }> {
  const t0 = performance.now();
  const { file, signal } = dump;
  const { database } = dump.target;
  const cmd = await prepareDump({ ...dump, format: 'plain' });
  // Created here, 0600 and new; tee then writes into it (it keeps the mode of a file that exists).
  await (await newDumpFile(file, database)).close();
  const fifos: Fifos = { data: `${file}.data`, commit: `${file}.commit` };
  let keepFile = false;
  try {
    await makeFifo(fifos.data, database);
    await makeFifo(fifos.commit, database);
    const children = startChildren(cmd, file, fifos, restore.target, signal);
    void children.pgDump.then(() => dump.onExit?.());
    const ended = await awaitChildren(children, file, fifos, signal, dump.onProgress);
    if (signal?.aborted) throw interruptedBy(signal);
    const failure = backupFailure(ended, children, cmd, database, file);
    if (failure) throw failure;
    if (restore.syncFile) await syncFile(file);
    keepFile = true;
    return {
      dump: dumpResultOf(file, 'plain', cmd, ended.written, t0),
      restore: restoreOutcome(ended.restored, children.psqlErr, fifos, file, ended.written.bytes, t0),
    };
  } finally {
    await rm(fifos.data, { force: true });
    await rm(fifos.commit, { force: true });
    if (!keepFile) await rm(file, { force: true });
  }
}

/** The two FIFOs beside the backup: psql reads the dump from `data`, then `commit` (COMMIT, or nothing). */
interface Fifos {
  data: string;
  commit: string;
}

/** psql's arguments: BEGIN, the dump from the data FIFO, then what the commit FIFO says. */
const psqlArgsOf = (fifos: Fifos) => [
  '-X',
  '-q',
  '--no-password',
  '-v',
  'ON_ERROR_STOP=1',
  '-c',
  'BEGIN',
  '-f',
  fifos.data,
  '-f',
  fifos.commit,
];

/** The three children, started: pg_dump into tee, tee into the file and the data FIFO, psql from the FIFOs. */
function startChildren(
  cmd: DumpCommand,
  file: string,
  fifos: Fifos,
  restoreTarget: PgTarget,
  signal: AbortSignal | undefined,
) {
  const kill = { forceKillAfterDelay: 5_000, cancelSignal: signal } as const;
  const psql = execa('psql', psqlArgsOf(fifos), {
    cwd: dirname(file),
    env: clientProcessEnv(restoreTarget, 'pg-rehearse restore'),
    extendEnv: false,
    stdin: 'ignore',
    stdout: 'ignore',
    buffer: false,
    reject: false,
    ...kill,
  });
  const pgDump = execa(cmd.pgDump, cmd.args, {
    env: cmd.env,
    extendEnv: false,
    stdin: 'ignore',
    stdout: 'pipe',
    buffer: false,
    reject: false,
    ...kill,
  });
  // `--` keeps a file name that starts with `-` a name; -p: a FIFO whose reader stopped is no reason to stop writing the file.
  const tee = execa('tee', ['-p', '--', file, fifos.data], {
    stdin: pgDump.stdout!,
    stdout: 'ignore',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C' },
    extendEnv: false,
    buffer: false,
    reject: false,
    ...kill,
  });
  // tee holds pg_dump's output now: this process lets go of its end of that pipe.
  pgDump.stdout!.destroy();
  const dumpErr = StderrTail.of(pgDump.stderr);
  const teeErr = StderrTail.of(tee.stderr);
  const psqlErr = StderrTail.of(psql.stderr, 40);
  return { psql, pgDump, tee, dumpErr, teeErr, psqlErr };
}

type Children = ReturnType<typeof startChildren>;

/**
 * Wait for pg_dump and tee while the file is hashed as it grows, then give psql its COMMIT (a whole
 * dump) or stop it (its transaction rolls back), and wait for psql.
 */
async function awaitChildren(
  children: Children,
  file: string,
  fifos: Fifos,
  signal: AbortSignal | undefined,
  onProgress: ((bytes: number) => void) | undefined,
) {
  const { pgDump, tee, psql } = children;
  let teeEnded = false;
  let psqlEnded = false;
  const teeDone = tee.then((r) => ((teeEnded = true), r));
  const psqlDone = psql.then((r) => ((psqlEnded = true), r));
  // A psql that ended before opening the data FIFO would leave tee waiting to open it: let it go on.
  void psqlDone.then(() => releaseWriter(fifos.data, () => teeEnded));
  try {
    const hashing = hashGrowingFile(file, () => teeEnded, onProgress);
    // Awaited below, after the children: until then its failure must not count as unhandled.
    hashing.catch(() => {});
    const [dumped, teed] = await Promise.all([pgDump, teeDone]);
    // The hashes cover the whole file even when the dump failed: they are only returned when it did not.
    const written = await hashing;
    const dumpOk = dumped.exitCode === 0 && teed.exitCode === 0 && !signal?.aborted;
    if (dumpOk) await tellPsql(fifos.commit, 'COMMIT;\n', () => psqlEnded);
    else psql.kill();
    const restored = await psqlDone;
    return { dumped, teed, restored, written };
  } catch (err) {
    // A failure of ours: nothing may go on, and psql must never wait for a COMMIT that will not come.
    for (const child of [pgDump, tee, psql]) child.kill();
    await Promise.allSettled([pgDump, tee, psql]);
    throw err;
  }
}

type Ended = Awaited<ReturnType<typeof awaitChildren>>;

/** Why the backup failed, or null: tee writes the file, so when it failed (a full disk), pg_dump's own end is only its consequence. */
function backupFailure(
  { dumped, teed }: Ended,
  children: Children,
  cmd: DumpCommand,
  database: string,
  file: string,
): DumpError | null {
  const dumpTail = children.dumpErr.finish();
  if (teed.exitCode === undefined && teed.signal === undefined) {
    return new DumpError(database, null, dumpTail, `\`tee\` could not be started: ${teed.shortMessage}`, {
      cause: teed.cause,
    });
  }
  if (teed.exitCode !== 0) {
    const why =
      teed.exitCode === undefined
        ? `tee was killed by ${teed.signal ?? 'a signal'}`
        : (children.teeErr.finish().at(-1) ?? `tee exit ${teed.exitCode}`);
    return backupWriteError(database, file, why, dumpTail);
  }
  return pgDumpEnd(dumped, cmd.pgDump, database, children.dumpErr, dumpTail);
}

/** How psql ended, as the restore's outcome; psql names the FIFO it read the dump from: its error lines name the backup file instead. */
function restoreOutcome(
  restored: Ended['restored'],
  psqlErr: StderrTail,
  fifos: Fifos,
  file: string,
  bytes: number,
  t0: number,
): StreamedRestoreOutcome {
  const tail = psqlErr.finish().map((l) => l.replaceAll(`psql:${fifos.data}:`, `psql:${file}:`));
  if (restored.exitCode !== 0) {
    const firstError = psqlErr.firstError?.replaceAll(`psql:${fifos.data}:`, `psql:${file}:`) ?? null;
    const why =
      restored.exitCode === undefined
        ? `psql was killed by ${restored.signal ?? 'a signal'}`
        : (firstError ?? tail.at(-1) ?? 'no message');
    return { ok: false, error: new SqlFileError(file, restored.exitCode ?? null, tail, why) };
  }
  const argv = ['psql', ...psqlArgsOf(fifos)];
  return { ok: true, result: { ms: Math.round(performance.now() - t0), bytes, tool: 'psql', jobs: 1, argv } };
}

/** mkfifo, mode 0600, beside the backup (in its 0700 folder). */
async function makeFifo(path: string, database: string): Promise<void> {
  const made = await execa('mkfifo', ['-m', '600', '--', path], { reject: false, stdin: 'ignore' });
  if (made.exitCode !== 0)
    throw new DumpError(database, null, [], `cannot create the FIFO \`${path}\`: ${made.stderr || made.shortMessage}`);
}

/**
 * Read the file as tee writes it, with one reused buffer, until tee has ended and nothing more is
 * there: its size, sha256 and content sha256 (DumpContentHash) in the same pass as the dump.
 */
async function hashGrowingFile(
  file: string,
  ended: () => boolean,
  onProgress?: (bytes: number) => void,
): Promise<{ bytes: number; sha256: string; contentSha256: string }> {
  const sha = createHash('sha256');
  const content = new DumpContentHash();
  const buffer = Buffer.allocUnsafe(READ_BYTES);
  let bytes = 0;
  let handle: FileHandle | null = null;
  try {
    handle = await open(file, 'r');
    for (;;) {
      // Looked at before the read: once tee has ended, an empty read is the end of the file.
      const last = ended();
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, bytes);
      if (bytesRead === 0) {
        if (last) break;
        await sleep(POLL_MS);
        continue;
      }
      const chunk = buffer.subarray(0, bytesRead);
      sha.update(chunk);
      content.update(chunk);
      bytes += bytesRead;
      onProgress?.(bytes);
    }
  } finally {
    await handle?.close().catch(() => {});
  }
  return { bytes, sha256: sha.digest('hex'), contentSha256: content.digest() };
}

/**
 * Write `text` into the FIFO psql reads last. Opening for writing without blocking fails (ENXIO)
 * until psql has opened it for reading, so it is tried again until it does or psql has ended.
 */
async function tellPsql(fifo: string, text: string, psqlEnded: () => boolean): Promise<void> {
  for (;;) {
    if (psqlEnded()) return;
    let handle: FileHandle;
    try {
      handle = await open(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
    } catch (err) {
      if (errnoOf(err) !== 'ENXIO')
        throw new Error(`cannot open the FIFO \`${fifo}\` psql reads: ${messageOf(err)}`, { cause: err });
      await sleep(POLL_MS);
      continue;
    }
    try {
      await handle.write(text);
    } finally {
      await handle.close();
    }
    return;
  }
}

/**
 * Open the FIFO for reading and close it again, until its writer (tee) has ended: a writer waiting
 * in open() then goes on, and its writes fail with EPIPE, which `tee -p` drops.
 */
async function releaseWriter(fifo: string, writerEnded: () => boolean): Promise<void> {
  while (!writerEnded()) {
    try {
      await (await open(fifo, constants.O_RDONLY | constants.O_NONBLOCK)).close();
    } catch {
      // gone: the run is over
      return;
    }
    await sleep(POLL_MS);
  }
}

/** fsync a file written by another process. */
async function syncFile(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
