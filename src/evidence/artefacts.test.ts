import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { comparePins, hashArtefacts, pinsFor } from './artefacts.js';

describe('artefact pins', () => {
  it('hashes each artefact by its path relative to the config, and says which match their pins', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pgr-pins-'));
    await writeFile(join(dir, 'rehearse.yaml'), 'name: x\n');
    await writeFile(join(dir, 'roles.sql'), 'create role a;\n');
    const hashed = await hashArtefacts(
      [
        { kind: 'config', path: join(dir, 'rehearse.yaml') },
        { kind: 'roles', path: join(dir, 'roles.sql') },
      ],
      dir,
    );
    expect(hashed.map((h) => h.key)).toEqual(['rehearse.yaml', 'roles.sql']);
    expect(hashed[0]!.sha256).toBe(createHash('sha256').update('name: x\n').digest('hex'));
    const pins = pinsFor(hashed);
    expect(comparePins(hashed, pins).every((a) => a.ok)).toBe(true);

    await writeFile(join(dir, 'roles.sql'), 'create role a superuser;\n');
    const changed = comparePins(await hashArtefacts([{ kind: 'roles', path: join(dir, 'roles.sql') }], dir), pins);
    expect(changed).toEqual([
      {
        kind: 'roles',
        path: 'roles.sql',
        sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
        pinned: pins['roles.sql'],
        ok: false,
        real_path: null,
      },
    ]);
  });

  it("counts an unpinned artefact as not ok, and keeps other configs' pins when merging", () => {
    const a = [{ kind: 'config' as const, path: '/x/c.yaml', key: 'c.yaml', sha256: 'a'.repeat(64), realPath: null }];
    expect(comparePins(a, null)).toEqual([
      { kind: 'config', path: 'c.yaml', sha256: 'a'.repeat(64), pinned: null, ok: false, real_path: null },
    ]);
    expect(pinsFor(a, { 'other.yaml': 'b'.repeat(64) })).toEqual({
      'c.yaml': 'a'.repeat(64),
      'other.yaml': 'b'.repeat(64),
    });
  });

  it('records the real path of an artefact reached through a symbolic link, beside its name', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pgr-pins-link-'));
    await mkdir(join(dir, 'elsewhere'));
    await writeFile(join(dir, 'elsewhere', 'roles.sql'), 'create role a;\n');
    await symlink(join(dir, 'elsewhere', 'roles.sql'), join(dir, 'roles.sql'));
    const [hashed] = await hashArtefacts([{ kind: 'roles', path: join(dir, 'roles.sql') }], dir);
    expect(hashed).toMatchObject({ key: 'roles.sql', realPath: join(dir, 'elsewhere', 'roles.sql') });
    expect(comparePins([hashed!], null)[0]).toMatchObject({
      path: 'roles.sql',
      real_path: join(dir, 'elsewhere', 'roles.sql'),
    });
  });
});
