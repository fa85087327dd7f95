import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyBackup, verifyBackupCandidates } from './verify-backup.js';

describe('verifyBackupCandidates', () => {
  it("looks beside pg_basebackup's major in Debian's layout first, then on PATH", () => {
    expect(verifyBackupCandidates(15)).toEqual(['/usr/lib/postgresql/15/bin/pg_verifybackup', 'pg_verifybackup']);
    expect(verifyBackupCandidates(null)).toEqual(['pg_verifybackup']);
  });
});

describe('verifyBackup', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pgr-verify-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('is not ok, with what pg_verifybackup said, for a folder that holds no backup', async () => {
    const result = await verifyBackup(dir);
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/backup_manifest/);
    expect(result.argv.at(-1)).toBe(dir);
    expect(result.version).toMatch(/^\d+\.\d+$/);
  });
});
