import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DumpError } from './dump-error.js';
import { dumpDatabase } from './dump.js';

describe('dumpDatabase without a usable pg_dump', () => {
  it('throws a DumpError, never a crash, and creates no file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pgr-nodump-'));
    try {
      const target = { host: '127.0.0.1', port: 1, user: 'u', password: 'secret-never-shown', database: 'ledger' };
      const err = await dumpDatabase({
        target,
        file: join(dir, 'd.sql'),
        format: 'plain',
        pgDump: join(dir, 'no-such-pg_dump'),
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DumpError);
      expect((err as Error).message).toMatch(/no-such-pg_dump --version` did not run/);
      expect((err as Error).message).not.toContain('secret-never-shown');
      expect(await readdir(dir)).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
