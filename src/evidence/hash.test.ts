import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sha256File, sha256Text } from './hash.js';

describe('sha256', () => {
  it('hashes text as its UTF-8 bytes', () => {
    expect(sha256Text('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Text('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('hashes a file larger than one read chunk the same as its text', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pgr-hash-'));
    try {
      const text = 'ledger ✓\n'.repeat(100_000);
      await writeFile(join(dir, 'f'), text);
      expect(await sha256File(join(dir, 'f'))).toBe(sha256Text(text));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('fails for a missing file', async () => {
    await expect(sha256File(join(tmpdir(), 'pgr-no-such-file'))).rejects.toThrow(/ENOENT/);
  });
});
