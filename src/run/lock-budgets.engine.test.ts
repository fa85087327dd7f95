// Lock budgets against real containers: a step that rewrites a table a scenario's
// `locks.forbid_rewrite` names fails that scenario as the system under test's, naming the table and
// its size; a step that holds ACCESS EXCLUSIVE longer than the run's `locks.max_exclusive_ms` fails
// it with the relation, the mode, the time and the statement. The run stops there, the closing
// gates run, and nothing is left. A plain read blocked longer than `locks.max_blocked_read_ms` (the
// read probe) fails it too, naming the statement it queued behind.
import { describe, expect, it } from 'vitest';
import type { Report } from '../config/index.js';
import { useDemoWorld } from '../test-support/demo-world-suite.js';
import { countLabelled, docker } from '../test-support/docker.js';
import { packOf, prepareCase, type RehearsalCase } from '../test-support/rehearsal-case.js';
import { Interruption } from './interruption.js';
import { silentProgress } from './progress.js';
import { rehearse, type RehearsalResult } from './rehearsal.js';
import { renderMarkdown } from '../report/index.js';

const NOTHING = { containers: 0, networks: 0, volumes: 0, total: 0 };

/** S4 of one step that holds ACCESS EXCLUSIVE on ledger.sweep_log (its owner's) for about 400 ms. */
const HOLDING_S4 = `id: S4
title: hold the sweep log
negative: false
steps:
  - name: hold
    run: [sh, -c, 'psql "$CUTTER_DSN" -X -q -v ON_ERROR_STOP=1 -c begin -c "lock table ledger.sweep_log in access exclusive mode" -c "select pg_sleep(0.4)" -c commit']
    cwd: .
    role: cutter_migrator
    timeout_ms: 30000
    expect:
      exit_code: 0
deltas: {}
`;

describe('lock budgets (real containers)', () => {
  const demo = useDemoWorld('pgr-budget');
  const { names, runIds } = demo;

  async function run(c: RehearsalCase): Promise<RehearsalResult> {
    const interruption = Interruption.install(() => {}, []);
    try {
      const result = await rehearse(
        { configFile: c.config, outDir: c.out, keepBackup: false },
        { docker, progress: silentProgress, interruption },
      );
      runIds.push(result.report.run_id);
      return result;
    } finally {
      interruption[Symbol.dispose]();
    }
  }

  async function expectStoppedAtS4(report: Report): Promise<void> {
    expect(report.scenarios.map((s) => [s.id, s.status])).toEqual([
      ['S1', 'PASS'],
      ['S2', 'PASS'],
      ['S3-neg', 'PASS'],
      ['S4', 'FAIL'],
    ]);
    expect(report.production?.unchanged).toBe(true);
    expect(report.teardown?.complete).toBe(true);
    expect(await countLabelled(report.run_id)).toEqual(NOTHING);
  }

  it("a rewrite of a table the scenario's forbid_rewrite names: FAIL (sut) at that step, naming the table and its size", async () => {
    const { dir, pack } = await packOf(demo.work, {
      'S1.yaml': null,
      'S2.yaml': null,
      'S3-neg.yaml': null,
      'S4.yaml': ['deltas:\n', 'locks:\n  forbid_rewrite: [ledger.*]\ndeltas:\n'],
    });
    const c = await prepareCase(demo.world, names, dir, { scenarios: pack });
    const { report, exitCode } = await run(c);
    expect(exitCode).toBe(1);
    expect(report.execution_status).toBe('FAIL');
    expect(report.failure).toMatchObject({ gate: 'S4', scenario: 'S4', classification: 'sut' });
    expect(report.failure!.message).toMatch(
      /^step "001-sweep-count-bigint" exceeded its lock budget: ledger\.sweep_log was rewritten whole \(\d+\.\d KiB\), which locks\.forbid_rewrite `ledger\.\*` forbids$/,
    );
    expect(report.failure!.lock_budget).toMatchObject({
      budget: 'forbid_rewrite',
      limit: 'ledger.*',
      step: '001-sweep-count-bigint',
      relation: 'ledger.sweep_log',
      breaches: 1,
    });
    expect(report.failure!.lock_budget!.bytes).toBeGreaterThan(8192);
    // The step ran and passed its own checks; the budget stopped the scenario before its next step.
    expect(report.scenarios.find((s) => s.id === 'S4')!.steps.map((s) => s.name)).toEqual(['001-sweep-count-bigint']);
    const md = renderMarkdown(report);
    expect(md).toContain(
      '| lock budget | `locks.forbid_rewrite` `ledger.*`, exceeded in step "001-sweep-count-bigint" |',
    );
    expect(md).toMatch(/\| locked \| ledger\.sweep_log, rewritten whole, \d+\.\d KiB \|/);
    await expectStoppedAtS4(report);
  });

  it("ACCESS EXCLUSIVE held longer than the run's max_exclusive_ms: FAIL (sut) with the relation, the mode, the time and the statement", async () => {
    const { dir, pack } = await packOf(demo.work, {
      'S1.yaml': null,
      'S2.yaml': null,
      'S3-neg.yaml': null,
      'S4.yaml': [null, HOLDING_S4],
    });
    const c = await prepareCase(demo.world, names, dir, {
      scenarios: pack,
      extra: { locks: { max_exclusive_ms: 100 } },
    });
    const { report, exitCode } = await run(c);
    expect(exitCode).toBe(1);
    expect(report.failure).toMatchObject({ gate: 'S4', scenario: 'S4', classification: 'sut' });
    expect(report.failure!.message).toMatch(
      /^step "hold" exceeded its lock budget: ACCESS EXCLUSIVE on ledger\.sweep_log held \d+ ms \((inferred|both)\), over locks\.max_exclusive_ms 100: `lock table ledger\.sweep_log in access exclusive mode`$/,
    );
    const b = report.failure!.lock_budget!;
    expect(b).toMatchObject({
      budget: 'max_exclusive_ms',
      limit: '100',
      relation: 'ledger.sweep_log',
      mode: 'ACCESS EXCLUSIVE',
    });
    expect(b.held_ms).toBeGreaterThanOrEqual(390);
    expect(b.held_ms).toBeLessThan(5000);
    await expectStoppedAtS4(report);
  });

  it("a plain read blocked longer than the scenario's max_blocked_read_ms (the read probe): FAIL (sut) naming the table, the time and what it queued behind", async () => {
    const { dir, pack } = await packOf(demo.work, {
      'S1.yaml': null,
      'S2.yaml': null,
      'S3-neg.yaml': null,
      'S4.yaml': [null, `${HOLDING_S4}locks: { max_blocked_read_ms: 200 }\n`],
    });
    const c = await prepareCase(demo.world, names, dir, { scenarios: pack });
    const { report, exitCode } = await run(c);
    expect(exitCode).toBe(1);
    expect(report.failure).toMatchObject({ gate: 'S4', scenario: 'S4', classification: 'sut' });
    // The statement that took the lock, not what its backend ran when the read gave up (pg_sleep).
    expect(report.failure!.message).toMatch(
      /^step "hold" exceeded its lock budget: reads of ledger\.sweep_log would have queued \d+ ms behind `lock table ledger\.sweep_log in access exclusive mode`, over locks\.max_blocked_read_ms 200$/,
    );
    const b = report.failure!.lock_budget!;
    expect(b).toMatchObject({ budget: 'max_blocked_read_ms', limit: '200', relation: 'ledger.sweep_log' });
    expect(b.held_ms).toBeGreaterThanOrEqual(250);
    expect(b.held_ms).toBeLessThan(5000);
    await expectStoppedAtS4(report);
  });
});
