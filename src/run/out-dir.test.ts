import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { DiskError, UsageError } from '../errors.js';
import { assertOutOutsideState, checkStateFolder, isInside, prepareOutDir } from './out-dir.js';

const made: string[] = [];
const folder = async () => {
  const d = await mkdtemp(join(tmpdir(), 'pgr-out-dir-'));
  made.push(d);
  return d;
};
afterAll(async () => {
  for (const d of made) await rm(d, { recursive: true, force: true });
});

describe('isInside', () => {
  it('is true for the folder itself and below it, false beside it', () => {
    expect(isInside('/s', '/s')).toBe(true);
    expect(isInside('/s/runs/x', '/s')).toBe(true);
    expect(isInside('/state-2', '/state')).toBe(false);
    expect(isInside('/', '/s')).toBe(false);
  });
});

describe('assertOutOutsideState', () => {
  it('refuses --out inside the state folder, through a symbolic link too, before either exists', async () => {
    const d = await folder();
    await expect(assertOutOutsideState(join(d, 'state', 'reports', 'r1'), join(d, 'state'))).rejects.toThrow(
      UsageError,
    );
    await mkdir(join(d, 'state'));
    await symlink(join(d, 'state'), join(d, 'link'));
    await expect(assertOutOutsideState(join(d, 'link', 'r2'), join(d, 'state'))).rejects.toThrow(
      /lies inside the state folder/,
    );
    await expect(assertOutOutsideState(join(d, 'reports'), join(d, 'state'))).resolves.toBeUndefined();
  });
});

describe('prepareOutDir and checkStateFolder', () => {
  it('creates a missing folder and leaves no probe behind', async () => {
    const d = await folder();
    await prepareOutDir(join(d, 'a', 'b'));
    expect(await readdir(join(d, 'a', 'b'))).toEqual([]);
    expect(await checkStateFolder(join(d, 'state'))).toBeNull();
    expect(await readdir(join(d, 'state'))).toEqual([]);
  });

  it('calls a path below a file a usage error', async () => {
    const d = await folder();
    await writeFile(join(d, 'file'), 'x');
    await expect(prepareOutDir(join(d, 'file', 'out'))).rejects.toThrow(UsageError);
    const fault = await checkStateFolder(join(d, 'file', 'state'));
    expect(fault).toBeInstanceOf(DiskError);
    expect(fault!.message).toBe(
      `cannot write the state folder \`${join(d, 'file', 'state')}\`: ENOTDIR (a part of the path is a file, not a folder)`,
    );
  });

  // A read-only and a full file system need a mount: root only (CI runs as root here); without it the test fails, it is not skipped.
  it('names EROFS for a read-only file system (not the ENOENT a recursive mkdir reports) and ENOSPC for a full one', async () => {
    expect(process.getuid?.(), 'mounting a tmpfs needs root: run the tests as root, as .ci/run does').toBe(0);
    const d = await folder();
    const ro = join(d, 'ro');
    const full = join(d, 'full');
    await mkdir(ro);
    await mkdir(full);
    await execa('mount', ['-t', 'tmpfs', '-o', 'ro,size=64k', 'tmpfs', ro]);
    await execa('mount', ['-t', 'tmpfs', '-o', 'size=8k', 'tmpfs', full]);
    try {
      const fault = await checkStateFolder(join(ro, 'state'));
      expect(fault?.message).toBe(
        `cannot write the state folder \`${join(ro, 'state')}\`: EROFS (read-only file system)`,
      );
      expect(fault?.kind).toBe('environment');
      expect(fault?.hint).toContain('PG_REHEARSE_STATE_DIR');
      await writeFile(join(full, 'filler'), Buffer.alloc(8 * 1024)).catch(() => {});
      const err = await prepareOutDir(join(full, 'out')).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DiskError);
      expect((err as DiskError).message).toMatch(
        /^cannot write the output folder \(--out\) `[^`]+`: ENOSPC \(no space left on device\)$/,
      );
    } finally {
      await execa('umount', [ro]);
      await execa('umount', [full]);
    }
  });
});
