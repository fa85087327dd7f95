// A physical copy's base backup streamed straight into its sink (`production.physical.transfer:
// stream`, the default): pg_basebackup writes one tar on stdout (`-Ft -D - -X fetch`, the
// manifest its last member), and a shell pipeline carries it to the sink command (the engine's
// `docker cp -` into the created container), taking its size and sha256 on the way. The bytes
// never pass through this process and are never written on this machine; the copy is verified
// where it lands (the prepare script's pg_verifybackup, before the server starts).
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { EnvironmentError } from '../errors.js';
import {
  baseBackupArgs,
  baseBackupEnd,
  orphanGuard,
  runInOwnGroup,
  baseBackupVersion,
  type BaseBackupCost,
} from './base-backup.js';
import type { PgTarget } from './target.js';
import { throwIfInterrupted } from './tool-process.js';

export interface StreamedBackupOptions extends BaseBackupCost {
  target: PgTarget;
  /** The command that reads the tar on its stdin, e.g. `docker cp - <container>:<PGDATA>`. */
  sink: readonly string[];
  /** What the sink is, for messages: `container 3f2a…`. */
  sinkName: string;
  /** A 0700 folder of the run for the pipeline's small files (hash, size, statuses). */
  work: string;
  signal?: AbortSignal;
  onProgress?: (bytes: number, totalBytes: number | null) => void;
  applicationName?: string;
}

export interface StreamedBackup {
  argv: string[];
  ms: number;
  version: string;
  versionLine: string;
  orphanGuard: string | null;
  /** sha256 and size of the tar stream the sink read. */
  sha256: string;
  bytes: number;
}

// $1 the hash file, $2 dd's report, $3 the sink's stderr, $4 the statuses, $5 how many of the
// words after are pg_basebackup's (the orphan guard first); the rest are the sink's. dd counts the
// bytes (its report, in C locale, starts with them); the hash is openssl's where it is found (the
// CPU's SHA instructions), else sha256sum. The hasher, a child of tee's, holds the sink's stdin
// open until it has read everything, so the hash is whole when the sink ends. Each stage's status
// is written, so a failure is told as the stage's own: production's, or the engine's.
const PIPELINE = `set -o pipefail
sha=$1 size=$2 sinkerr=$3 status=$4 n=$5; shift 5
pg=("\${@:1:n}"); sink=("\${@:n+1}")
if command -v openssl >/dev/null 2>&1; then sum() { openssl dgst -sha256 -r; }; else sum() { sha256sum; }; fi
"\${pg[@]}" | LC_ALL=C dd bs=1M 2>"$size" | tee >(sum | cut -d' ' -f1 >"$sha") | "\${sink[@]}" 2>"$sinkerr"
st=("\${PIPESTATUS[@]}")
echo "\${st[*]}" >"$status"
for s in "\${st[@]}"; do [ "$s" = 0 ] || exit "$s"; done`;

/** dd's report, e.g. `981501440 bytes (982 MB, 936 MiB) copied, 5.4 s, 182 MB/s`: the bytes, else null. */
export function parseDdBytes(report: string): number | null {
  const m = /^(\d+) bytes\b/m.exec(report);
  return m ? Number(m[1]) : null;
}

/** The pipeline's statuses `pg dd tee sink`, as written by it; null when it wrote none (it was killed). */
export function parseStatuses(text: string): { pg: number; dd: number; tee: number; sink: number } | null {
  const words = text.trim().split(/\s+/).map(Number);
  if (words.length !== 4 || words.some((n) => !Number.isInteger(n))) return null;
  const [pg, dd, tee, sink] = words as [number, number, number, number];
  return { pg, dd, tee, sink };
}

/**
 * Did the sink end first, so that pg_basebackup failed only on the pipe it left (SIGPIPE, 141, or
 * its "Broken pipe")? Then the failure is the engine's, not production's.
 */
export function sinkEndedFirst(s: { pg: number; sink: number }, pgError: string | null): boolean {
  return s.sink !== 0 && (s.pg === 141 || /broken pipe/i.test(pgError ?? ''));
}

/** Stream a base backup of the target's cluster into `opts.sink`. */
export async function streamBaseBackup(opts: StreamedBackupOptions): Promise<StreamedBackup> {
  const t0 = performance.now();
  throwIfInterrupted(opts.signal);
  const server = `${opts.target.host}:${opts.target.port}`;
  const args = baseBackupArgs({ ...opts, dataDir: null });
  const version = await baseBackupVersion(server);
  const guard = await orphanGuard();
  const files = ['sha256', 'dd', 'sink-stderr', 'status'].map((f) => join(opts.work, `stream.${f}`));
  const pg = [...guard, 'pg_basebackup', ...args];
  try {
    const words = ['-c', PIPELINE, 'stream', ...files, String(pg.length), ...pg, ...opts.sink];
    // The guard on bash too: had this process died, bash would end and, by its own guard, pg_basebackup.
    const { result, firstError, tail } = await runInOwnGroup([...guard, 'bash', ...words], opts);
    const [shaText, ddText, sinkText, statusText] = await Promise.all(
      files.map((f) => readFile(f, 'utf8').catch(() => '')),
    );
    const statuses = parseStatuses(statusText!);
    const pgFault = statuses && !sinkEndedFirst(statuses, firstError) ? statuses.pg : 0;
    const failed = baseBackupEnd(statuses ? { exitCode: pgFault } : result, server, firstError, tail);
    if (failed) throw failed;
    if (!statuses || result.exitCode !== 0)
      throw new EnvironmentError(
        'E_COPY',
        `cannot stream the base backup into ${opts.sinkName} through the engine: ${sinkText!.trim().split('\n').slice(-3).join(' ') || `the pipeline ended with ${result.exitCode ?? result.signal}`}`,
        { hint: 'check that the engine answers and has room for the copy (`docker system df`)' },
      );
    const sha256 = shaText!.trim();
    const bytes = parseDdBytes(ddText!);
    if (!/^[0-9a-f]{64}$/.test(sha256) || bytes === null)
      throw new EnvironmentError(
        'E_COPY',
        `the streamed copy's sha256 or size was not recorded (got ${JSON.stringify(sha256)}, ${bytes})`,
      );
    return {
      argv: ['pg_basebackup', ...args],
      ms: Math.round(performance.now() - t0),
      version: version.version,
      versionLine: version.line,
      orphanGuard: guard.length > 0 ? guard.join(' ') : null,
      sha256,
      bytes,
    };
  } finally {
    await Promise.all(files.map((f) => rm(f, { force: true })));
  }
}
