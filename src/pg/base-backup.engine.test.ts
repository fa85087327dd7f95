// The physical copy against real servers: the replication preflight on a server whose pg_hba lets
// the tool's superuser replicate and on one that does not; a base backup verified by
// pg_verifybackup and its manifest read; a corrupted file found; a refused or interrupted backup
// keeps nothing.
import { appendFile, chmod, lstat, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InterruptedError } from '../errors.js';
import { throwawayServer, type ThrowawayServer } from '../test-support/throwaway-server.js';
import { parseBackupManifest } from './backup-manifest.js';
import { BaseBackupError } from './base-backup-error.js';
import { takeBaseBackup } from './base-backup.js';
import { serverIdentity } from './identity.js';
import { replicationPreflight } from './replication-preflight.js';
import { verifyBackup } from './verify-backup.js';

let replicating: ThrowawayServer | null = null;
let refusing: ThrowawayServer | null = null;
let initDir: string;
let work: string;

beforeAll(async () => {
  initDir = await mkdtemp(join(tmpdir(), 'pgr-bb-init-'));
  await chmod(initDir, 0o755);
  // Sourced by the image's entrypoint (not executable), after initdb, before the server listens.
  await writeFile(
    join(initDir, '00-replication.sh'),
    `printf 'host replication all all scram-sha-256\\n' >> "$PGDATA/pg_hba.conf"\n`,
    { mode: 0o644 },
  );
  await chmod(join(initDir, '00-replication.sh'), 0o644);
  work = await mkdtemp(join(tmpdir(), 'pgr-bb-'));
  await chmod(work, 0o700);
  replicating = await throwawayServer({ prefix: 'pgr-bb-repl', database: 'ledger', initDir });
  refusing = await throwawayServer({ prefix: 'pgr-bb-norepl', database: 'ledger' });
});

afterAll(async () => {
  const closing = [replicating?.close(), refusing?.close()];
  await Promise.allSettled(closing);
  if (work) await rm(work, { recursive: true, force: true });
  if (initDir) await rm(initDir, { recursive: true, force: true });
  for (const c of closing) await c;
});

const gone = (path: string) =>
  lstat(path).then(
    () => false,
    () => true,
  );

describe('replicationPreflight', () => {
  it("identifies the server over a replication connection when pg_hba has a replication line: production's sysid", async () => {
    const pre = await replicationPreflight(replicating!.target);
    const identity = await serverIdentity(replicating!.target);
    expect(pre.canReplicate).toBe(true);
    expect(pre.replication).toEqual({ ok: true, systemIdentifier: identity.systemIdentifier, timeline: 1 });
    expect(pre.serverVersionNum).toBe(identity.serverVersionNum);
    expect(pre.blockSize).toBe(8192);
    expect(pre.walSegmentSize).toBe(16 * 1024 * 1024);
    expect(pre.walBlockSize).toBe(8192);
    expect(pre.versionString).toMatch(/^PostgreSQL \d+/);
    expect(typeof pre.dataChecksums).toBe('boolean');
    expect(pre.walKeepSize).toMatch(/^\d+/);
  });

  it("reports the server's refusal, naming pg_hba, when it has no replication line", async () => {
    const pre = await replicationPreflight(refusing!.target);
    expect(pre.canReplicate).toBe(true);
    expect(pre.replication.ok).toBe(false);
    if (!pre.replication.ok)
      expect(pre.replication.error).toMatch(/^FATAL: no pg_hba\.conf entry for replication connection/);
  });
});

describe('takeBaseBackup', () => {
  it('copies the cluster into a new 0700 folder that pg_verifybackup verifies, with a CRC32C manifest and its WAL range', async () => {
    const dataDir = join(work, 'copy');
    const progress: [number, number | null][] = [];
    const backup = await takeBaseBackup({
      target: replicating!.target,
      dataDir,
      checkpoint: 'fast',
      maxRate: null,
      manifestChecksums: 'CRC32C',
      onProgress: (b, t) => progress.push([b, t]),
    });
    expect((await stat(dataDir)).mode & 0o777).toBe(0o700);
    expect(backup.manifestPath).toBe(join(dataDir, 'backup_manifest'));
    expect(backup.version).toMatch(/^\d+\.\d+$/);
    expect(backup.versionLine).toContain(backup.version);
    expect(backup.argv.join(' ')).not.toContain(replicating!.target.password);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)![0]).toBeGreaterThan(0);

    const manifest = parseBackupManifest(await readFile(backup.manifestPath, 'utf8'));
    expect(manifest.files).toBeGreaterThan(100);
    expect(manifest.bytes).toBeGreaterThan(1_000_000);
    expect(manifest.checksumAlgorithm).toBe('CRC32C');
    expect(manifest.walRanges.length).toBeGreaterThan(0);
    expect(manifest.walRanges[0]!.timeline).toBe(1);

    const verified = await verifyBackup(dataDir);
    expect(verified).toMatchObject({ ok: true, output: expect.stringMatching(/successfully verified/) });
  });

  it('makes pg_verifybackup fail, naming the file, when a copied file changed', async () => {
    const dataDir = join(work, 'corrupted');
    await takeBaseBackup({
      target: replicating!.target,
      dataDir,
      checkpoint: 'spread',
      maxRate: null,
      manifestChecksums: 'SHA256',
    });
    const manifest = parseBackupManifest(await readFile(join(dataDir, 'backup_manifest'), 'utf8'));
    expect(manifest.checksumAlgorithm).toBe('SHA256');
    const db = (await readdir(join(dataDir, 'base'))).sort()[0]!;
    const file = (await readdir(join(dataDir, 'base', db))).find((f) => /^\d+$/.test(f))!;
    await appendFile(join(dataDir, 'base', db, file), Buffer.from([0]));

    const verified = await verifyBackup(dataDir);
    expect(verified.ok).toBe(false);
    expect(verified.output).toContain(`base/${db}/${file}`);
  });

  it("refuses with the server's first error line and keeps nothing when pg_hba has no replication line", async () => {
    const dataDir = join(work, 'refused');
    const taking = takeBaseBackup({
      target: refusing!.target,
      dataDir,
      checkpoint: 'fast',
      maxRate: null,
      manifestChecksums: 'CRC32C',
    });
    await expect(taking).rejects.toBeInstanceOf(BaseBackupError);
    await expect(taking).rejects.toThrow(/FATAL: no pg_hba\.conf entry for replication connection/);
    expect(await gone(dataDir)).toBe(true);
  });

  it('ends pg_basebackup and keeps nothing when interrupted', { timeout: 30_000 }, async () => {
    const dataDir = join(work, 'interrupted');
    const abort = new AbortController();
    const taking = takeBaseBackup({
      target: replicating!.target,
      dataDir,
      checkpoint: 'fast',
      maxRate: '32k',
      manifestChecksums: 'CRC32C',
      signal: abort.signal,
    });
    // At 32 kB/s the copy takes minutes: a signal a second in lands while it runs.
    setTimeout(() => abort.abort(new InterruptedError('SIGINT')), 1000);
    await expect(taking).rejects.toBeInstanceOf(InterruptedError);
    expect(await gone(dataDir)).toBe(true);
  });
});
