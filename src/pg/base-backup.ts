// The physical copy (G2, `production.copy: physical`): pg_basebackup of production's whole cluster
// into a new plain-format folder, its WAL streamed beside it (`-X stream`) and a backup_manifest
// with a checksum of every file, which pg_verifybackup checks before the copy is used. The
// connection comes from the environment (the password never in argv); `-w` makes a missing or
// refused password an error instead of a prompt.
import { lstat, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { ToolError, UsageError } from '../errors.js';
import { killGroup } from '../process-group.js';
import { BACKUP_MANIFEST_FILE } from './backup-manifest.js';
import { BaseBackupError, serverErrorLine } from './base-backup-error.js';
import { parseToolVersion } from './client-tools.js';
import { clientProcessEnv, type PgTarget } from './target.js';
import { StderrTail, errnoOf, interruptedBy, throwIfInterrupted } from './tool-process.js';

export interface BaseBackupOptions {
  target: PgTarget;
  /** A new folder (it must not exist) inside a 0700 folder; pg_basebackup creates it 0700. */
  dataDir: string;
  /** The checkpoint production is asked for at the start: `fast` (immediate, more I/O at once) or `spread`. */
  checkpoint: 'fast' | 'spread';
  /** pg_basebackup's `--max-rate`, e.g. `100M` or `512k` (kB/s without a suffix); null for none. */
  maxRate: string | null;
  manifestChecksums: 'CRC32C' | 'SHA256';
  signal?: AbortSignal;
  /** Bytes copied so far and the server's estimate of the total (null when it gave none), as pg_basebackup reports them. */
  onProgress?: (bytes: number, totalBytes: number | null) => void;
  /** pg_basebackup's application name on production; default `pg-rehearse base backup`. */
  applicationName?: string;
}

export interface BaseBackupResult {
  dataDir: string;
  /** The command line as run; it holds no secret (the connection comes from the environment). */
  argv: string[];
  ms: number;
  /** pg_basebackup's version, e.g. "15.18". */
  version: string;
  /** Its whole `--version` line, e.g. "pg_basebackup (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)". */
  versionLine: string;
  /** `<dataDir>/backup_manifest`. */
  manifestPath: string;
  /** What ended pg_basebackup had the tool's process died (`setpriv --pdeathsig TERM`), or null: nothing would have. */
  orphanGuard: string | null;
}

const PG_BASEBACKUP = 'pg_basebackup';
const MAX_RATE = /^[1-9]\d*[kM]?$/;

/** What a base backup asks of production and puts in its manifest, whichever way it is written. */
export type BaseBackupCost = Pick<BaseBackupOptions, 'checkpoint' | 'maxRate' | 'manifestChecksums'>;

/**
 * pg_basebackup's arguments for `opts`: into a new folder (`dataDir`), plain format with the WAL
 * streamed beside it; or (`dataDir` null) one tar on stdout, the WAL fetched into it at the end and
 * the manifest put in as its last member (PostgreSQL 15 streams no WAL into a tar on stdout).
 * Never a prompt; progress on stderr.
 */
export function baseBackupArgs(opts: BaseBackupCost & { dataDir: string | null }): string[] {
  if (opts.maxRate !== null && !MAX_RATE.test(opts.maxRate))
    throw new UsageError(
      `Expected \`maxRate\` to be a pg_basebackup --max-rate value such as \`100M\` or \`512k\`, got \`${opts.maxRate}\``,
    );
  const where = opts.dataDir === null ? ['-D', '-', '-Ft', '-X', 'fetch'] : ['-D', opts.dataDir, '-Fp', '-X', 'stream'];
  return [
    ...where,
    '-c',
    opts.checkpoint,
    '--no-sync',
    `--manifest-checksums=${opts.manifestChecksums}`,
    '-w',
    '-P',
    ...(opts.maxRate === null ? [] : [`--max-rate=${opts.maxRate}`]),
  ];
}

/** One `-P` progress report (`123/4567 kB (2%), 0/1 tablespace`) as bytes, else null. */
export function parseProgressLine(line: string): { bytes: number; totalBytes: number | null } | null {
  const m = /^\s*(\d+)\/(\d+|\?) kB \(\s*(?:\d+|\?)%\), \d+\/\d+ tablespaces?/.exec(line);
  if (!m) return null;
  const total = m[2] === '?' ? 0 : Number(m[2]);
  return { bytes: Number(m[1]) * 1024, totalBytes: total > 0 ? total * 1024 : null };
}

/**
 * pg_basebackup's stderr: progress reports (ended by \r on a terminal, \n otherwise) go to
 * `onProgress`, every other line to the tail, so a long copy's reports do not push its error out.
 */
export class ProgressSplitter {
  private partial = '';
  readonly tail = new StderrTail(20);

  constructor(private readonly onProgress?: (bytes: number, totalBytes: number | null) => void) {}

  push(chunk: Buffer | string): void {
    const parts = (this.partial + chunk.toString()).split(/[\r\n]/);
    this.partial = parts.pop()!;
    if (this.partial.length > 64 * 1024) this.partial = this.partial.slice(-8 * 1024);
    for (const line of parts) this.line(line);
  }

  finish(): string[] {
    if (this.partial) this.line(this.partial);
    this.partial = '';
    return this.tail.finish();
  }

  private line(line: string): void {
    if (line.trim() === '') return;
    const progress = parseProgressLine(line);
    if (progress) this.onProgress?.(progress.bytes, progress.totalBytes);
    else this.tail.push(`${line}\n`);
  }
}

/** A client tool's `--version`: the parsed version and the whole line, or why it did not run. */
export async function toolVersionOf(
  binary: string,
): Promise<{ ok: true; version: string; major: number | null; line: string } | { ok: false; why: string }> {
  const result = await execa(binary, ['--version'], { reject: false, timeout: 10_000, stdin: 'ignore' });
  const line = typeof result.stdout === 'string' ? result.stdout.trim() : '';
  if (result.exitCode !== 0) return { ok: false, why: result.shortMessage ?? line };
  const parsed = parseToolVersion(line);
  return { ok: true, version: parsed?.version ?? line, major: parsed?.major ?? null, line };
}

/** pg_basebackup's version; a BaseBackupError for the copy of `server` when it does not run. */
export async function baseBackupVersion(server: string): Promise<{ version: string; line: string }> {
  const version = await toolVersionOf(PG_BASEBACKUP);
  if (!version.ok)
    throw new BaseBackupError(server, null, [], `\`${PG_BASEBACKUP} --version\` did not run: ${version.why}`, {
      hint: "install the PostgreSQL client tools of production's major version (Debian: postgresql-client-<major>)",
    });
  return version;
}

let guard: Promise<string[]> | null = null;

/**
 * The wrapper that ends pg_basebackup when the tool's process dies (SIGKILL, a crash): util-linux's
 * `setpriv --pdeathsig TERM` on Linux, where it is found. pg_basebackup runs in its own process
 * group (below), so nothing else would end it, and it would go on reading production for as long
 * as the copy takes; its WAL receiver ends when pg_basebackup's pipe to it closes.
 */
export function orphanGuard(): Promise<string[]> {
  guard ??=
    process.platform === 'linux'
      ? execa('setpriv', ['--pdeathsig', 'TERM', 'true'], { reject: false, timeout: 10_000, stdin: 'ignore' }).then(
          (r) => (r.exitCode === 0 ? ['setpriv', '--pdeathsig', 'TERM'] : []),
        )
      : Promise.resolve([]);
  return guard;
}

/** Refuse a dataDir that exists: a copy is always written into a new folder. */
async function assertNew(dataDir: string): Promise<void> {
  const exists = await lstat(dataDir).then(
    () => true,
    (err: unknown) => {
      if (errnoOf(err) === 'ENOENT') return false;
      throw err;
    },
  );
  if (exists)
    throw new ToolError(`refusing to write into \`${dataDir}\`: a base backup is always taken into a new folder`);
}

/** Take a base backup of the target's cluster into `opts.dataDir`; on any failure the folder is removed. */
export async function takeBaseBackup(opts: BaseBackupOptions): Promise<BaseBackupResult> {
  const t0 = performance.now();
  throwIfInterrupted(opts.signal);
  const server = `${opts.target.host}:${opts.target.port}`;
  const args = baseBackupArgs(opts);
  const version = await baseBackupVersion(server);
  await assertNew(opts.dataDir);
  let removeDir = true;
  try {
    const guard = await orphanGuard();
    const { result, firstError, tail } = await runInOwnGroup([...guard, PG_BASEBACKUP, ...args], opts);
    const failed = baseBackupEnd(result, server, firstError, tail);
    if (failed) throw failed;
    const manifestPath = join(opts.dataDir, BACKUP_MANIFEST_FILE);
    await stat(manifestPath).catch((err: unknown) => {
      throw new BaseBackupError(server, 0, tail, `pg_basebackup wrote no backup_manifest in \`${opts.dataDir}\``, {
        cause: err,
      });
    });
    removeDir = false;
    const ms = Math.round(performance.now() - t0);
    const orphan = guard.length > 0 ? guard.join(' ') : null;
    return {
      dataDir: opts.dataDir,
      argv: [PG_BASEBACKUP, ...args],
      ms,
      ...pick(version),
      manifestPath,
      orphanGuard: orphan,
    };
  } finally {
    if (removeDir) await rm(opts.dataDir, { recursive: true, force: true });
  }
}

/** How a child ended, as execa tells it with `reject: false`. */
export interface ProcessEnd {
  exitCode?: number | undefined;
  signal?: string | undefined;
  shortMessage?: string | undefined;
  cause?: unknown;
}

/**
 * Run pg_basebackup (or the pipeline around it) with the target's connection in its environment
 * and its stderr read for progress and the first error. Its own process group: with `-X stream`
 * pg_basebackup forks a WAL receiver that holds stderr open, and a pipeline has several stages,
 * so an interruption ends the whole group, never only the parent.
 */
export async function runInOwnGroup(
  command: string[],
  opts: Pick<BaseBackupOptions, 'target' | 'applicationName' | 'signal' | 'onProgress'>,
): Promise<{ result: ProcessEnd; firstError: string | null; tail: string[] }> {
  const [file, ...argv] = command;
  const child = execa(file!, argv, {
    env: clientProcessEnv(opts.target, opts.applicationName ?? 'pg-rehearse base backup'),
    extendEnv: false,
    stdin: 'ignore',
    stdout: 'ignore',
    buffer: false,
    reject: false,
    detached: true,
  });
  const endGroup = () => killGroup(child.pid, 'SIGTERM');
  opts.signal?.addEventListener('abort', endGroup, { once: true });
  const splitter = new ProgressSplitter(opts.onProgress);
  child.stderr?.on('data', (c: Buffer) => splitter.push(c));
  const result = await child.finally(() => opts.signal?.removeEventListener('abort', endGroup));
  const tail = splitter.finish();
  if (opts.signal?.aborted) throw interruptedBy(opts.signal);
  return { result, firstError: splitter.tail.firstError, tail };
}

function pick(v: { version: string; line: string }): { version: string; versionLine: string } {
  return { version: v.version, versionLine: v.line };
}

/** How a pg_basebackup child ended: null when it exited 0, else the BaseBackupError saying why. */
export function baseBackupEnd(
  result: ProcessEnd,
  server: string,
  firstError: string | null,
  tail: string[],
): BaseBackupError | null {
  if (result.exitCode === undefined && result.signal === undefined)
    return new BaseBackupError(
      server,
      null,
      tail,
      `\`${PG_BASEBACKUP}\` could not be started: ${result.shortMessage ?? 'no message'}`,
      {
        cause: result.cause,
      },
    );
  if (result.exitCode === 0) return null;
  const said = firstError ?? tail.at(-1);
  const why =
    result.exitCode === undefined ? `killed by ${result.signal}` : said ? serverErrorLine(said) : 'no message';
  return new BaseBackupError(server, result.exitCode ?? null, tail, why);
}
