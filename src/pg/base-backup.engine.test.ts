// The physical copy against real servers: the replication preflight on a server whose pg_hba lets
// the tool's superuser replicate and on one that does not; a base backup verified by
// pg_verifybackup and its manifest read; a corrupted file found; a refused or interrupted backup
// keeps nothing.
import { appendFile, chmod, lstat, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../engine/index.js';
import { eventually } from '../test-support/docker.js';
import { InterruptedError } from '../errors.js';
import { throwawayServer, type ThrowawayServer } from '../test-support/throwaway-server.js';
import { parseBackupManifest } from './backup-manifest.js';
import { BaseBackupError } from './base-backup-error.js';
import { takeBaseBackup } from './base-backup.js';
import { queryRows, serverIdentity } from './identity.js';
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
    // The connection pg_basebackup uses runs no SQL: the server's own refusal is the proof.
    expect(pre.sqlRefusal).toMatch(/^ERROR: +cannot execute SQL commands in WAL sender for physical replication/);
  });

  it("reports the server's refusal, naming pg_hba, when it has no replication line", async () => {
    const pre = await replicationPreflight(refusing!.target);
    expect(pre.canReplicate).toBe(true);
    expect(pre.replication.ok).toBe(false);
    if (!pre.replication.ok)
      expect(pre.replication.error).toMatch(/^FATAL: no pg_hba\.conf entry for replication connection/);
    expect(pre.sqlRefusal).toBeNull();
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

  it("ends pg_basebackup and its WAL receiver when the tool's process is killed", { timeout: 60_000 }, async () => {
    const dataDir = join(work, 'orphaned');
    const app = `pg-rehearse orphan test ${process.pid}`;
    // The tool's side in a process of its own, killed with SIGKILL (no handler runs) while the copy goes on at 32 kB/s.
    const script = `const { takeBaseBackup } = await import(${JSON.stringify(join(PACKAGE_ROOT, 'dist', 'pg', 'base-backup.js'))});
      const o = JSON.parse(process.env.PGR_TEST_BACKUP);
      takeBaseBackup({ ...o, onProgress: () => process.stdout.write('copying\\n') }).catch(() => {});`;
    const tool = execa('node', ['--input-type=module', '-e', script], {
      env: {
        PGR_TEST_BACKUP: JSON.stringify({
          target: replicating!.target,
          dataDir,
          checkpoint: 'fast',
          maxRate: '32k',
          manifestChecksums: 'CRC32C',
          applicationName: app,
        }),
      },
      reject: false,
    });
    const walSenders = async () =>
      (
        await queryRows(
          replicating!.target,
          `select count(*)::int as n from pg_stat_replication where application_name = '${app}'`,
        )
      )[0]!.n as number;
    expect(await eventually(walSenders, (n) => n > 0, 20_000)).toBeGreaterThan(0);
    tool.kill('SIGKILL');
    await tool;
    expect(await eventually(walSenders, (n) => n === 0, 20_000)).toBe(0);
    const left = await execa('pgrep', ['-f', dataDir], { reject: false });
    expect(left.stdout.trim()).toBe('');
  });
});
