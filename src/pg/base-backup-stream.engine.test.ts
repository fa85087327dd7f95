// A streamed base backup against real servers and a real engine: one tar from pg_basebackup into a
// created container's PGDATA, which the prepare script's in-container pg_verifybackup passes;
// a file changed after the copy is found there and no server starts; a failed sink is the
// engine's failure, a refused replication production's; an interruption and the tool's death end
// pg_basebackup (production's WAL sender for it gone).
import { chmod, copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  COPY_DATA_DIR,
  COPY_PARENT_DIR,
  copyStdinInto,
  defaultImage,
  makeFolderInContainer,
  PACKAGE_ROOT,
  physicalPrepareScript,
  readContainerFile,
  VERIFY_FAILED,
  verifyOfLog,
} from '../engine/index.js';
import { dockerCli } from '../engine/docker-cli.js';
import { EnvironmentError, InterruptedError } from '../errors.js';
import { containerLogs, docker, eventually, uniqueName } from '../test-support/docker.js';
import { throwawayServer, type ThrowawayServer } from '../test-support/throwaway-server.js';
import { parseBackupManifest } from './backup-manifest.js';
import { BaseBackupError } from './base-backup-error.js';
import { streamBaseBackup } from './base-backup-stream.js';
import { queryRows } from './identity.js';

let production: ThrowawayServer | null = null;
let refusing: ThrowawayServer | null = null;
let initDir = '';
let work = '';
const containers: string[] = [];

beforeAll(async () => {
  initDir = await mkdtemp(join(tmpdir(), 'pgr-bbs-init-'));
  await chmod(initDir, 0o755);
  const init = join(initDir, '00-allow-replication.sh');
  await copyFile(join(PACKAGE_ROOT, 'fixtures', 'production', 'allow-replication.sh'), init);
  await chmod(init, 0o644);
  work = await mkdtemp(join(tmpdir(), 'pgr-bbs-'));
  await chmod(work, 0o700);
  [production, refusing] = await Promise.all([
    throwawayServer({ prefix: 'pgr-bbs-repl', database: 'ledger', initDir }),
    throwawayServer({ prefix: 'pgr-bbs-norepl', database: 'ledger' }),
  ]);
});

afterAll(async () => {
  const closing = [production?.close(), refusing?.close()];
  await Promise.allSettled([
    ...closing,
    ...containers.map((id) => docker.getContainer(id).remove({ force: true, v: true })),
  ]);
  if (work) await rm(work, { recursive: true, force: true });
  if (initDir) await rm(initDir, { recursive: true, force: true });
  for (const c of closing) await c;
});

/** A created container of the image whose command is the prepare script's verify step (then it stops). */
async function createdCopy(): Promise<string> {
  const script = physicalPrepareScript({ singleUser: {}, server: {}, verify: true }).replace(
    /\nrm -f "\$D\/standby\.signal"[\s\S]*$/,
    "\necho 'verify step done' >&2\n",
  );
  const c = await docker.createContainer({
    name: uniqueName('pgr-bbs-copy'),
    Image: defaultImage(),
    Entrypoint: ['bash', '-c', script],
    Labels: { 'io.pg-rehearse.test': 'base-backup-stream' },
  });
  containers.push(c.id);
  await makeFolderInContainer(c.id, COPY_PARENT_DIR, 'data', work);
  return c.id;
}

const streamInto = (id: string, over: Partial<Parameters<typeof streamBaseBackup>[0]> = {}) =>
  streamBaseBackup({
    target: production!.target,
    sink: copyStdinInto(id, COPY_DATA_DIR),
    sinkName: `container ${id.slice(0, 12)}`,
    work,
    checkpoint: 'fast',
    maxRate: null,
    manifestChecksums: 'CRC32C',
    ...over,
  });

async function startAndWait(id: string): Promise<{ exit: number; log: string }> {
  const c = docker.getContainer(id);
  await c.start();
  const { StatusCode } = (await c.wait()) as { StatusCode: number };
  return { exit: StatusCode, log: await containerLogs(id) };
}

describe('streamBaseBackup into a created container', () => {
  it("lands the whole cluster in PGDATA, its manifest last, and the image's pg_verifybackup passes it", async () => {
    const id = await createdCopy();
    const got = await streamInto(id);
    expect(got.argv.slice(0, 6)).toEqual(['pg_basebackup', '-D', '-', '-Ft', '-X', 'fetch']);
    expect(got.sha256).toMatch(/^[0-9a-f]{64}$/);
    const manifest = parseBackupManifest((await readContainerFile(id, `${COPY_DATA_DIR}/backup_manifest`)).toString());
    expect(manifest.files).toBeGreaterThan(100);
    // The tar holds every file of the manifest and its headers: more bytes than the files alone.
    expect(got.bytes).toBeGreaterThan(manifest.bytes);
    expect(manifest.walRanges[0]?.timeline).toBe(1);
    const { exit, log } = await startAndWait(id);
    expect(exit).toBe(0);
    expect(verifyOfLog(log)).toMatchObject({ ok: true, output: 'backup successfully verified' });
  });

  it('stops the start, naming the file, when a copied file changed after the copy', async () => {
    const id = await createdCopy();
    await streamInto(id);
    const tampered = join(work, 'tampered');
    await rm(tampered, { recursive: true, force: true });
    await execa('mkdir', ['-p', join(tampered, 'data', 'global')]);
    await writeFile(join(tampered, 'data', 'global', 'pg_filenode.map'), Buffer.alloc(512, 1));
    await execa('bash', [
      '-c',
      `tar -C "$1" -cf - data | "$2" cp - "$3"`,
      't',
      tampered,
      dockerCli(),
      `${id}:${COPY_PARENT_DIR}`,
    ]);
    const { exit, log } = await startAndWait(id);
    expect(exit).toBe(1);
    expect(log).toContain(VERIFY_FAILED);
    expect(log).not.toContain('verify step done');
    expect(verifyOfLog(log)).toMatchObject({ ok: false, output: expect.stringContaining('global/pg_filenode.map') });
  });

  it("tells a sink that cannot take the copy as the engine's failure, not production's", async () => {
    const streaming = streamInto('pgr-bbs-no-such-container');
    await expect(streaming).rejects.toBeInstanceOf(EnvironmentError);
    await expect(streaming).rejects.toThrow(
      /cannot stream the base backup into container .* through the engine: .*pgr-bbs-no-such-container/,
    );
  });

  it("tells a refused replication connection as production's, with the server's words", async () => {
    const id = await createdCopy();
    const streaming = streamInto(id, { target: refusing!.target });
    await expect(streaming).rejects.toBeInstanceOf(BaseBackupError);
    await expect(streaming).rejects.toThrow(/no pg_hba\.conf entry for replication connection/);
  });

  it('ends the whole pipeline when interrupted', { timeout: 30_000 }, async () => {
    const id = await createdCopy();
    const abort = new AbortController();
    const app = `pg-rehearse stream interrupt ${process.pid}`;
    const streaming = streamInto(id, { maxRate: '32k', signal: abort.signal, applicationName: app });
    setTimeout(() => abort.abort(new InterruptedError('SIGINT')), 1000);
    await expect(streaming).rejects.toBeInstanceOf(InterruptedError);
    expect(await eventually(walSenders(app), (n) => n === 0, 20_000)).toBe(0);
    const left = await execa('pgrep', ['-f', `${id}:${COPY_DATA_DIR}`], { reject: false });
    expect(left.stdout.trim()).toBe('');
  });

  // Two things end it: its stderr (progress, to the tool) closes, and the pdeathsig guard on bash and on it.
  it("ends pg_basebackup when the tool's process is killed", { timeout: 60_000 }, async () => {
    const id = await createdCopy();
    const app = `pg-rehearse stream orphan ${process.pid}`;
    const script = `const { streamBaseBackup } = await import(${JSON.stringify(join(PACKAGE_ROOT, 'dist', 'pg', 'base-backup-stream.js'))});
      const o = JSON.parse(process.env.PGR_TEST_BACKUP);
      streamBaseBackup({ ...o, onProgress: () => process.stdout.write('copying\\n') }).catch(() => {});`;
    const options = {
      target: production!.target,
      sink: copyStdinInto(id, COPY_DATA_DIR),
      sinkName: 'the test container',
      work,
      checkpoint: 'fast',
      maxRate: '32k',
      manifestChecksums: 'CRC32C',
      applicationName: app,
    };
    const tool = execa('node', ['--input-type=module', '-e', script], {
      env: { PGR_TEST_BACKUP: JSON.stringify(options) },
      reject: false,
    });
    expect(await eventually(walSenders(app), (n) => n > 0, 20_000)).toBeGreaterThan(0);
    tool.kill('SIGKILL');
    await tool;
    expect(await eventually(walSenders(app), (n) => n === 0, 20_000)).toBe(0);
  });
});

/** Production's WAL senders (pg_basebackup's connections) of this application name. */
const walSenders = (app: string) => async () =>
  (
    await queryRows(
      production!.target,
      `select count(*)::int as n from pg_stat_activity where backend_type = 'walsender' and application_name = '${app}'`,
    )
  )[0]!.n as number;
