// A host folder sent into a created, not yet started container through the engine (`docker cp`
// of a tar stream): no bind mount, so it works against a remote engine too, and the bytes go from
// tar to the engine's client without passing through this process. The stream's sha256 and size
// are taken on the way (tee), as the evidence of what was copied.
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { EnvironmentError } from '../errors.js';
import { killGroup } from '../process-group.js';
import { dockerCli } from './docker-cli.js';

export interface CopiedFolder {
  /** sha256 of the tar stream sent to the engine. */
  sha256: string;
  bytes: number;
  ms: number;
}

// $1 the folder holding `entry`, $2 entry, $3 the engine's `docker` client, $4 container:path, $5 the sha file, $6 tar's stderr.
// On 2 cores every extra pass over the stream slows the send (900 MB measured here: the bare send
// 2.3 s, with sha256sum and wc 6.3 s, with openssl and wc 4.3 s, with openssl alone 3.4 s): the hash
// is openssl's where it is found (the CPU's SHA instructions), else coreutils' sha256sum, and the
// size is GNU tar's own count of what it wrote (`--totals`, on its stderr). The pipeline's status
// (any of tar, tee and the client failing) is the script's. The hash is whole when the client
// ends: the hasher (a child of tee's, not of this shell, so `wait` would not wait for it) holds
// tee's stdout, the client's stdin, open until it has read everything; an empty or partial
// answer fails the sha256's check below.
const SEND = `set -o pipefail
if command -v openssl >/dev/null 2>&1; then sum() { openssl dgst -sha256 -r; }; else sum() { sha256sum; }; fi
tar --totals -C "$1" --numeric-owner -cf - "$2" 2>"$6" | tee >(sum | cut -d' ' -f1 >"$5") | "$3" cp - "$4"
sent=$?
exit "$sent"`;

/** GNU tar's `--totals` line, e.g. `Total bytes written: 900014080 (859MiB, 295MiB/s)`. */
export function parseTarTotals(stderr: string): number | null {
  const m = /^Total bytes written: (\d+)/m.exec(stderr);
  return m ? Number(m[1]) : null;
}

/** Send `parent/entry` (a folder) into `containerId` under `dest`, which must exist in its image. */
export async function copyFolderIntoContainer(
  containerId: string,
  parent: string,
  entry: string,
  dest: string,
  work: string,
  signal?: AbortSignal,
): Promise<CopiedFolder> {
  const shaFile = join(work, 'copy.sha256');
  const tarErr = join(work, 'copy.tar-stderr');
  const start = Date.now();
  try {
    // Its own process group: an interruption ends tar, tee, the hash and the engine's client, not only bash.
    const child = execa(
      'bash',
      ['-c', SEND, 'copy', parent, entry, dockerCli(), `${containerId}:${dest}`, shaFile, tarErr],
      {
        stdin: 'ignore',
        detached: true,
      },
    );
    const endGroup = () => killGroup(child.pid, 'SIGTERM');
    signal?.addEventListener('abort', endGroup, { once: true });
    await child.finally(() => signal?.removeEventListener('abort', endGroup));
    const sha256 = (await readFile(shaFile, 'utf8')).trim();
    const bytes = parseTarTotals(await readFile(tarErr, 'utf8'));
    if (!/^[0-9a-f]{64}$/.test(sha256) || bytes === null)
      throw new Error(`the copy's sha256 or size was not recorded (got ${JSON.stringify(sha256)}, ${bytes})`);
    return { sha256, bytes, ms: Date.now() - start };
  } catch (err) {
    signal?.throwIfAborted();
    const said = typeof err === 'object' && err && 'stderr' in err ? String(err.stderr).trim() : String(err);
    const tarSaid = (await readFile(tarErr, 'utf8').catch(() => '')).replace(/^Total bytes written:.*$/m, '').trim();
    const stderr = [tarSaid, said].filter(Boolean).join(' ');
    throw new EnvironmentError(
      'E_COPY',
      `cannot send ${join(parent, entry)} into container ${containerId.slice(0, 12)} through the engine: ${stderr.split('\n').slice(-3).join(' ')}`,
      { hint: 'check that the engine answers and has room for the copy (`docker system df`)' },
    );
  } finally {
    await rm(shaFile, { force: true });
    await rm(tarErr, { force: true });
  }
}

/** The command that extracts a tar read on its stdin into `dest` of a created container (the sink of a streamed copy). */
export function copyStdinInto(containerId: string, dest: string): string[] {
  return [dockerCli(), 'cp', '-', `${containerId}:${dest}`];
}

/**
 * Make `parent/entry` in a created container, an empty 0700 folder (the local image has no PGDATA
 * before its first start, and `docker cp` extracts only into a folder that exists).
 */
export async function makeFolderInContainer(
  containerId: string,
  parent: string,
  entry: string,
  work: string,
): Promise<void> {
  const holder = await mkdtemp(join(work, 'folder-'));
  try {
    await mkdir(join(holder, entry), { mode: 0o700 });
    await copyFolderIntoContainer(containerId, holder, entry, parent, work);
  } finally {
    await rm(holder, { recursive: true, force: true });
  }
}

/** One small file of a container (created or running), read through the engine: a manifest, never the copy's data. */
export async function readContainerFile(containerId: string, path: string): Promise<Buffer> {
  const r = await execa(
    'bash',
    ['-c', 'set -o pipefail; "$1" cp "$2" - | tar -xO', 'read', dockerCli(), `${containerId}:${path}`],
    {
      stdin: 'ignore',
      reject: false,
      maxBuffer: 64 * 1024 * 1024,
      encoding: 'buffer',
      stripFinalNewline: false,
    },
  );
  if (r.exitCode !== 0)
    throw new EnvironmentError(
      'E_COPY',
      `cannot read ${path} of container ${containerId.slice(0, 12)} through the engine: ${String(r.stderr).trim().split('\n').slice(-2).join(' ')}`,
    );
  return Buffer.from(r.stdout);
}
