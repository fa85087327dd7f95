import { createHash } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
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
    expect(changed).toEqual([{ kind: 'roles', path: 'roles.sql', sha256: expect.stringMatching(/^[0-9a-f]{64}$/), pinned: pins['roles.sql'], ok: false }]);
  });

  it('counts an unpinned artefact as not ok, and keeps other configs\' pins when merging', () => {
    const a = [{ kind: 'config' as const, path: '/x/c.yaml', key: 'c.yaml', sha256: 'a'.repeat(64) }];
    expect(comparePins(a, null)).toEqual([{ kind: 'config', path: 'c.yaml', sha256: 'a'.repeat(64), pinned: null, ok: false }]);
    expect(pinsFor(a, { 'other.yaml': 'b'.repeat(64) })).toEqual({ 'c.yaml': 'a'.repeat(64), 'other.yaml': 'b'.repeat(64) });
  });
});
