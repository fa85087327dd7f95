// provision against the real engine: create, ready, query, teardown, proved gone; an exact name
// already taken is refused and left untouched; a slow init script never lets readiness pass early.
import { mkdtemp, readFile, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultImage, finishRun, LABEL_RUN_ID, readRunState } from '../engine/index.js';
import { NameTakenError } from '../errors.js';
import { DEFAULT_READINESS } from '../pg/index.js';
import { containerLogs, countLabelled, docker, execIn, uniqueName } from '../test-support/docker.js';
import { Interruption } from './interruption.js';
import { provision, type ProvisionOutcome } from './provision.js';
import { silentProgress } from './progress.js';

const interruption = () => Interruption.install(() => {}, []);
const opts = (name: string, extra: Partial<Parameters<typeof provision>[0]> = {}) => ({
  name,
  hold: false,
  database: 'rehearse',
  readiness: DEFAULT_READINESS,
  ...extra,
});

// Whatever a failing test leaves is finished by its run id, exactly as a user would.
const started: string[] = [];
afterEach(async () => {
  for (const runId of started.splice(0)) await finishRun(docker, runId);
});

async function provisioned(
  name: string,
  extra: Partial<Parameters<typeof provision>[0]> = {},
): Promise<ProvisionOutcome> {
  const out = await provision(opts(name, extra), { docker, progress: silentProgress, interruption: interruption() });
  if (out.runId) started.push(out.runId);
  return out;
}

async function passwordOf(runId: string): Promise<string> {
  const state = (await readRunState(runId))!;
  return readFile(state.secrets[0]!, 'utf8');
}

describe('provision', () => {
  it('creates an exact-named, labelled environment on 127.0.0.1 that answers queries, and teardown proves it gone', async () => {
    const name = uniqueName('pgr-basic');
    const out = await provisioned(name);
    expect(out.error).toBeNull();
    const env = out.environment!;
    const runId = out.runId!;
    expect(out.readiness!.signal).toBe('tcp-query-stable-postmaster-start');
    expect(out.readiness!.attempts).toBeGreaterThanOrEqual(3);

    const info = await docker.getContainer(name).inspect();
    expect(info.Name).toBe(`/${name}`);
    expect(info.Config.Labels[LABEL_RUN_ID]).toBe(runId);
    expect(info.NetworkSettings.Ports['5432/tcp']).toEqual([{ HostIp: '127.0.0.1', HostPort: String(env.port) }]);
    expect(info.Mounts.filter((m) => m.Type === 'volume')).toEqual([]);
    expect(JSON.stringify(info.Config.Env)).not.toContain(await passwordOf(runId));
    expect(await countLabelled(runId)).toMatchObject({ containers: 1, networks: 1, volumes: 0 });

    const sql = postgres({
      host: env.host,
      port: env.port,
      user: env.user,
      pass: await passwordOf(runId),
      database: env.database,
      max: 1,
    });
    try {
      const [row] = await sql<{ n: number; db: string }[]>`select 40 + 2 as n, current_database() as db`;
      expect(row).toEqual({ n: 42, db: 'rehearse' });
    } finally {
      await sql.end();
    }

    const secret = (await readRunState(runId))!.secrets[0]!;
    const teardown = (await finishRun(docker, runId))!;
    expect(teardown.complete).toBe(true);
    expect(teardown.resources.map((r) => [r.kind, r.name, r.action, r.gone])).toEqual([
      ['container', name, 'removed', true],
      ['network', `${name}-net`, 'removed', true],
    ]);
    await expect(docker.getContainer(name).inspect()).rejects.toMatchObject({ statusCode: 404 });
    await expect(docker.getNetwork(`${name}-net`).inspect()).rejects.toMatchObject({ statusCode: 404 });
    await expect(readFile(secret)).rejects.toThrow(/ENOENT/);
    expect((await countLabelled(runId)).total).toBe(0);
  });

  it('refuses an exact name held by a foreign container, creates nothing, and leaves it untouched', async () => {
    const name = uniqueName('pgr-foreign');
    const foreign = await docker.createContainer({
      name,
      Image: defaultImage(),
      Entrypoint: ['sleep'],
      Cmd: ['300'],
      Labels: { 'io.pg-rehearse.test': 'foreign' },
    });
    try {
      await foreign.start();
      const before = await foreign.inspect();
      const out = await provisioned(name);
      expect(out.error).toBeInstanceOf(NameTakenError);
      expect(out.environment).toBeNull();
      const after = await foreign.inspect();
      expect(after.Id).toBe(before.Id);
      expect(after.State.Running).toBe(true);
      expect(after.State.StartedAt).toBe(before.State.StartedAt);
      await expect(docker.getNetwork(`${name}-net`).inspect()).rejects.toMatchObject({ statusCode: 404 });
      expect((await countLabelled(out.runId!)).total).toBe(0);
    } finally {
      await foreign.remove({ force: true });
    }
  });

  it('refuses an exact network name already taken, leaving that network untouched', async () => {
    const name = uniqueName('pgr-foreign-net');
    const net = await docker.createNetwork({
      Name: `${name}-net`,
      CheckDuplicate: true,
      Labels: { 'io.pg-rehearse.test': 'foreign' },
    });
    try {
      const out = await provisioned(name);
      expect(out.error).toBeInstanceOf(NameTakenError);
      expect((await docker.getNetwork(net.id).inspect()).Name).toBe(`${name}-net`);
      await expect(docker.getContainer(name).inspect()).rejects.toMatchObject({ statusCode: 404 });
    } finally {
      await net.remove();
    }
  });

  it('is not ready while a slow init script runs, though pg_isready and the first "ready" log line already pass', async () => {
    const initDir = await mkdtemp(join(tmpdir(), 'pgr-init-'));
    await chmod(initDir, 0o755);
    const marker = '/var/lib/postgresql/init-finished';
    await writeFile(join(initDir, '10-slow.sh'), `#!/bin/bash\nsleep 6\ntouch ${marker}\n`, { mode: 0o755 });
    const name = uniqueName('pgr-slow');

    const pending = provisioned(name, { initDir });
    // The naive checks, watched while provision waits: they pass before the init script ends.
    const naiveEarly = { pgIsReady: false, logLine: false };
    for (let i = 0; i < 60 && !(naiveEarly.pgIsReady && naiveEarly.logLine); i++) {
      await new Promise((r) => setTimeout(r, 250));
      const c = await docker
        .getContainer(name)
        .inspect()
        .catch(() => null);
      if (!c?.State.Running) continue;
      const done = (await execIn(c.Id, ['test', '-e', marker])).exitCode === 0;
      if (done) break;
      if ((await execIn(c.Id, ['pg_isready', '-q'])).exitCode === 0) naiveEarly.pgIsReady = true;
      if ((await containerLogs(c.Id)).includes('ready to accept connections')) naiveEarly.logLine = true;
    }
    const out = await pending;
    expect(out.error).toBeNull();
    expect(naiveEarly).toEqual({ pgIsReady: true, logLine: true });

    // Ours: at readiness the init script has finished, and the server it found stays the same.
    const env = out.environment!;
    expect((await execIn(env.containerId, ['test', '-e', marker])).exitCode).toBe(0);
    const pass = await passwordOf(out.runId!);
    const startTime = async () => {
      const sql = postgres({ host: env.host, port: env.port, user: env.user, pass, database: env.database, max: 1 });
      try {
        const [r] = await sql<{ t: string }[]>`select pg_postmaster_start_time()::text as t`;
        return r!.t;
      } finally {
        await sql.end();
      }
    };
    expect(await startTime()).toBe(out.readiness!.postmasterStart);
    await new Promise((r) => setTimeout(r, 5000));
    expect(await startTime()).toBe(out.readiness!.postmasterStart);
  });
});
