// A run that received a signal is never PASS. In-process, SIGINT, SIGTERM and SIGHUP are delivered
// through the run's Interruption exactly when a gate or scenario starts (its Progress line), for
// every gate, G6-G8 included: that gate is INCONCLUSIVE (environment), the run exits 3, the alerts
// say where it landed, the closing gates still do their work (G7 removes everything, G8 checks
// production) and nothing is left. A second signal while tearing down is recorded, not counted
// twice; an earlier FAIL stays the verdict. Then real signals sent to the built bin.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Report } from '../config/index.js';
import { renderMarkdown } from '../report/index.js';
import { useDemoWorld } from '../test-support/demo-world-suite.js';
import { countLabelled, docker } from '../test-support/docker.js';
import { at, packOf, prepareCase, type RehearsalCase } from '../test-support/rehearsal-case.js';
import { Interruption, type StopSignal } from './interruption.js';
import { silentProgress, type Progress } from './progress.js';
import { rehearse, type RehearsalResult } from './rehearsal.js';

const NOTHING = { containers: 0, networks: 0, volumes: 0, total: 0 };
const SIGNALS: StopSignal[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
// G2 runs inside G4 (a plain dump streams into the restore); S1 is the pack's first scenario.
const POINTS = ['G0', 'G1', 'G2', 'G3', 'G4', 'G5', 'S1', 'G6', 'G7', 'G8'];

describe('a run interrupted by a signal (real containers)', () => {
  const demo = useDemoWorld('pgr-int');
  const { names, runIds } = demo;
  let pack: string;

  beforeAll(async () => {
    ({ pack } = await packOf(demo.work, { 'S1.yaml': null, 'S2.yaml': null }));
  });

  const newCase = async (scenarios = pack): Promise<RehearsalCase> =>
    prepareCase(demo.world, names, await mkdtemp(join(demo.work, 'case-')), { scenarios });

  /** Run in-process; `when(step)` names the signal to deliver as that progress step starts, if any. */
  async function runWith(c: RehearsalCase, when: (step: string) => StopSignal | null): Promise<RehearsalResult> {
    const interruption = Interruption.install(() => {}, []);
    const progress: Progress = {
      ...silentProgress,
      start: (step) => {
        const signal = when(step);
        if (signal) interruption.receive(signal);
      },
    };
    try {
      const result = await rehearse(
        { configFile: c.config, outDir: c.out, keepBackup: false },
        { docker, progress, interruption },
      );
      runIds.push(result.report.run_id);
      return result;
    } finally {
      interruption[Symbol.dispose]();
    }
  }
  const startOf = (id: string) => (step: string) => step.startsWith(`${id} `);

  async function expectNothingLeft(report: Report, envName: string): Promise<void> {
    expect(report.teardown?.complete).toBe(true);
    expect(await countLabelled(report.run_id)).toEqual(NOTHING);
    await expect(docker.getContainer(envName).inspect()).rejects.toMatchObject({ statusCode: 404 });
  }

  for (const point of POINTS) {
    it(`SIGINT, SIGTERM and SIGHUP as ${point} starts: ${point} INCONCLUSIVE (environment), exit 3, the alert names the signal and ${point}; G7 removes everything, G8 checks production`, async () => {
      const cases = await Promise.all(SIGNALS.map(() => newCase()));
      const results = await Promise.all(
        SIGNALS.map((signal, i) => runWith(cases[i]!, (step) => (startOf(point)(step) ? signal : null))),
      );
      for (const [i, signal] of SIGNALS.entries()) {
        const { report, exitCode } = results[i]!;
        const status = Object.fromEntries([...report.gates, ...report.scenarios].map((x) => [x.id, x.status]));
        expect(exitCode, signal).toBe(3);
        expect(report.execution_status, signal).toBe('INCONCLUSIVE');
        expect(report.failure, signal).toMatchObject({
          gate: point,
          scenario: point.startsWith('S') ? point : null,
          classification: 'environment',
        });
        expect(report.failure!.message, signal).toMatch(new RegExp(`^interrupted by ${signal} during ${point}`));
        expect(status[point], signal).toBe('INCONCLUSIVE');
        expect(Object.values(status), signal).not.toContain('FAIL');
        expect(report.alerts[0], signal).toMatch(
          new RegExp(
            `^INTERRUPTED by ${signal} during ${point} .*: ${point} is INCONCLUSIVE \\(environment\\), so the run cannot PASS; the closing gates still ran and teardown completed$`,
          ),
        );
        expect(report.alerts, signal).toHaveLength(1);
        for (const closing of ['G6', 'G7', 'G8'].filter((g) => g !== point))
          expect(status[closing], `${signal} ${closing}`).toBe('PASS');
        // G8 still looked at production wherever G1 had recorded it.
        if (point !== 'G0' && point !== 'G1') expect(report.production?.unchanged, signal).toBe(true);
        await expectNothingLeft(report, cases[i]!.envName);
      }
    });
  }

  it('records a second signal during teardown without counting it again: G6 decides, G7 still removes everything', async () => {
    const c = await newCase();
    const { report, exitCode } = await runWith(c, (step) =>
      startOf('G6')(step) ? 'SIGINT' : step === 'teardown' ? 'SIGTERM' : null,
    );
    expect(exitCode).toBe(3);
    expect(report.failure).toMatchObject({
      gate: 'G6',
      classification: 'environment',
      message: 'interrupted by SIGINT during G6',
    });
    expect(report.gates.find((g) => g.id === 'G7')!.status).toBe('PASS');
    expect(report.alerts).toHaveLength(2);
    expect(report.alerts[0]).toMatch(/^INTERRUPTED by SIGINT during G6 /);
    expect(report.alerts[1]).toMatch(
      /^SIGTERM received again during G7 \(at [^)]+\): recorded, not counted again; the closing gates went on$/,
    );
    const md = renderMarkdown(report);
    for (const alert of report.alerts) expect(md).toContain(`> **${alert}**`);
    expect(md).toContain('The verdict is decided at G6; the environment was torn down by exact name and proved gone.');
    await expectNothingLeft(report, c.envName);
  });

  it('leaves an earlier FAIL the verdict (exit 1), with the interruption in the alerts', async () => {
    const { pack: failing } = await packOf(demo.work, { 'S1.yaml': ['exit_code: 0', 'exit_code: 1'], 'S2.yaml': null });
    const c = await newCase(failing);
    const { report, exitCode } = await runWith(c, (step) => (startOf('G6')(step) ? 'SIGINT' : null));
    expect(exitCode).toBe(1);
    expect(report.execution_status).toBe('FAIL');
    expect(report.failure).toMatchObject({ gate: 'S1', classification: 'sut' });
    expect(report.gates.find((g) => g.id === 'G6')!.status).toBe('INCONCLUSIVE');
    expect(report.alerts[0]).toMatch(/^INTERRUPTED by SIGINT during G6 /);
    await expectNothingLeft(report, c.envName);
  });

  describe('the built bin, sent a real signal', () => {
    /** `rehearse run` in its own process group; `signal` to the process (or its group) once `after` is printed. */
    async function runBin(
      c: RehearsalCase,
      after: RegExp,
      signal: StopSignal,
      group: boolean,
    ): Promise<{ code: number | null; report: Report; stderr: string }> {
      const proc = spawn(process.execPath, [at('bin', 'rehearse.js'), 'run', '--config', c.config, '--out', c.out], {
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, NO_COLOR: '1' },
      });
      let stdout = '';
      let stderr = '';
      let sent = false;
      proc.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
      proc.stderr!.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (!sent && after.test(stderr)) {
          sent = true;
          if (group) process.kill(-proc.pid!, signal);
          else proc.kill(signal);
        }
      });
      const code = await new Promise<number | null>((r) => proc.on('close', (exit) => r(exit)));
      const runId = /run id: (\S+)/.exec(stdout)?.[1];
      if (runId) runIds.push(runId);
      expect(sent, stderr).toBe(true);
      return { code, report: Report.parse(JSON.parse(await readFile(join(c.out, 'report.json'), 'utf8'))), stderr };
    }

    it('SIGINT to the process group (Ctrl-C) after the last scenario: INCONCLUSIVE (environment), exit 3, told on the console', async () => {
      const c = await newCase();
      const { code, report, stderr } = await runBin(c, /^ok +S2 /m, 'SIGINT', true);
      expect(code).toBe(3);
      expect(report).toMatchObject({
        execution_status: 'INCONCLUSIVE',
        exit_code: 3,
        failure: { classification: 'environment' },
      });
      expect(report.failure!.message).toMatch(/^interrupted by SIGINT (during|received before) G[678]/);
      expect(stderr).toContain('SIGINT received: stopping at the current step');
      expect(stderr).toMatch(/!! INTERRUPTED by SIGINT /);
      expect(stderr).toMatch(/execution_status: INCONCLUSIVE at G[678] \(environment\); exit 3/);
      await expectNothingLeft(report, c.envName);
    });

    it('SIGHUP after G6 (as SIGTERM): INCONCLUSIVE (environment), exit 3; teardown completes', async () => {
      const c = await newCase();
      const { code, report } = await runBin(c, /^ok +G6 /m, 'SIGHUP', false);
      expect(code).toBe(3);
      expect(report.failure!.message).toMatch(/^interrupted by SIGHUP (during|received before) G[78]/);
      expect(report.alerts[0]).toMatch(/^INTERRUPTED by SIGHUP /);
      await expectNothingLeft(report, c.envName);
    });

    it('SIGTERM while G7 tears down: INCONCLUSIVE, exit 3; everything removed', async () => {
      const c = await newCase();
      const { code, report } = await runBin(c, /^ok +teardown /m, 'SIGTERM', false);
      expect(code).toBe(3);
      expect(report.execution_status).toBe('INCONCLUSIVE');
      expect(report.failure!.message).toMatch(/^interrupted by SIGTERM (during|received before) G[78]/);
      await expectNothingLeft(report, c.envName);
    });
  });
});
