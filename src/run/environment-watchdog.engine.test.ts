// The environment watchdog against real containers: the dry-run server paused (`docker pause`)
// while G2's pg_dump streams into G4's restore, or while G5 counts rows, would keep a client
// waiting forever; the run ends INCONCLUSIVE (environment) within seconds, naming the pause and
// when, not as an interruption by a signal, with the closing gates run and nothing left. Teardown
// and the reaper's path (finishRun) remove a paused container.
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRunDir, defaultImage, finishRun, LABEL_RUN_ID, RunJournal } from '../engine/index.js';
import { useDemoWorld } from '../test-support/demo-world-suite.js';
import { countLabelled, docker, uniqueName } from '../test-support/docker.js';
import { packOf, prepareCase, type RehearsalCase } from '../test-support/rehearsal-case.js';
import { Interruption } from './interruption.js';
import { silentProgress, type Progress } from './progress.js';
import { rehearse, type RehearsalResult } from './rehearsal.js';

const NOTHING = { containers: 0, networks: 0, volumes: 0, total: 0 };

describe('environment watchdog (real containers)', () => {
  const demo = useDemoWorld('pgr-wd');
  const { names, runIds } = demo;

  /** Run in-process; the server is paused as the gate `at` starts; `pausedAt` is when the pause was done. */
  async function runPausedAt(
    c: RehearsalCase,
    at: string,
  ): Promise<RehearsalResult & { pausedAt: number | null; endedAt: number }> {
    const interruption = Interruption.install(() => {}, []);
    let paused: Promise<number> | null = null;
    const progress: Progress = {
      ...silentProgress,
      start: (step) =>
        void (
          step.startsWith(`${at} `) &&
          !paused &&
          (paused = docker
            .getContainer(c.envName)
            .pause()
            .then(() => Date.now()))
        ),
    };
    try {
      const result = await rehearse(
        { configFile: c.config, outDir: c.out, keepBackup: false },
        { docker, progress, interruption },
      );
      runIds.push(result.report.run_id);
      return { ...result, pausedAt: paused ? await paused : null, endedAt: Date.now() };
    } finally {
      interruption[Symbol.dispose]();
    }
  }

  async function expectEnvironmentPause(
    r: RehearsalResult & { pausedAt: number | null; endedAt: number },
    c: RehearsalCase,
    gates: string[],
  ): Promise<void> {
    const { report, exitCode } = r;
    expect(r.pausedAt).not.toBeNull();
    expect(exitCode).toBe(3);
    expect(report.execution_status).toBe('INCONCLUSIVE');
    expect(report.failure?.classification).toBe('environment');
    expect(gates).toContain(report.failure!.gate);
    expect(report.failure!.message).toMatch(
      new RegExp(
        `^the dry-run server's container ${c.envName} \\([0-9a-f]{12}\\) is paused \\(seen at \\d{4}-\\d\\d-\\d\\dT\\S+Z\\): the environment watchdog stopped the work in progress`,
      ),
    );
    expect(report.failure!.message).not.toMatch(/interrupted|SIGINT|SIGTERM/);
    expect(report.alerts.join('\n')).not.toMatch(/SIGINT|SIGTERM|SIGHUP/);
    // Seen within seconds of the pause: a poll a second, a grace of two, then the closing gates.
    expect(r.endedAt - r.pausedAt!).toBeLessThan(30_000);
    const status = Object.fromEntries(report.gates.map((g) => [g.id, g.status]));
    expect(status.G7).toBe('PASS');
    expect(status.G8).toBe('PASS');
    expect(report.scenarios.every((s) => s.status === 'NOT_RUN')).toBe(true);
    expect(report.teardown?.complete).toBe(true);
    expect(report.production?.unchanged).toBe(true);
    expect(await countLabelled(report.run_id)).toEqual(NOTHING);
    await expect(docker.getContainer(c.envName).inspect()).rejects.toMatchObject({ statusCode: 404 });
  }

  it("paused while G2's dump streams into G4's restore: INCONCLUSIVE (environment) within seconds, naming the pause; the paused container is torn down", async () => {
    const c = await prepareCase(demo.world, names, await mkdtemp(join(demo.work, 'case-')));
    const r = await runPausedAt(c, 'G2');
    await expectEnvironmentPause(r, c, ['G2', 'G4']);
    // The inner gate carries the fault, the restore it streamed into is stopped by it.
    if (r.report.failure!.gate === 'G2') expect(r.report.gates.find((g) => g.id === 'G4')!.status).toBe('NOT_RUN');
  });

  it('paused while G5 counts rows: INCONCLUSIVE (environment) at G5 within seconds, naming the pause', async () => {
    const c = await prepareCase(demo.world, names, await mkdtemp(join(demo.work, 'case-')));
    const r = await runPausedAt(c, 'G5');
    await expectEnvironmentPause(r, c, ['G5']);
    // The row counts left waiting on the paused server end once it is unpaused for teardown: they write nothing into the report.
    expect(r.report.table_matrix ?? null).toBeNull();
  });

  it('killed under a long step: the step is stopped within seconds, INCONCLUSIVE (environment) naming the dead container, not the system under test', async () => {
    const scenario = `id: S1
title: long step
negative: false
steps:
  - name: wait
    run: ["sh", "-c", "sleep 60"]
    cwd: .
    role: cutter_app
    timeout_ms: 120000
    expect:
      exit_code: 0
deltas: {}
`;
    const { dir, pack } = await packOf(demo.work, { 'S1.yaml': [null, scenario] });
    const c = await prepareCase(demo.world, names, dir, { scenarios: pack });
    const interruption = Interruption.install(() => {}, []);
    let killedAt: Promise<number> | null = null;
    const progress: Progress = {
      ...silentProgress,
      start: (step) =>
        void (
          step.startsWith('S1 ') &&
          (killedAt = new Promise((r) => setTimeout(r, 1_000))
            .then(() => docker.getContainer(c.envName).kill())
            .then(() => Date.now()))
        ),
    };
    try {
      const { report, exitCode } = await rehearse(
        { configFile: c.config, outDir: c.out, keepBackup: false },
        { docker, progress, interruption },
      );
      runIds.push(report.run_id);
      const ended = Date.now();
      expect(killedAt).not.toBeNull();
      expect(ended - (await killedAt!)).toBeLessThan(20_000);
      expect(exitCode).toBe(3);
      expect(report.failure).toMatchObject({ gate: 'S1', scenario: 'S1', classification: 'environment' });
      expect(report.failure!.message).toMatch(
        new RegExp(
          `^the dry-run server's container ${c.envName} \\([0-9a-f]{12}\\) died: it exited with code 137 at \\S+: the environment watchdog stopped the work in progress`,
        ),
      );
      expect(report.teardown?.complete).toBe(true);
      expect(await countLabelled(report.run_id)).toEqual(NOTHING);
    } finally {
      interruption[Symbol.dispose]();
    }
  });

  it("the reaper's path (finishRun) removes a paused container of the run", async () => {
    const root = await mkdtemp(join(demo.work, 'state-'));
    const runId = uniqueName('wd-run');
    const name = uniqueName('pgr-wd-paused');
    await createRunDir(runId, root);
    const journal = await RunJournal.open(runId, new Date(), root);
    await journal.record({ kind: 'container', name, id: null });
    const container = await docker.createContainer({
      name,
      Image: defaultImage(),
      Entrypoint: ['sleep'],
      Cmd: ['300'],
      Labels: { [LABEL_RUN_ID]: runId },
    });
    await journal.record({ kind: 'container', name, id: container.id });
    await container.start();
    await container.pause();
    expect((await container.inspect()).State.Paused).toBe(true);
    const outcome = await finishRun(docker, runId, root);
    expect(outcome?.complete).toBe(true);
    expect(outcome?.resources).toMatchObject([{ kind: 'container', name, action: 'removed', gone: true }]);
    await expect(container.inspect()).rejects.toMatchObject({ statusCode: 404 });
  });
});
