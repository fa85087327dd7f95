// The rehearsal in-process, gate by gate, against one demo world of its own (an embedded
// production, a protected environment and the example system under test at its fix): a grant
// matrix difference fails at G4 as an artefact defect and still runs G6-G8; each way a scenario
// can fail is a FAIL of the system under test that stops the run there; a PASS report carries the
// table matrix, the SQL verbs, a new system identifier and a dump whose content is reproducible.
// A plain dump streams into the restore: G2 runs inside G4, and a failure of either is told apart.
// Every run must leave nothing carrying its run-id label, and its exact names must answer 404.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import postgres from 'postgres';
import { stringify } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../config/index.js';
import { PACKAGE_ROOT, readRunState, stateRoot } from '../engine/index.js';
import { loadPack, loadWatchedTables } from '../config/index.js';
import { countLabelled, docker, eventually, uniqueName } from '../test-support/docker.js';
import { useDemoWorld } from '../test-support/demo-world-suite.js';
import { holdInTransaction } from '../test-support/held-transaction.js';
import { Interruption } from './interruption.js';
import { pinCommand } from './pin.js';
import { silentProgress } from './progress.js';
import { rehearse, type RehearsalResult } from './rehearsal.js';
import { renderMarkdown } from '../report/index.js';

const at = (...p: string[]) => join(PACKAGE_ROOT, ...p);
const NOTHING = { containers: 0, networks: 0, volumes: 0, total: 0 };

/** The engine's answer for an exact name: 404 when it does not exist. */
async function statusOf(inspect: Promise<unknown>): Promise<number> {
  try {
    await inspect;
    return 200;
  } catch (err) {
    return typeof err === 'object' && err !== null && 'statusCode' in err ? Number(err.statusCode) : -1;
  }
}

describe('rehearse() against a demo world (real containers)', () => {
  const demo = useDemoWorld('pgr-reh');
  const { names, runIds } = demo;

  interface Case {
    config: string;
    envName: string;
    out: string;
  }

  /** A config of its own in a fresh folder (the world's DSN, containers and repository at its fix), pinned. */
  async function prepare(
    o: {
      scenarios?: string;
      grantMatrix?: string;
      roles?: string;
      dsnFile?: string;
      dir?: string;
      lockWaitTimeoutMs?: number;
    } = {},
  ): Promise<Case> {
    const dir = o.dir ?? (await mkdtemp(join(demo.work, 'case-')));
    const envName = uniqueName('pgr-reh-env');
    const config = join(dir, 'rehearse.yaml');
    await writeFile(
      config,
      stringify({
        name: 'rehearsal engine test',
        production: {
          dsn_file: o.dsnFile ?? demo.world.dsnFile,
          container: names.production,
          dump_format: 'plain',
          ...(o.lockWaitTimeoutMs ? { lock_wait_timeout_ms: o.lockWaitTimeoutMs } : {}),
        },
        protected_envs: [names.protected],
        environment: { name: envName, fast_restore: true },
        artefacts: {
          roles: o.roles ?? at('sql', 'roles.sql'),
          grants: at('sql', 'grants.sql'),
          grant_matrix: o.grantMatrix ?? at('sql', 'grant-matrix.yaml'),
          scenarios: o.scenarios ?? at('scenarios'),
          watched_tables: at('scenarios', 'watched-tables.txt'),
        },
        sut: { path: demo.world.repo, accepted_commit: demo.world.shas.fixed, dsn_env: 'CUTTER_DSN', runner: 'host' },
      }),
    );
    expect(await pinCommand(config, silentProgress)).toBe(0);
    return { config, envName, out: join(dir, 'out') };
  }

  /** A pack folder of copies of scenarios/ files, each with at most one edit; an edit that matches nothing is a broken test. */
  async function packOf(
    files: Record<string, [from: string, to: string] | null>,
  ): Promise<{ dir: string; pack: string }> {
    const dir = await mkdtemp(join(demo.work, 'case-'));
    const pack = join(dir, 'pack');
    await mkdir(pack);
    for (const [file, edit] of Object.entries(files)) {
      let text = await readFile(at('scenarios', file), 'utf8');
      if (edit) {
        if (!text.includes(edit[0])) throw new Error(`scenarios/${file} does not contain ${JSON.stringify(edit[0])}`);
        text = text.replace(edit[0], edit[1]);
      }
      await writeFile(join(pack, file), text);
    }
    return { dir, pack };
  }

  async function run(c: Case): Promise<RehearsalResult> {
    const interruption = Interruption.install(() => {}, []);
    try {
      const result = await rehearse(
        { configFile: c.config, outDir: c.out, keepBackup: false },
        { docker, progress: silentProgress, interruption },
      );
      runIds.push(result.report.run_id);
      // The verdict was decided at the report's end time; a signal now is recorded apart and aborts nothing.
      expect(interruption.decidedAt?.toISOString()).toBe(result.report.provenance.ended_at);
      interruption.receive('SIGINT');
      expect(interruption.signal.aborted).toBe(false);
      expect(interruption.afterVerdict.map((s) => s.signal)).toEqual(['SIGINT']);
      return result;
    } finally {
      interruption[Symbol.dispose]();
    }
  }

  /** Teardown proved complete, nothing labelled with the run id, and both exact names answer 404. */
  async function expectGone(report: Report, envName: string): Promise<void> {
    expect(report.teardown?.complete).toBe(true);
    expect(await countLabelled(report.run_id)).toEqual(NOTHING);
    expect(await statusOf(docker.getContainer(envName).inspect())).toBe(404);
    expect(await statusOf(docker.getNetwork(`${envName}-net`).inspect())).toBe(404);
  }

  const statuses = (report: Report) =>
    Object.fromEntries([...report.gates, ...report.scenarios].map((x) => [x.id, x.status]));

  it('fails at G4 as an artefact defect naming the role, object and privilege the grant matrix expects but is not in force; runs no scenario; G6-G8 still run and teardown completes', async () => {
    const dir = await mkdtemp(join(demo.work, 'case-'));
    const matrix = join(dir, 'grant-matrix.yaml');
    const text = await readFile(at('sql', 'grant-matrix.yaml'), 'utf8');
    const edited = text.replace('  ledger.mark: [INSERT, SELECT]', '  ledger.mark: [DELETE, INSERT, SELECT]');
    expect(edited).not.toBe(text);
    await writeFile(matrix, edited);
    const c = await prepare({ dir, grantMatrix: matrix });

    const { report, exitCode } = await run(c);
    expect(exitCode).toBe(1);
    expect(report.execution_status).toBe('FAIL');
    expect(report.failure).toMatchObject({ gate: 'G4', scenario: null, classification: 'artefact' });
    expect(report.failure!.message).toContain('differ from the grant matrix in 1 place:');
    expect(report.failure!.message).toContain('cutter_app DELETE on ledger.mark: expected granted, is not granted');
    expect(report.failure!.sql_rows).toEqual([
      { role: 'cutter_app', object: 'ledger.mark', privilege: 'DELETE', expected: true, actual: false },
    ]);
    const s = statuses(report);
    expect([s.G0, s.G1, s.G2, s.G3, s.G4, s.G5]).toEqual(['PASS', 'PASS', 'PASS', 'PASS', 'FAIL', 'NOT_RUN']);
    expect(report.scenarios).toHaveLength(12);
    expect(report.scenarios.every((x) => x.status === 'NOT_RUN')).toBe(true);
    for (const id of ['G6', 'G7', 'G8']) expect(s[id], id).not.toBe('NOT_RUN');
    expect(report.sql_trace).not.toBeNull();
    expect(report.production?.sysid_post).toBe(report.production?.sysid_pre);
    expect(report.table_matrix).toBeNull();
    await expectGone(report, c.envName);
  });

  describe('a plain dump streamed into the restore (G3, then G4 with G2 inside it)', () => {
    it('runs G3 before G2 and G2 inside G4, and passes with the backup hashed and the restore streamed from it', async () => {
      const c = await prepare();
      const { report, exitCode } = await run(c);
      expect(exitCode).toBe(0);
      const g = Object.fromEntries(report.gates.map((x) => [x.id, x]));
      const at_ = (id: string) => Date.parse(g[id]!.started_at!);
      expect(at_('G3')).toBeLessThan(at_('G2'));
      expect(at_('G4')).toBeLessThanOrEqual(at_('G2'));
      expect(at_('G2') + g.G2!.ms!).toBeLessThanOrEqual(at_('G4') + g.G4!.ms!);
      expect(g.G2!.evidence).toMatchObject({ streamed_into_restore: true, sha256: report.backup!.sha256 });
      expect(g.G4!.evidence).toMatchObject({
        restore_tool: "psql, streamed from G2's pg_dump",
        restore_bytes: report.backup!.bytes,
      });
      expect(report.teardown!.backup_shredded).toBe(true);
      expect(existsSync(join(stateRoot(), 'backups', report.run_id))).toBe(false);
      const md = renderMarkdown(report);
      expect(md).toContain("G2 ran inside G4, after G3: the plain dump streamed into G4's restore as it was written");
      expect(md).toContain(`| G2 | backup | PASS | ${g.G2!.started_at!.slice(11, 23)} |`);
      // The dump's footprint on production: sampled while it ran, its statement among those sent to production.
      expect(report.production!.dump_footprint).toMatchObject({ lock_wait_timeout_ms: 5000, waiters: [], unread: [] });
      expect(report.production!.dump_footprint!.samples).toBeGreaterThanOrEqual(1);
      expect(report.production!.statements.filter((st) => st.startsWith('with dump as ('))).toHaveLength(1);
      expect(report.production!.statements.some((st) => st.includes('--lock-wait-timeout=5000'))).toBe(true);
      expect(md).toContain("Production: the dump's footprint");
      expect(md).toContain('statements sent to production: 12 (read-only)');
      await expectGone(report, c.envName);
    });

    it('a production table another session holds locked stops the dump at its lock wait timeout: G2 INCONCLUSIVE (environment) naming the table; nothing of the tool is left waiting on production', async () => {
      const c = await prepare({ lockWaitTimeoutMs: 1500 });
      const dsn = (await readFile(demo.world.dsnFile, 'utf8')).trim();
      const locker = postgres(dsn, { max: 1, onnotice: () => {} });
      const hold = holdInTransaction(locker, 'lock table ledger.entry in access exclusive mode');
      try {
        const { report, exitCode } = await run(c);
        expect(exitCode).toBe(3);
        expect(report.failure).toMatchObject({ gate: 'G2', classification: 'environment' });
        expect(report.failure!.message).toContain(
          'gave up after its lock wait timeout of 1500 ms waiting for ACCESS SHARE on table ledger.entry',
        );
        const s = statuses(report);
        expect([s.G2, s.G3, s.G4, s.G5]).toEqual(['INCONCLUSIVE', 'PASS', 'NOT_RUN', 'NOT_RUN']);
        expect(report.production!.dump_footprint).toMatchObject({ lock_wait_timeout_ms: 1500, waiters: [] });
        // The sampler's read went in a READ ONLY transaction of its own: no dump proof is needed for it.
        expect(renderMarkdown(report)).toMatch(/statements sent to production: \d+ \(read-only\)/);
        const watcher = postgres(dsn, { max: 1, onnotice: () => {} });
        const [left] = await watcher<
          { n: number }[]
        >`select count(*)::int as n from pg_locks where not granted`.finally(() => watcher.end());
        expect(left!.n).toBe(0);
        await expectGone(report, c.envName);
      } finally {
        await hold.release();
        await locker.end();
      }
    });

    it("a dump that fails is G2 INCONCLUSIVE (environment) naming pg_dump's error; G4 is NOT_RUN, stopped by G2; nothing is left", async () => {
      // A production role that may connect and read the server's identity, not the ledger.
      const dsn = new URL((await readFile(demo.world.dsnFile, 'utf8')).trim());
      const sql = postgres(dsn.href, { max: 1, onnotice: () => {} });
      const role = `pgr_nodump_${Date.now()}`;
      try {
        await sql.unsafe(`create role ${role} login password 'no-dump-${role}'`);
      } finally {
        await sql.end();
      }
      dsn.username = role;
      dsn.password = `no-dump-${role}`;
      const dir = await mkdtemp(join(demo.work, 'case-'));
      const dsnFile = join(dir, 'weak.dsn');
      await writeFile(dsnFile, dsn.href, { mode: 0o600 });
      const c = await prepare({ dir, dsnFile });

      const { report, exitCode } = await run(c);
      expect(exitCode).toBe(3);
      expect(report.execution_status).toBe('INCONCLUSIVE');
      expect(report.failure).toMatchObject({ gate: 'G2', classification: 'environment' });
      expect(report.failure!.message).toContain('permission denied for schema ledger');
      const s = statuses(report);
      expect([s.G0, s.G1, s.G2, s.G3, s.G4, s.G5]).toEqual([
        'PASS',
        'PASS',
        'INCONCLUSIVE',
        'PASS',
        'NOT_RUN',
        'NOT_RUN',
      ]);
      expect(report.gates.find((x) => x.id === 'G4')!.evidence).toMatchObject({ stopped_by: 'G2' });
      expect(report.scenarios.every((x) => x.status === 'NOT_RUN')).toBe(true);
      expect(report.backup).toBeNull();
      await expectGone(report, c.envName);
    });

    it("a restore that fails keeps G2 PASS with the whole dump hashed, and G4 names psql's error; no scenario runs", async () => {
      // Roles SQL that also takes the dump's schema name: the dump's CREATE SCHEMA then fails.
      const dir = await mkdtemp(join(demo.work, 'case-'));
      const roles = join(dir, 'roles.sql');
      await writeFile(roles, `${await readFile(at('sql', 'roles.sql'), 'utf8')}\nCREATE SCHEMA ledger;\n`);
      const c = await prepare({ dir, roles });

      const { report, exitCode } = await run(c);
      expect(exitCode).toBe(3);
      expect(report.failure).toMatchObject({ gate: 'G4', classification: 'environment' });
      expect(report.failure!.message).toMatch(/psql exit 3\): .*schema "ledger" already exists/);
      const s = statuses(report);
      expect([s.G2, s.G3, s.G4, s.G5]).toEqual(['PASS', 'PASS', 'INCONCLUSIVE', 'NOT_RUN']);
      expect(report.backup!.bytes).toBeGreaterThan(300_000);
      expect(report.gates.find((x) => x.id === 'G2')!.evidence).toMatchObject({
        streamed_into_restore: true,
        bytes: report.backup!.bytes,
      });
      expect(report.scenarios.every((x) => x.status === 'NOT_RUN')).toBe(true);
      await expectGone(report, c.envName);
    });
  });

  it('a run killed with SIGKILL (its whole process group) while its streamed dump is in flight leaves nothing: no labelled resource, no backup folder, no state', async () => {
    const c = await prepare();
    // An uncommitted lock on a production table holds pg_dump at its own LOCK TABLE: the backup is in flight.
    const dsn = (await readFile(demo.world.dsnFile, 'utf8')).trim();
    const locker = postgres(dsn, { max: 1, onnotice: () => {} });
    const watcher = postgres(dsn, { max: 1, onnotice: () => {} });
    const hold = holdInTransaction(locker, 'lock table ledger.entry in access exclusive mode');
    try {
      const child = spawn(process.execPath, [at('bin', 'rehearse.js'), 'run', '--config', c.config, '--out', c.out], {
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr!.resume();
      const exited = new Promise<NodeJS.Signals | null>((r) => child.on('exit', (_code, signal) => r(signal)));
      const runId = await eventually(
        async () => /run id: (\S+)/.exec(stdout)?.[1] ?? null,
        (v) => v !== null,
        30_000,
        100,
      );
      runIds.push(runId!);
      const backups = join(stateRoot(), 'backups', runId!);
      const waiting = async () =>
        (
          await watcher<
            { n: number }[]
          >`select count(*)::int as n from pg_stat_activity where application_name like 'pg-rehearse backup %' and wait_event_type = 'Lock'`
        )[0]!.n;
      expect(await eventually(waiting, (n) => n > 0, 60_000, 100)).toBeGreaterThan(0);
      expect(existsSync(backups)).toBe(true);

      process.kill(-child.pid!, 'SIGKILL');
      expect(await exited).toBe('SIGKILL');
      const left = await eventually(
        async () => ({
          labelled: await countLabelled(runId!),
          state: await readRunState(runId!),
          backups: existsSync(backups),
        }),
        (v) => v.labelled.total === 0 && v.state === null && !v.backups,
        30_000,
      );
      expect(left).toEqual({ labelled: NOTHING, state: null, backups: false });
      expect(await statusOf(docker.getContainer(c.envName).inspect())).toBe(404);
    } finally {
      await hold.release();
      await locker.end();
      await watcher.end();
    }
  });

  it('a wrong expected exit code fails the scenario as sut with its command and exit code; later scenarios are NOT_RUN and the environment is gone', async () => {
    const { dir, pack } = await packOf({ 'S1.yaml': ['exit_code: 0', 'exit_code: 1'], 'S2.yaml': null });
    const c = await prepare({ dir, scenarios: pack });
    const { report, exitCode } = await run(c);
    expect(exitCode).toBe(1);
    expect(report.failure).toMatchObject({ gate: 'S1', scenario: 'S1', classification: 'sut', exit_code: 0 });
    expect(report.failure!.command).toEqual(['node', '--enable-source-maps', 'dist/cli.js', 'config']);
    expect(report.failure!.message).toContain('step "config": exit code: expected 1, got 0');
    expect(report.scenarios.map((x) => [x.id, x.status])).toEqual([
      ['S1', 'FAIL'],
      ['S2', 'NOT_RUN'],
    ]);
    await expectGone(report, c.envName);
  });

  it('a stdout pattern that does not match fails the scenario as sut naming the pattern; later scenarios are NOT_RUN and the environment is gone', async () => {
    const { dir, pack } = await packOf({
      'S1.yaml': ['role=cutter_app db=\\S+', 'role=cutter_nobody'],
      'S2.yaml': null,
    });
    const c = await prepare({ dir, scenarios: pack });
    const { report, exitCode } = await run(c);
    expect(exitCode).toBe(1);
    expect(report.failure).toMatchObject({ gate: 'S1', scenario: 'S1', classification: 'sut', exit_code: 0 });
    expect(report.failure!.message).toContain(
      'stdout matches /^config ok role=cutter_nobody/: expected /^config ok role=cutter_nobody/, got "config ok role=cutter_app db=',
    );
    const check = report.scenarios[0]!.steps[0]!.checks.find((x) => !x.ok);
    expect(check).toMatchObject({
      what: 'stdout matches /^config ok role=cutter_nobody/',
      expected: '/^config ok role=cutter_nobody/',
    });
    expect(report.scenarios.map((x) => [x.id, x.status])).toEqual([
      ['S1', 'FAIL'],
      ['S2', 'NOT_RUN'],
    ]);
    await expectGone(report, c.envName);
  });

  it('an SQL assertion whose rows differ fails as sut with the actual rows, at most 5; later scenarios are NOT_RUN and the environment is gone', async () => {
    const query = "select id::int from ledger.entry where batch_id = 'B-2026-001' order by id";
    const { dir, pack } = await packOf({
      'S1.yaml': ['      sql: []\n', `      sql:\n        - query: "${query}"\n          rows: []\n`],
      'S2.yaml': null,
    });
    const c = await prepare({ dir, scenarios: pack });
    const { report, exitCode } = await run(c);
    expect(exitCode).toBe(1);
    expect(report.failure).toMatchObject({ gate: 'S1', scenario: 'S1', classification: 'sut' });
    expect(report.failure!.message).toContain(`the SQL assertion \`${query}\` did not match`);
    // B-2026-001 holds entries 961..972: twelve rows, of which the report keeps the first five.
    expect(report.failure!.sql_rows).toEqual([961, 962, 963, 964, 965].map((id) => ({ id })));
    const check = report.scenarios[0]!.steps[0]!.checks.find((x) => !x.ok);
    expect(check).toMatchObject({ what: `sql: ${query}`, expected: '[]' });
    expect(check?.actual).toContain('(12 rows in all)');
    expect(report.scenarios.map((x) => [x.id, x.status])).toEqual([
      ['S1', 'FAIL'],
      ['S2', 'NOT_RUN'],
    ]);
    await expectGone(report, c.envName);
  });

  it('a wrong row-count delta fails as sut naming the table, the expected and the actual delta; later scenarios are NOT_RUN and the environment is gone', async () => {
    const { dir, pack } = await packOf({ 'S4.yaml': ['ledger.mark: 12', 'ledger.mark: 11'], 'S5.yaml': null });
    const c = await prepare({ dir, scenarios: pack });
    const { report, exitCode } = await run(c);
    expect(exitCode).toBe(1);
    expect(report.failure).toMatchObject({ gate: 'S4', scenario: 'S4', classification: 'sut' });
    expect(report.failure!.message).toMatch(/delta ledger\.mark: expected \+11, got \+12 \(\d+ → \d+\)/);
    expect(report.failure!.message).not.toContain('sweep_log');
    const checkpoint = report.table_matrix?.checkpoints[0];
    expect(checkpoint).toMatchObject({ after: 'S4', ok: false });
    expect(checkpoint?.expected['ledger.mark']).toBe(11);
    expect(checkpoint?.deltas['ledger.mark']).toBe(12);
    expect(report.scenarios.map((x) => [x.id, x.status])).toEqual([
      ['S4', 'FAIL'],
      ['S5', 'NOT_RUN'],
    ]);
    await expectGone(report, c.envName);
  });

  describe('a PASS run', () => {
    let pass: Case;
    let first: Report;

    beforeAll(async () => {
      pass = await prepare();
      const r = await run(pass);
      expect(r.exitCode).toBe(0);
      first = r.report;
    });

    it('records a baseline, one checkpoint per scenario whose deltas are the expected ones, and the final counts', async () => {
      expect(first.execution_status).toBe('PASS');
      const pack = await loadPack(at('scenarios'));
      const watched = await loadWatchedTables(at('scenarios', 'watched-tables.txt'));
      const tm = first.table_matrix!;
      expect(tm.tables).toEqual(watched);
      expect(Object.keys(tm.baseline).sort()).toEqual([...watched].sort());
      expect(tm.checkpoints.map((x) => x.after)).toEqual(pack.map((s) => s.scenario.id));
      let before = tm.baseline;
      for (const [i, { scenario }] of pack.entries()) {
        const expected = Object.fromEntries(watched.map((t) => [t, scenario.negative ? 0 : (scenario.deltas[t] ?? 0)]));
        const cp = tm.checkpoints[i]!;
        expect(cp.expected, scenario.id).toEqual(expected);
        expect(cp.deltas, scenario.id).toEqual(expected);
        expect(cp.ok, scenario.id).toBe(true);
        expect(Object.fromEntries(watched.map((t) => [t, cp.counts[t]! - before[t]!])), scenario.id).toEqual(expected);
        before = cp.counts;
      }
      expect(tm.final).toEqual(tm.checkpoints.at(-1)!.counts);
      // S12 asserts these totals through the cutter itself.
      expect(tm.final).toMatchObject({
        'ledger.mark': 972,
        'ledger.cut': 972,
        'ledger.verify_log': 972,
        'ledger.history': 101,
      });
      await expectGone(first, pass.envName);
    });

    it('traces SELECT, INSERT and UPDATE and nothing forbidden, and gives the dry-run server a system identifier other than production', () => {
      expect(first.sql_trace?.verbs).toEqual(expect.arrayContaining(['SELECT', 'INSERT', 'UPDATE']));
      expect(first.sql_trace?.forbidden).toEqual([]);
      expect(first.env?.sysid).toMatch(/^\d+$/);
      expect(first.production?.sysid_pre).toMatch(/^\d+$/);
      expect(first.env?.sysid).not.toBe(first.production?.sysid_pre);
      expect(first.production?.sysid_post).toBe(first.production?.sysid_pre);
    });

    it('dumps the same content on a second run against the same unchanged production (content_sha256 equal)', async () => {
      const second = await run(pass);
      expect(second.exitCode).toBe(0);
      expect(second.report.run_id).not.toBe(first.run_id);
      expect(second.report.production?.sysid_pre).toBe(first.production?.sysid_pre);
      expect(second.report.production?.start_pre).toBe(first.production?.start_pre);
      expect(second.report.backup?.content_sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(second.report.backup?.content_sha256).toBe(first.backup?.content_sha256);
      // The file's own sha256 may differ (pg_dump writes the run's details into it); both are recorded.
      expect(second.report.backup?.sha256).toMatch(/^[0-9a-f]{64}$/);
      await expectGone(second.report, pass.envName);
    });
  });
});
