// The rerun cycle against real containers: a FAIL then a PASS run of the example system show
// S6 FAIL -> PASS against the prior report; a cached restore misses, then hits with the same
// verdict; a changed production is a miss; a pruned cache leaves no snapshot of ours.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findSnapshot, listSnapshots, PACKAGE_ROOT, removeSnapshot } from '../engine/index.js';
import type { Report } from '../config/index.js';
import { writeReport } from '../report/index.js';
import { countLabelled, docker, uniqueName } from '../test-support/docker.js';
import { checkoutBuild, startDemoWorld, type DemoWorld } from './demo.js';
import { Interruption } from './interruption.js';
import { pinCommand } from './pin.js';
import { silentProgress } from './progress.js';
import { rehearse } from './rehearsal.js';

describe('the rerun cycle', () => {
  let work: string;
  let world: DemoWorld;
  const keys: string[] = [];

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'pgr-rerun-'));
    world = await startDemoWorld(docker, join(work, 'world'), {
      production: uniqueName('pgr-rr-prod'),
      protected: uniqueName('pgr-rr-protected'),
    });
  });

  afterAll(async () => {
    for (const key of keys) await removeSnapshot(docker, key);
    await world?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  /** A config like the demo's, for this world and this build, pinned. */
  async function config(name: string, acceptedCommit: string): Promise<string> {
    const dir = join(work, name);
    await mkdir(dir, { recursive: true });
    const file = join(dir, 'rehearse.yaml');
    await writeFile(
      file,
      stringify({
        name: `rerun: ${name}`,
        production: { dsn_file: world.dsnFile, container: world.names.production },
        protected_envs: [world.names.protected],
        environment: { name: uniqueName('pgr-rr') },
        artefacts: {
          roles: join(PACKAGE_ROOT, 'sql', 'roles.sql'),
          grants: join(PACKAGE_ROOT, 'sql', 'grants.sql'),
          grant_matrix: join(PACKAGE_ROOT, 'sql', 'grant-matrix.yaml'),
          scenarios: join(PACKAGE_ROOT, 'scenarios'),
          watched_tables: join(PACKAGE_ROOT, 'scenarios', 'watched-tables.txt'),
        },
        sut: { path: world.repo, accepted_commit: acceptedCommit, dsn_env: 'CUTTER_DSN' },
      }),
    );
    expect(await pinCommand(file, silentProgress)).toBe(0);
    return file;
  }

  async function run(configFile: string, out: string, extra: { previous?: string; cache?: boolean } = {}) {
    const result = await rehearse(
      { configFile, outDir: out, keepBackup: false, ...extra },
      { docker, progress: silentProgress, interruption: Interruption.install(() => {}, []) },
    );
    await writeReport(out, result.report);
    expect((await countLabelled(result.report.run_id)).total).toBe(0);
    return result;
  }

  it('shows S6 FAIL -> PASS and S7-S12 NOT_RUN -> PASS when the fix is rehearsed after the defective build', async () => {
    await checkoutBuild(world.repo, world.shas.defective);
    const a = await run(await config('defective', world.shas.defective), join(work, 'a'));
    expect(a.report.execution_status).toBe('FAIL');
    expect(a.report.failure).toMatchObject({ gate: 'S6', scenario: 'S6', classification: 'sut' });
    expect(a.report.scenarios.filter((s) => s.status === 'NOT_RUN').map((s) => s.id)).toEqual([
      'S7',
      'S8',
      'S9',
      'S10',
      'S11',
      'S12',
    ]);
    expectMigrationInS4(a.report);
    await checkoutBuild(world.repo, world.shas.fixed);
    const b = await run(await config('fixed', world.shas.fixed), join(work, 'b'), {
      previous: join(work, 'a', 'report.json'),
    });
    expect(b.report.execution_status).toBe('PASS');
    expect(b.report.scenarios.map((s) => s.status)).toEqual(Array(12).fill('PASS'));
    expectMigrationInS4(b.report);
    const p = b.report.progress!;
    expect(p.prior_status).toBe('FAIL');
    expect(p.failure).toBe('resolved');
    expect(p.prior_failure).toMatchObject({ gate: 'S6', classification: 'sut' });
    expect(p.prior_failure!.exception).toMatch(/^TypeError at src\/phases\.ts:\d+:\d+$/);
    expect(p.scenarios.find((s) => s.id === 'S6')).toMatchObject({
      prior: 'FAIL',
      current: 'PASS',
      change: 'FAIL -> PASS',
    });
    for (const id of ['S7', 'S8', 'S9', 'S10', 'S11', 'S12'])
      expect(p.scenarios.find((s) => s.id === id)).toMatchObject({ prior: 'NOT_RUN', current: 'PASS' });
    expect(p.prior_accepted_commit).toBe(world.shas.defective);
    expect(p.current_accepted_commit).toBe(world.shas.fixed);
    const md = await readFile(join(work, 'b', 'report.md'), 'utf8');
    expect(md).toContain('## Progress against the prior run');
    expect(md).toMatch(/\| S6 \| CUT \| FAIL \| PASS \| \*\*FAIL -> PASS\*\*/);
  });

  /** S4's first step ran the cutter's migration as its owner: one ALTER, a rewrite of ledger.sweep_log, allowed by S4's policy alone. */
  function expectMigrationInS4(report: Report): void {
    const s4 = report.scenarios.find((s) => s.id === 'S4')!;
    expect(s4.status).toBe('PASS');
    expect(s4.steps[0]).toMatchObject({ name: '001-sweep-count-bigint', exit_code: 0 });
    const trace = report.sql_trace!;
    expect(trace.forbidden).toEqual([]);
    expect(trace.per_scenario['S4']).toMatchObject({ ALTER: 1 });
    for (const [id, counts] of Object.entries(trace.per_scenario))
      if (id !== 'S4') expect(counts['ALTER'], id).toBeUndefined();
    expect(trace.rewrites).toEqual([
      {
        scenario: 'S4',
        step: '001-sweep-count-bigint',
        user: 'cutter_migrator',
        tables: ['ledger.sweep_log'],
        text: expect.stringContaining('ALTER TABLE ledger.sweep_log ALTER COLUMN swept_count TYPE bigint'),
      },
    ]);
    expect(trace.policy.scenarios['S4']!.allow).toEqual([
      { verbs: ['ALTER'], kinds: ['ALTER TABLE'], tables: ['ledger.sweep_log'] },
    ]);
    expect(trace.policy.scenarios['S5']!.allow).toEqual([]);
  }

  it('refuses a prior report that fails verify (exit 2, nothing created)', async () => {
    const file = join(work, 'a', 'report.json');
    const edited = join(work, 'edited');
    await mkdir(edited, { recursive: true });
    const text = await readFile(file, 'utf8');
    await writeFile(
      join(edited, 'report.json'),
      text.replace('"execution_status": "FAIL"', '"execution_status": "PASS"'),
    );
    await writeFile(join(edited, 'report.json.sha256'), await readFile(`${file}.sha256`, 'utf8'));
    await expect(
      run(await config('refused', world.shas.fixed), join(work, 'refused'), { previous: join(edited, 'report.json') }),
    ).rejects.toThrow(/fails verify/);
  });

  it('misses, saves a snapshot, then hits with the same verdict and every G4 check; a changed production misses; prune leaves none of ours', async () => {
    await checkoutBuild(world.repo, world.shas.fixed);
    const file = await config('cached', world.shas.fixed);
    // The demo world's production is deterministic, so a snapshot that another run on this machine
    // kept (a user's `npm run demo -- --cache`) would have this key: a comment of this test's own
    // makes production's dump, and so the key, this test's alone.
    await commentOnAccount(`cached by the rerun test ${world.repo}`);
    const first = await run(file, join(work, 'c1'), { cache: true });
    expect(first.report.execution_status).toBe('PASS');
    expect(first.report.env!.cache).toMatchObject({ enabled: true, hit: false, saved: true });
    const key = first.report.env!.cache.key!;
    keys.push(key);
    expect(await findSnapshot(docker, key)).not.toBeNull();

    const second = await run(file, join(work, 'c2'), { cache: true });
    expect(second.report.execution_status).toBe(first.report.execution_status);
    expect(second.report.env!.cache).toMatchObject({ enabled: true, hit: true, key, saved: false });
    expect(second.report.gates.find((g) => g.id === 'G4')).toMatchObject({
      status: 'PASS',
      evidence: { cache_hit: true, grant_differences: 0 },
    });
    expect(second.report.env!.sysid).not.toBe(second.report.production!.sysid_pre);
    expect(second.report.scenarios.every((s) => s.status === 'PASS')).toBe(true);

    // A changed production gives a changed dump, so a new key: a miss and a fresh restore.
    await commentOnAccount(`changed by the rerun test ${world.repo}`);
    const third = await run(file, join(work, 'c3'), { cache: true });
    expect(third.report.backup!.content_sha256).not.toBe(first.report.backup!.content_sha256);
    expect(third.report.env!.cache.hit).toBe(false);
    expect(third.report.env!.cache.key).not.toBe(key);
    keys.push(third.report.env!.cache.key!);

    for (const k of keys) await removeSnapshot(docker, k);
    const left = (await listSnapshots(docker)).filter((s) => keys.includes(s.key));
    expect(left).toEqual([]);
  });

  /** A change of the schema's comments changes production's dump, not the rows the scenarios count. */
  async function commentOnAccount(comment: string): Promise<void> {
    const dsn = (await readFile(world.dsnFile, 'utf8')).trim();
    const sql = postgres(dsn, { max: 1, onnotice: () => {} });
    try {
      await sql.unsafe(`comment on table ledger.account is '${comment.replace(/'/g, "''")}'`);
    } finally {
      await sql.end();
    }
  }
});
