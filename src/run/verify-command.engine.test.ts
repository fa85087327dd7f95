// `rehearse verify` on a physical copy's report whose base backup was kept: a real pg_basebackup of
// a throwaway server (its pg_hba.conf given the replication line of the demo's production), a
// report of the fixture's shape written the way a run writes it, then the built bin: it passes,
// fails naming the file when one data file of the backup changed, fails on the sha256 when the
// backup_manifest changed, and says plainly when the backup was not kept.
import {
  appendFile,
  chmod,
  copyFile,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  truncate,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../engine/index.js';
import { sha256File } from '../evidence/index.js';
import { takeBaseBackup } from '../pg/index.js';
import { writeReport } from '../report/index.js';
import { finish, passDraft } from '../test-support/report-fixture.js';
import { throwawayServer, type ThrowawayServer } from '../test-support/throwaway-server.js';
import { rehearseCli } from '../test-support/rehearse-cli.js';

const CONFIG = join(PACKAGE_ROOT, 'fixtures', 'demo', 'rehearse-physical.yaml');

let server: ThrowawayServer | null = null;
let work: string;
let initDir: string;
let dataDir: string;
let manifestSha: string;

beforeAll(async () => {
  initDir = await mkdtemp(join(tmpdir(), 'pgr-verify-init-'));
  await chmod(initDir, 0o755);
  const init = join(initDir, '00-allow-replication.sh');
  await copyFile(join(PACKAGE_ROOT, 'fixtures', 'production', 'allow-replication.sh'), init);
  await chmod(init, 0o644);
  work = await mkdtemp(join(tmpdir(), 'pgr-verify-'));
  await chmod(work, 0o700);
  server = await throwawayServer({ prefix: 'pgr-verify', database: 'ledger', initDir });
  dataDir = join(work, 'backup', 'data');
  await mkdir(join(work, 'backup'), { mode: 0o700 });
  const backup = await takeBaseBackup({
    target: server.target,
    dataDir,
    checkpoint: 'fast',
    maxRate: null,
    manifestChecksums: 'SHA256',
  });
  manifestSha = await sha256File(backup.manifestPath);
});

afterAll(async () => {
  const closing = server?.close();
  await Promise.allSettled([closing]);
  if (work) await rm(work, { recursive: true, force: true });
  if (initDir) await rm(initDir, { recursive: true, force: true });
  await closing;
});

/** A physical copy's PASS report of the fixture's shape, its backup the one taken above, its config the demo's real one. */
async function writePhysicalReport(name: string, kept: boolean): Promise<string> {
  const draft = passDraft();
  const backup = {
    ...draft.backup!,
    kind: 'physical' as const,
    format: 'physical' as const,
    path: dataDir,
    kept,
    sha256: manifestSha,
    content_sha256: manifestSha,
    manifest_sha256: manifestSha,
    verified: true,
    pg_dump_version: null,
    pg_dump_where: null,
  };
  const configSha = await sha256File(CONFIG);
  const artefacts = [
    { kind: 'config', path: 'rehearse-physical.yaml', sha256: configSha, pinned: configSha, ok: true, real_path: null },
  ];
  const report = finish({ ...draft, backup, artefacts, config: { path: CONFIG, sha256: configSha } });
  const out = join(work, name);
  await mkdir(out);
  return (await writeReport(out, report)).json;
}

async function verify(report: string): Promise<{ code: number | null; output: string }> {
  return rehearseCli(['verify', report]);
}

describe('rehearse verify on a kept physical backup', () => {
  it('re-runs pg_verifybackup and matches the manifest sha256: exit 0', async () => {
    const r = await verify(await writePhysicalReport('intact', true));
    expect(r.code, r.output).toBe(0);
    expect(r.output).toContain(`ok       backup_manifest sha256 of the kept backup ${dataDir}: ${manifestSha}`);
    expect(r.output).toContain(`ok       pg_verifybackup on the kept backup ${dataDir}: backup successfully verified`);
    expect(r.output).toMatch(/ok +artefact rehearse-physical\.yaml/);
    expect(r.output).toMatch(/all \d+ checks match/);
  });

  it('fails naming the folder and the file when one data file of the backup changed: exit 1', async () => {
    const report = await writePhysicalReport('data-changed', true);
    const db = (await readdir(join(dataDir, 'base'))).sort()[0]!;
    const name = (await readdir(join(dataDir, 'base', db))).find((f) => /^\d+$/.test(f))!;
    const file = join(dataDir, 'base', db, name);
    const size = (await stat(file)).size;
    await appendFile(file, Buffer.from([0]));
    try {
      const r = await verify(report);
      expect(r.code, r.output).toBe(1);
      const line = r.output.split('\n').find((l) => l.includes('pg_verifybackup on the kept backup'));
      expect(line).toMatch(new RegExp(`^MISMATCH pg_verifybackup on the kept backup ${dataDir}: FAILED: `));
      expect(line).toContain(`base/${db}/${name}`);
      // The manifest itself did not change.
      expect(r.output).toContain(`ok       backup_manifest sha256 of the kept backup ${dataDir}`);
      expect(r.output).toMatch(/1 of \d+ checks does not match/);
    } finally {
      await truncate(file, size);
    }
    expect((await verify(report)).code).toBe(0);
  });

  it('fails on the sha256 when the backup_manifest changed: exit 1', async () => {
    const report = await writePhysicalReport('manifest-changed', true);
    const manifest = join(dataDir, 'backup_manifest');
    const original = await readFile(manifest);
    await appendFile(manifest, '\n');
    try {
      const r = await verify(report);
      expect(r.code, r.output).toBe(1);
      const now = await sha256File(manifest);
      expect(r.output).toContain(
        `MISMATCH backup_manifest sha256 of the kept backup ${dataDir}: sha256 MISMATCH: the report records ${manifestSha}, ${manifest} hashes to ${now} now: the manifest was changed after the run`,
      );
    } finally {
      await writeFile(manifest, original);
    }
  });

  it('says a backup that was not kept cannot be re-verified, and still passes the report: exit 0', async () => {
    const r = await verify(await writePhysicalReport('not-kept', false));
    expect(r.code, r.output).toBe(0);
    expect(r.output).toContain(
      `not kept backup ${dataDir}: the base backup cannot be re-verified: it was removed at teardown (the run was not given --keep-backup)`,
    );
    expect(r.output).toContain('re-run with --keep-backup');
    expect(r.output).not.toContain('pg_verifybackup on the kept backup');
    expect(r.output).toMatch(/all \d+ checks match; the backup was not kept, so it was not re-verified/);
  });
});
