// Environment before blame, against real containers: the dry-run server killed (`docker kill`)
// during a scenario whose step then fails, or paused (`docker pause`) past the step's timeout, or
// killed right after G5 so that only the row counts fail, is INCONCLUSIVE (environment) naming
// what died and when, never a FAIL of the system under test; an SQL assertion on a table that does
// not exist, the server alive, is the pack's (artefact); the runner's network holder killed under a
// failing step (sut.runner: container) is the environment's too, and so is a physical copy's network
// holder killed under one, named before the server it left unreachable. The closing gates still run,
// nothing is left.
import { describe, expect, it } from 'vitest';
import type { Report } from '../config/index.js';
import { useDemoWorld } from '../test-support/demo-world-suite.js';
import { countLabelled, docker, eventually } from '../test-support/docker.js';
import { packOf, prepareCase, type RehearsalCase } from '../test-support/rehearsal-case.js';
import { Interruption } from './interruption.js';
import { silentProgress, type Progress } from './progress.js';
import { rehearse, type RehearsalResult } from './rehearsal.js';

const NOTHING = { containers: 0, networks: 0, volumes: 0, total: 0 };
/** The health check before blame is tested alone: the environment watchdog (its own tests) would see the fault first. */
const NO_WATCHDOG_MS = 3_600_000;

/** A scenario S2 of one `mark` step: its command, its timeout. */
const markScenario = (run: string[], timeoutMs: number) => `id: S2
title: mark
negative: false
steps:
  - name: mark
    run: ${JSON.stringify(run)}
    cwd: .
    role: cutter_app
    env: { CUTTER_SIGNING_KEY: dry-run-signing-key, CUTTER_EXPECTED_ROLE: cutter_app }
    timeout_ms: ${timeoutMs}
    expect:
      exit_code: 0
      stdout: ['^marked 12 entries']
deltas: {}
`;

describe('environment before blame (real containers)', () => {
  const demo = useDemoWorld('pgr-env');
  const { names, runIds } = demo;

  async function caseOf(files: Parameters<typeof packOf>[1]): Promise<RehearsalCase> {
    const { dir, pack } = await packOf(demo.work, files);
    return prepareCase(demo.world, names, dir, { scenarios: pack });
  }

  /** Run in-process; `fault(envName)` is started (not awaited) as scenario `at` starts. */
  async function runWith(
    c: RehearsalCase,
    at: string,
    fault: (envName: string) => Promise<unknown>,
    o: { watchdog: boolean } = { watchdog: false },
  ): Promise<RehearsalResult & { faulted: Promise<unknown> | null }> {
    const interruption = Interruption.install(() => {}, []);
    let faulted: Promise<unknown> | null = null;
    const progress: Progress = {
      ...silentProgress,
      start: (step) => void (step.startsWith(`${at} `) && (faulted = fault(c.envName))),
    };
    try {
      const result = await rehearse(
        { configFile: c.config, outDir: c.out, keepBackup: false },
        { docker, progress, interruption, ...(o.watchdog ? {} : { watchdogIntervalMs: NO_WATCHDOG_MS }) },
      );
      runIds.push(result.report.run_id);
      return { ...result, faulted };
    } finally {
      interruption[Symbol.dispose]();
    }
  }

  /**
   * The closing gates ran and nothing is left. When the server died under scenario `unread`, its
   * write counters could not be read after it: G6 cannot prove its writes and is INCONCLUSIVE, naming it.
   */
  async function expectClosedAndGone(report: Report, envName: string, unread: string | null = null): Promise<void> {
    const status = Object.fromEntries(report.gates.map((g) => [g.id, g.status]));
    expect([status.G6, status.G7, status.G8]).toEqual([unread ? 'INCONCLUSIVE' : 'PASS', 'PASS', 'PASS']);
    if (unread)
      expect(report.gates.find((g) => g.id === 'G6')!.evidence?.failure).toMatch(
        new RegExp(
          `^the writes of ${unread} cannot be proved explained: the write counters after ${unread} could not be read: `,
        ),
      );
    expect(report.production?.unchanged).toBe(true);
    expect(report.teardown?.complete).toBe(true);
    expect(await countLabelled(report.run_id)).toEqual(NOTHING);
    await expect(docker.getContainer(envName).inspect()).rejects.toMatchObject({ statusCode: 404 });
  }

  it('the server killed during a scenario whose step then fails: INCONCLUSIVE (environment), naming the container, its exit code and when; not the system under test', async () => {
    const c = await caseOf({
      'S1.yaml': null,
      'S2.yaml': [
        null,
        markScenario(
          ['sh', '-c', 'sleep 2; exec node --enable-source-maps dist/cli.js mark --batch B-2026-001'],
          30_000,
        ),
      ],
    });
    const { report, exitCode, faulted } = await runWith(c, 'S2', (env) => docker.getContainer(env).kill());
    await faulted;
    expect(exitCode).toBe(3);
    expect(report.execution_status).toBe('INCONCLUSIVE');
    expect(report.failure).toMatchObject({ gate: 'S2', scenario: 'S2', classification: 'environment' });
    expect(report.failure!.message).toMatch(
      new RegExp(
        `^the dry-run server's container ${c.envName} \\([0-9a-f]{12}\\) died: it exited with code 137 at \\d{4}-\\d\\d-\\d\\dT\\S+Z: what was seen meanwhile says nothing of the system under test or the pack \\(step "mark": exit code: expected 0, got [1-9]`,
      ),
    );
    // The step's own record stays, for whoever reads the report.
    expect(report.scenarios.find((s) => s.id === 'S2')!.steps[0]!.exit_code).not.toBe(0);
    expect(report.scenarios.map((s) => [s.id, s.status])).toEqual([
      ['S1', 'PASS'],
      ['S2', 'INCONCLUSIVE'],
    ]);
    await expectClosedAndGone(report, c.envName, 'S2');
  });

  it("the server paused under a step: INCONCLUSIVE (environment), naming the paused container (the watchdog, before the step's timeout); teardown still removes it", async () => {
    const c = await caseOf({
      'S1.yaml': null,
      'S2.yaml': [
        null,
        markScenario(['node', '--enable-source-maps', 'dist/cli.js', 'mark', '--batch', 'B-2026-001'], 4_000),
      ],
    });
    const { report, exitCode, faulted } = await runWith(c, 'S2', (env) => docker.getContainer(env).pause(), {
      watchdog: true,
    });
    await faulted;
    expect(exitCode).toBe(3);
    expect(report.failure).toMatchObject({ gate: 'S2', classification: 'environment' });
    // The environment watchdog sees the pause within a second or two, before the step's timeout; the step's own result is no evidence.
    expect(report.failure!.message).toMatch(
      new RegExp(
        `^the dry-run server's container ${c.envName} \\([0-9a-f]{12}\\) is paused \\(seen at \\S+\\): the environment watchdog stopped the work in progress`,
      ),
    );
    await expectClosedAndGone(report, c.envName);
  });

  it('the server killed right after G5, the step not connecting: the row counts fail, INCONCLUSIVE (environment) naming the dead container', async () => {
    const c = await caseOf({ 'S1.yaml': null, 'S2.yaml': null });
    const { report, exitCode, faulted } = await runWith(c, 'S1', (env) => docker.getContainer(env).kill());
    await faulted;
    expect(exitCode).toBe(3);
    expect(report.failure).toMatchObject({ gate: 'S1', classification: 'environment' });
    expect(report.failure!.message).toMatch(
      /died: it exited with code 137 at .*\(the row counts after S1 could not be read: /,
    );
    await expectClosedAndGone(report, c.envName, 'S1');
  });

  it("the runner's network holder (sut.runner: container) killed under a step that then fails: INCONCLUSIVE (environment), naming the holder", async () => {
    const { dir, pack } = await packOf(demo.work, {
      'S1.yaml': [null, markScenario(['sh', '-c', 'sleep 4; exit 3'], 30_000).replace('id: S2', 'id: S1')],
    });
    const c = await prepareCase(demo.world, names, dir, { scenarios: pack, runner: 'container' });
    // Once the step's container runs (a holder killed before would only keep the step from starting, also the environment's).
    const killUnderStep = async (env: string) => {
      await eventually(
        () =>
          docker
            .getContainer(`${env}-step-1`)
            .inspect()
            .then(
              (i) => i.State.Running,
              () => false,
            ),
        (running) => running,
        30_000,
        100,
      );
      await docker.getContainer(`${env}-int-holder`).kill();
    };
    const { report, exitCode, faulted } = await runWith(c, 'S1', killUnderStep);
    await faulted;
    expect(exitCode).toBe(3);
    expect(report.failure).toMatchObject({ gate: 'S1', classification: 'environment' });
    expect(report.failure!.message).toMatch(
      new RegExp(
        `^the runner's network holder ${c.envName}-int-holder \\([0-9a-f]{12}\\) died: it exited with code 137 at \\S+: what was seen meanwhile says nothing of the system under test or the pack \\(step "mark": exit code: expected 0, got 3`,
      ),
    );
    await expectClosedAndGone(report, c.envName);
  });

  it("a physical copy's network holder killed under a step that then fails: INCONCLUSIVE (environment), naming the holder before the server it left unreachable", async () => {
    const { dir, pack } = await packOf(demo.work, {
      'S1.yaml': [
        null,
        markScenario(
          ['sh', '-c', 'sleep 3; exec node --enable-source-maps dist/cli.js mark --batch B-2026-001'],
          30_000,
        ).replace('id: S2', 'id: S1'),
      ],
    });
    const c = await prepareCase(demo.world, names, dir, {
      scenarios: pack,
      extra: { production: { dsn_file: demo.world.dsnFile, container: names.production, copy: 'physical' } },
    });
    const { report, exitCode, faulted } = await runWith(c, 'S1', (env) => docker.getContainer(`${env}-netns`).kill());
    await faulted;
    expect(exitCode).toBe(3);
    expect(report.failure).toMatchObject({ gate: 'S1', classification: 'environment' });
    expect(report.failure!.message).toMatch(
      new RegExp(
        `^the copy's network holder ${c.envName}-netns \\([0-9a-f]{12}\\) died: it exited with code 137 at \\S+; the dry-run server in ${c.envName} did not answer at \\S+: .*: what was seen meanwhile says nothing of the system under test or the pack \\(step "mark": exit code: expected 0, got [1-9]`,
      ),
    );
    await expectClosedAndGone(report, c.envName, 'S1');
  });

  it('an SQL assertion on a table that does not exist, the server alive: FAIL (artefact) with its SQLSTATE, never the environment', async () => {
    const c = await caseOf({
      'S1.yaml': [
        '      sql: []\n',
        '      sql:\n        - query: "select count(*)::int as n from ledger.no_such_table"\n          rows: [{ n: 0 }]\n',
      ],
    });
    const { report, exitCode } = await runWith(c, 'none', async () => {});
    expect(exitCode).toBe(1);
    expect(report.failure).toMatchObject({ gate: 'S1', classification: 'artefact' });
    expect(report.failure!.message).toContain('did not run (SQLSTATE 42P01)');
    expect(report.failure!.message).toContain('relation "ledger.no_such_table" does not exist');
    await expectClosedAndGone(report, c.envName);
  });
});
