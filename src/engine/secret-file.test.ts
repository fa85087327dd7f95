import { execFileSync } from 'node:child_process';
import { link, mkdir, mkdtemp, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generatePassword, shredFile, shredPath, writeSecretFile } from './secret-file.js';

describe('secret files', () => {
  it('generates distinct passwords that hold a URL-reserved character', () => {
    const a = generatePassword();
    expect(a).toHaveLength(32);
    expect(a).toMatch(/[@:/?#&+=%]/);
    expect(generatePassword()).not.toBe(a);
  });

  it('writes mode 0600 and refuses to overwrite an existing file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pgr-secret-'));
    const path = join(dir, 'pw');
    await writeSecretFile(path, 's3cret');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    await expect(writeSecretFile(path, 'other')).rejects.toThrow(/EEXIST/);
  });

  it('overwrites the bytes before unlinking (seen through a second hard link)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pgr-secret-'));
    const path = join(dir, 'pw');
    const secret = generatePassword();
    await writeSecretFile(path, secret);
    await link(path, join(dir, 'witness'));
    await shredFile(path);
    await expect(stat(path)).rejects.toThrow(/ENOENT/);
    const left = await readFile(join(dir, 'witness'));
    expect(left.length).toBe(Buffer.byteLength(secret));
    expect(left.toString('utf8')).not.toBe(secret);
  });

  it('shreds a folder file by file (nested folders too), unlinks its FIFOs and symlinks without following them, then removes it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pgr-secret-'));
    const folder = join(dir, 'backup');
    await mkdir(join(folder, 'dump.dir'), { recursive: true });
    const secret = generatePassword();
    await writeSecretFile(join(folder, 'dump.sql'), secret);
    await writeSecretFile(join(folder, 'dump.dir', 'toc.dat'), secret);
    await link(join(folder, 'dump.dir', 'toc.dat'), join(dir, 'witness'));
    execFileSync('mkfifo', [join(folder, 'dump.sql.data')]);
    // A symlink out of the folder: its target is not the run's to shred.
    const outside = join(dir, 'outside');
    await writeFile(outside, 'keep me');
    await symlink(outside, join(folder, 'link'));

    await shredPath(folder);
    await expect(stat(folder)).rejects.toThrow(/ENOENT/);
    expect((await readFile(join(dir, 'witness'))).toString('utf8')).not.toBe(secret);
    expect(await readFile(outside, 'utf8')).toBe('keep me');
    await expect(shredPath(folder)).resolves.toBeUndefined();
  });

  it('counts a missing file as shredded', async () => {
    await expect(shredFile(join(tmpdir(), 'pgr-no-such-file'))).resolves.toBeUndefined();
  });
});
