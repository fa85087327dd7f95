// A folder sent into a created, not yet started container through the engine: its files arrive
// under the destination with their bytes, and the sha256 and size recorded are those of the tar
// stream that was sent (computed here apart, from the same tar command).
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docker, execIn, uniqueName } from '../test-support/docker.js';
import { copyFolderIntoContainer, parseTarTotals } from './copy-into-container.js';
import { defaultImage } from './image.js';

const name = uniqueName('pgr-copy-in');
let work = '';
let containerId = '';

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'pgr-copy-in-'));
  await mkdir(join(work, 'src', 'data', 'base'), { recursive: true });
  await writeFile(join(work, 'src', 'data', 'PG_VERSION'), '15\n');
  await writeFile(join(work, 'src', 'data', 'base', 'block'), Buffer.alloc(3 * 8192, 7));
  const container = await docker.createContainer({
    name,
    Image: defaultImage(),
    Entrypoint: ['sleep'],
    Cmd: ['30'],
    Labels: { 'io.pg-rehearse.test': name },
  });
  containerId = container.id;
});

afterAll(async () => {
  if (containerId) await docker.getContainer(containerId).remove({ force: true });
  if (work) await rm(work, { recursive: true, force: true });
});

describe('copyFolderIntoContainer', () => {
  it("sends the folder's files under the destination and records the sent stream's sha256 and size", async () => {
    const copied = await copyFolderIntoContainer(containerId, join(work, 'src'), 'data', '/var/lib/postgresql', work);
    const tar = execFileSync('tar', ['-C', join(work, 'src'), '--numeric-owner', '-cf', '-', 'data']);
    expect(copied.sha256).toBe(createHash('sha256').update(tar).digest('hex'));
    expect(copied.bytes).toBe(tar.length);
    await docker.getContainer(containerId).start();
    const listed = await execIn(containerId, [
      'sh',
      '-c',
      'cat /var/lib/postgresql/data/PG_VERSION; wc -c </var/lib/postgresql/data/base/block',
    ]);
    expect(listed.output.split('\n').map((l) => l.trim())).toEqual(['15', String(3 * 8192), '']);
  });

  it('fails, naming what tar said, when the folder is not there (a failed tar is never a sent copy)', async () => {
    await expect(
      copyFolderIntoContainer(containerId, join(work, 'src'), 'absent', '/var/lib/postgresql', work),
    ).rejects.toThrow(
      /cannot send .*absent into container .* through the engine: .*absent: Cannot stat: No such file or directory/,
    );
  });

  it('ends every process of the send when interrupted: tar, tee, the hash and the engine client', async () => {
    const big = join(work, 'big');
    await mkdir(join(big, 'data'), { recursive: true });
    // A sparse 2 GiB file: tar reads its zeros at memory speed, the send takes seconds if nothing stops it.
    await writeFile(join(big, 'data', 'zeros'), '');
    await truncate(join(big, 'data', 'zeros'), 2 * 1024 ** 3);
    const abort = new AbortController();
    const sending = copyFolderIntoContainer(containerId, big, 'data', '/tmp', work, abort.signal);
    await new Promise((r) => setTimeout(r, 150));
    const at = Date.now();
    abort.abort(new Error('interrupted'));
    await expect(sending).rejects.toThrow('interrupted');
    expect(Date.now() - at).toBeLessThan(1000);
    // pgrep exits 1 when no process names the folder.
    const left = spawnSync('pgrep', ['-a', '-f', big], { encoding: 'utf8' });
    expect([left.status, left.stdout.trim()]).toEqual([1, '']);
  });

  it("reads GNU tar's count of the bytes it wrote", () => {
    expect(parseTarTotals('Total bytes written: 900014080 (859MiB, 295MiB/s)\n')).toBe(900014080);
    expect(parseTarTotals('tar: data: Cannot stat: No such file or directory\n')).toBeNull();
  });
});
