// A host folder sent into a created, not yet started container through the engine (`docker cp`
// of a tar stream): no bind mount, so it works against a remote engine too, and the bytes go from
// tar to the engine's client without passing through this process. The stream's sha256 and size
// are taken on the way (tee), as the evidence of what was copied.
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { EnvironmentError } from '../errors.js';
import { dockerCli } from './docker-cli.js';

export interface CopiedFolder {
  /** sha256 of the tar stream sent to the engine. */
  sha256: string;
  bytes: number;
  ms: number;
}

// $1 the folder holding `entry`, $2 entry, $3 the engine's `docker` client, $4 container:path, $5 the sha file, $6 the size file.
// The hash is openssl's where it is found (it uses the CPU's SHA instructions: about 4 times
// sha256sum's speed here, which otherwise bounds the whole send), else coreutils' sha256sum.
const SEND = `set -o pipefail
if command -v openssl >/dev/null 2>&1; then sum() { openssl dgst -sha256 -r; }; else sum() { sha256sum; }; fi
tar -C "$1" --numeric-owner -cf - "$2" | tee >(sum | cut -d' ' -f1 >"$5") >(wc -c >"$6") | "$3" cp - "$4"
wait`;

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
  const sizeFile = join(work, 'copy.bytes');
  const start = Date.now();
  try {
    await execa('bash', ['-c', SEND, 'copy', parent, entry, dockerCli(), `${containerId}:${dest}`, shaFile, sizeFile], {
      cancelSignal: signal,
      stdin: 'ignore',
    });
    const sha256 = (await readFile(shaFile, 'utf8')).trim();
    const bytes = Number((await readFile(sizeFile, 'utf8')).trim());
    if (!/^[0-9a-f]{64}$/.test(sha256) || !Number.isSafeInteger(bytes))
      throw new Error(`the copy's sha256 or size was not recorded (got ${JSON.stringify(sha256)}, ${bytes})`);
    return { sha256, bytes, ms: Date.now() - start };
  } catch (err) {
    signal?.throwIfAborted();
    const stderr = typeof err === 'object' && err && 'stderr' in err ? String(err.stderr).trim() : String(err);
    throw new EnvironmentError(
      'E_COPY',
      `cannot send ${join(parent, entry)} into container ${containerId.slice(0, 12)} through the engine: ${stderr.split('\n').slice(-3).join(' ')}`,
      { hint: 'check that the engine answers and has room for the copy (`docker system df`)' },
    );
  } finally {
    await rm(shaFile, { force: true });
    await rm(sizeFile, { force: true });
  }
}
