// The project's pack in the container runner, against a demo world of its own: the fix PASSes
// S1-S12, and S4's migration step (the cutter's own runner, no psql in the runner image) ran in
// its container as cutter_migrator, its ALTER listed as a rewrite of ledger.sweep_log and allowed.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { useDemoWorld } from '../test-support/demo-world-suite.js';
import { countLabelled, docker, uniqueName } from '../test-support/docker.js';
import { at } from '../test-support/rehearsal-case.js';
import { Interruption } from './interruption.js';
import { pinCommand } from './pin.js';
import { silentProgress } from './progress.js';
import { rehearse } from './rehearsal.js';

describe('the pack in the container runner (real containers)', () => {
  const demo = useDemoWorld('pgr-cpack');

  it('PASSes S1-S12 on the fix, S4 migrating ledger.sweep_log in its step container, nothing forbidden', async () => {
    const dir = await mkdtemp(join(demo.work, 'case-'));
    const config = join(dir, 'rehearse.yaml');
    await writeFile(
      config,
      stringify({
        name: 'container pack engine test',
        production: { dsn_file: demo.world.dsnFile, container: demo.names.production, dump_format: 'plain' },
        protected_envs: [demo.names.protected],
        environment: { name: uniqueName('pgr-cpack-env'), fast_restore: true },
        artefacts: {
          roles: at('sql', 'roles.sql'),
          grants: at('sql', 'grants.sql'),
          grant_matrix: at('sql', 'grant-matrix.yaml'),
          scenarios: at('scenarios'),
          watched_tables: at('scenarios', 'watched-tables.txt'),
        },
        sut: {
          path: demo.world.repo,
          accepted_commit: demo.world.shas.fixed,
          dsn_env: 'CUTTER_DSN',
          runner: 'container',
          container: { install: ['npm', 'install', '--omit=dev', '--no-audit', '--no-fund', '--no-package-lock'] },
        },
      }),
    );
    expect(await pinCommand(config, silentProgress)).toBe(0);
    const interruption = Interruption.install(() => {}, []);
    const { report, exitCode } = await rehearse(
      { configFile: config, outDir: join(dir, 'out'), keepBackup: false },
      { docker, progress: silentProgress, interruption },
    ).finally(() => interruption[Symbol.dispose]());
    demo.runIds.push(report.run_id);
    expect(report.failure).toBeNull();
    expect(exitCode).toBe(0);
    expect(report.sut_runner).toMatchObject({ mode: 'container' });
    expect(report.scenarios.map((s) => s.status)).toEqual(Array(12).fill('PASS'));
    const step = report.scenarios.find((s) => s.id === 'S4')!.steps[0]!;
    expect(step).toMatchObject({ name: '001-sweep-count-bigint', role: 'cutter_migrator', exit_code: 0 });
    expect(step.stdout_tail).toEqual(['migrated migrations/001-sweep-count-bigint.sql']);
    expect(report.sql_trace!.forbidden).toEqual([]);
    expect(report.sql_trace!.rewrites.map((r) => [r.scenario, r.step, r.user, r.tables])).toEqual([
      ['S4', '001-sweep-count-bigint', 'cutter_migrator', ['ledger.sweep_log']],
    ]);
    expect((await countLabelled(report.run_id)).total).toBe(0);
  });
});
