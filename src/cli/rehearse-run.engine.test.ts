// `rehearse run`, `plan` and `pin` as users drive them: the built bin and scripts/demo.mjs against
// real containers. The demo ends PASS and its defective build FAIL at S6, each with a report that
// validates against the shipped JSON Schema; a pin mismatch fails at G0 with nothing provisioned;
// a config error exits 2 naming the file, the line and the key, with no report and nothing created.
// Every run is checked to leave nothing carrying its run-id label, and the side containers of the
// demo worlds are removed by exact name.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// The named export: under NodeNext the default import types as the module namespace, not the class.
import { Ajv2020 } from 'ajv/dist/2020.js';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDsn, Report } from '../config/index.js';
import { findPasswordLiterals } from '../evidence/index.js';
import { finishRun, LABEL_SIDE, PACKAGE_ROOT, removeSideServer } from '../engine/index.js';
import { checkoutBuild, DEMO_NAMES, startDemoWorld, type DemoNames, type DemoWorld } from '../run/demo.js';
import { countLabelled, docker, uniqueName } from '../test-support/docker.js';

const BIN = join(PACKAGE_ROOT, 'bin', 'rehearse.js');
const DEMO = join(PACKAGE_ROOT, 'scripts', 'demo.mjs');
const SCENARIO_IDS = ['S1', 'S2', 'S3-neg', 'S4', 'S5', 'S6', 'S7', 'S8', 'S9', 'S10', 'S11', 'S12'];

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run a node script to its end; output without colour. */
function node(args: string[]): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    proc.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    proc.on('error', reject);
    proc.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
const rehearseCli = (...args: string[]) => node([BIN, ...args]);

const ajv = new Ajv2020({ allErrors: true });
const validateReport = ajv.compile(
  JSON.parse(readFileSync(join(PACKAGE_ROOT, 'schema', 'report.schema.json'), 'utf8')) as object,
);

/** report.json read back: valid against the shipped JSON Schema, then typed by its zod schema. */
async function readReport(outDir: string): Promise<{ report: Report; text: string }> {
  const text = await readFile(join(outDir, 'report.json'), 'utf8');
  const value: unknown = JSON.parse(text);
  const valid = validateReport(value);
  expect(validateReport.errors ?? []).toEqual([]);
  expect(valid).toBe(true);
  return { report: Report.parse(value), text };
}

const runIdOf = (r: Exit) => {
  const m = /^run id: (\S+)$/m.exec(r.stdout);
  if (!m) throw new Error(`no run id printed (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  return m[1]!;
};

/** The engine's answer for an exact name: 404 when it does not exist. */
async function statusOf(inspect: Promise<unknown>): Promise<number> {
  try {
    await inspect;
    return 200;
  } catch (err) {
    return typeof err === 'object' && err !== null && 'statusCode' in err ? Number(err.statusCode) : -1;
  }
}

async function expectNoEnvironment(name: string): Promise<void> {
  expect(await statusOf(docker.getContainer(name).inspect())).toBe(404);
  expect(await statusOf(docker.getNetwork(`${name}-net`).inspect())).toBe(404);
}

/** Side-labelled containers with exactly one of these names. */
async function sideContainersNamed(names: readonly string[]): Promise<string[]> {
  const found = await docker.listContainers({ all: true, filters: { label: [LABEL_SIDE] } });
  return found.flatMap((c) => c.Names.map((n) => n.replace(/^\//, ''))).filter((n) => names.includes(n));
}

const NOTHING = { containers: 0, networks: 0, volumes: 0, total: 0 };

/** The 1-based line of the first line of `file` matching `re`. */
function lineOf(file: string, re: RegExp): number {
  const i = readFileSync(file, 'utf8')
    .split('\n')
    .findIndex((l) => re.test(l));
  if (i < 0) throw new Error(`${re} is not in ${file}`);
  return i + 1;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A rehearsal config against a demo world of the test's own, with absolute artefact paths. */
function worldConfig(
  world: DemoWorld,
  o: { envName: string; commit: string; scenarios?: string; name?: string },
): string {
  const at = (...p: string[]) => join(PACKAGE_ROOT, ...p);
  return stringify({
    name: o.name ?? 'rehearse-run engine test',
    production: { dsn_file: world.dsnFile, container: world.names.production, dump_format: 'plain' },
    protected_envs: [world.names.protected],
    environment: { name: o.envName, fast_restore: true },
    artefacts: {
      roles: at('sql', 'roles.sql'),
      grants: at('sql', 'grants.sql'),
      grant_matrix: at('sql', 'grant-matrix.yaml'),
      scenarios: o.scenarios ?? at('scenarios'),
      watched_tables: at('scenarios', 'watched-tables.txt'),
    },
    sut: { path: world.repo, accepted_commit: o.commit, dsn_env: 'CUTTER_DSN', runner: 'host' },
  });
}

describe('rehearse run, plan and pin (built CLI, real containers)', () => {
  const names: DemoNames = { production: uniqueName('pgr-run-prod'), protected: uniqueName('pgr-run-prot') };
  const runIds: string[] = [];
  let work: string;
  let world: DemoWorld;
  let productionPassword: string;

  /** A fresh folder for one test's config and output. */
  const folder = async (label: string) => mkdtemp(join(work, `${label}-`));

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'pgr-rehearse-run-'));
    world = await startDemoWorld(docker, join(work, 'world'), names);
    // Captured now: the world shreds its DSN file when it closes.
    productionPassword = parseDsn(await readFile(world.dsnFile, 'utf8').then((t) => t.trim()), 'test DSN').password;
  });

  afterAll(async () => {
    // A failed assertion may leave a run unfinished: finish it by its run id, as a user would, then count.
    for (const runId of runIds) if ((await countLabelled(runId)).total > 0) await finishRun(docker, runId);
    await world?.close();
    for (const name of [names.production, names.protected]) await removeSideServer(docker, name);
    expect(
      await sideContainersNamed([names.production, names.protected, DEMO_NAMES.production, DEMO_NAMES.protected]),
    ).toEqual([]);
    for (const runId of runIds) expect(await countLabelled(runId)).toEqual(NOTHING);
    await rm(work, { recursive: true, force: true });
  });

  it('npm run demo ends PASS: exit 0, a schema-valid report with S1-S12 PASS and no null section, its sha256 beside it and printed, report.md with the verdict and the next gate, nothing left', async () => {
    const out = join(await folder('demo-pass'), 'out');
    const r = await node([DEMO, '--out', out]);
    const runId = runIdOf(r);
    runIds.push(runId);
    expect(r.code, r.stderr).toBe(0);

    const { report, text } = await readReport(out);
    expect(report.execution_status).toBe('PASS');
    expect(report.exit_code).toBe(0);
    expect(report.run_id).toBe(runId);
    expect(report.failure).toBeNull();
    expect(report.scenarios.map((s) => [s.id, s.status])).toEqual(SCENARIO_IDS.map((id) => [id, 'PASS']));
    expect(report.gates.map((g) => [g.id, g.status])).toEqual(
      ['G0', 'G1', 'G2', 'G3', 'G4', 'G5', 'G6', 'G7', 'G8'].map((id) => [id, 'PASS']),
    );
    // `progress` is null by design when no prior report was given (--previous).
    const nullSections = Object.entries(report)
      .filter(([key, value]) => key !== 'failure' && key !== 'progress' && value === null)
      .map(([key]) => key);
    expect(nullSections).toEqual([]);

    const sha = createHash('sha256').update(text).digest('hex');
    expect(await readFile(join(out, 'report.json.sha256'), 'utf8')).toBe(`${sha}  report.json\n`);
    expect(r.stdout).toContain(`report sha256: ${sha}\n`);

    // The redacted server log keeps no password literal, the tool's own ALTER ROLE ... PASSWORD included.
    const log = await readFile(join(out, 'dry-run-server.log'), 'utf8');
    expect(log).toMatch(/alter role "cutter_app" password '\[REDACTED\]'/);
    expect(findPasswordLiterals(log)).toEqual([]);
    expect(report.leak_scan!.forms).toContain('password literal');

    const md = await readFile(join(out, 'report.md'), 'utf8');
    expect(md).toContain(`**Verdict: PASS** · exit 0 · run \`${runId}\``);
    expect(md).toMatch(/^## Next gate\n\nPASS: every gate ran and passed/m);

    expect(await countLabelled(runId)).toEqual(NOTHING);
    await expectNoEnvironment('pg-rehearse-demo-dryrun');
    expect(await sideContainersNamed([DEMO_NAMES.production, DEMO_NAMES.protected])).toEqual([]);
  });

  it('npm run demo:container ends PASS with every step in an ephemeral container: its install in an install-phase container, nothing installed on the host, nothing left', async () => {
    const out = join(await folder('demo-container'), 'out');
    const r = await node([DEMO, '--container', '--out', out]);
    const runId = runIdOf(r);
    runIds.push(runId);
    expect(r.code, r.stderr).toBe(0);
    const { report } = await readReport(out);
    expect(report.execution_status).toBe('PASS');
    expect(report.scenarios.map((s) => [s.id, s.status])).toEqual(SCENARIO_IDS.map((id) => [id, 'PASS']));
    expect(report.sut_runner).toMatchObject({
      mode: 'container',
      installed_on_host: false,
      install_exit_code: 0,
      install_command: ['npm', 'install', '--omit=dev', '--no-audit', '--no-fund', '--no-package-lock'],
    });
    expect(report.sut_runner.image).toMatch(/^pg-rehearse\/runner:/);
    expect(report.sut_runner.mounts.some((m) => m.endsWith('-> /sut (read-only)'))).toBe(true);
    // The steps, the install container, the internal network, its holder and the install volume: all gone.
    expect(report.teardown!.complete).toBe(true);
    expect(report.teardown!.resources.map((x) => x.kind).sort()).toEqual(
      expect.arrayContaining(['container', 'network', 'volume']),
    );
    expect(await countLabelled(runId)).toEqual(NOTHING);
    await expectNoEnvironment('pg-rehearse-demo-dryrun');
    expect(await sideContainersNamed([DEMO_NAMES.production, DEMO_NAMES.protected])).toEqual([]);
  });

  it('npm run demo:fail ends FAIL at S6 (sut, a TypeError at src/phases.ts), exit 1, S7-S12 NOT_RUN, schema-valid, nothing left', async () => {
    const out = join(await folder('demo-fail'), 'out');
    const r = await node([DEMO, '--fail', '--out', out]);
    const runId = runIdOf(r);
    runIds.push(runId);
    expect(r.code, r.stderr).toBe(1);

    const { report } = await readReport(out);
    expect(report.execution_status).toBe('FAIL');
    expect(report.failure).toMatchObject({ gate: 'S6', scenario: 'S6', classification: 'sut' });
    expect(report.failure!.exception?.name).toBe('TypeError');
    expect(report.failure!.exception?.location).toMatch(/^src\/phases\.ts:\d+:\d+$/);
    expect(report.failure!.stderr_tail?.some((l) => l.startsWith('TypeError'))).toBe(true);
    expect(report.scenarios.map((s) => s.status)).toEqual([
      ...Array(5).fill('PASS'),
      'FAIL',
      ...Array(6).fill('NOT_RUN'),
    ]);
    expect(r.stderr).toContain('execution_status: FAIL at S6 (sut); exit 1');
    expect(await readFile(join(out, 'report.md'), 'utf8')).toContain('**Verdict: FAIL** at S6, classification `sut`');

    expect(await countLabelled(runId)).toEqual(NOTHING);
    await expectNoEnvironment('pg-rehearse-demo-dryrun');
    expect(await sideContainersNamed([DEMO_NAMES.production, DEMO_NAMES.protected])).toEqual([]);
  });

  it("the defective build's FAIL report keeps a stderr tail with the TypeError, and no line of any output holds production's password", async () => {
    await checkoutBuild(world.repo, world.shas.defective);
    const dir = await folder('defective');
    const config = join(dir, 'rehearse.yaml');
    const envName = uniqueName('pgr-run-defective');
    await writeFile(config, worldConfig(world, { envName, commit: world.shas.defective }));
    expect((await rehearseCli('pin', '--config', config)).code).toBe(0);
    const out = join(dir, 'out');
    const r = await rehearseCli('run', '--config', config, '--out', out);
    const runId = runIdOf(r);
    runIds.push(runId);
    expect(r.code, r.stderr).toBe(1);

    const { report, text } = await readReport(out);
    expect(report.failure).toMatchObject({ gate: 'S6', scenario: 'S6', classification: 'sut', exit_code: 1 });
    expect(report.failure!.command).toEqual([
      'node',
      '--enable-source-maps',
      'dist/cli.js',
      'cut',
      '--batch',
      'B-2026-001',
    ]);
    expect(report.failure!.exception).toMatchObject({
      name: 'TypeError',
      location: expect.stringMatching(/^src\/phases\.ts:\d+:\d+$/),
    });
    const tail = report.failure!.stderr_tail ?? [];
    expect(tail.length).toBeGreaterThan(0);
    expect(tail.some((l) => l.includes('TypeError'))).toBe(true);
    expect(report.scenarios.slice(6).every((s) => s.status === 'NOT_RUN')).toBe(true);
    expect(report.leak_scan?.hits).toBe(0);

    const md = await readFile(join(out, 'report.md'), 'utf8');
    expect(md).toContain('**Verdict: FAIL** at S6, classification `sut`');
    const serverLog = await readFile(join(out, 'dry-run-server.log'), 'utf8');
    const forms = [
      productionPassword,
      encodeURIComponent(productionPassword),
      JSON.stringify(productionPassword).slice(1, -1),
    ];
    const outputs = {
      'report.json': text,
      'report.md': md,
      'dry-run-server.log': serverLog,
      stdout: r.stdout,
      stderr: r.stderr,
    };
    for (const [place, content] of Object.entries(outputs)) {
      const leaking = content.split('\n').filter((line) => forms.some((f) => line.includes(f)));
      expect(leaking, `${place} holds production's password`).toEqual([]);
    }

    expect(await countLabelled(runId)).toEqual(NOTHING);
    await expectNoEnvironment(envName);
  });

  it('plan on a pinned config exits 0, prints the gates, exact names, scenarios and watched tables, and creates nothing', async () => {
    const dir = await folder('plan');
    const config = join(dir, 'rehearse.yaml');
    const envName = uniqueName('pgr-run-plan');
    await writeFile(config, worldConfig(world, { envName, commit: world.shas.fixed }));
    expect((await rehearseCli('pin', '--config', config)).code).toBe(0);
    const p = await rehearseCli('plan', '--config', config);
    expect(p.code, p.stderr).toBe(0);
    expect(p.stdout).toContain(
      'gates: G0 inputs, G1 preflight, G2 backup, G3 provision, G4 restore, G5 baseline, G6 trace, G7 teardown, G8 post-checks',
    );
    expect(p.stdout).toContain(
      'order: G0, G1, G3, G4 (G2 inside it: the dump streams into the restore), G5, S1..Sn, G6, G7, G8 (with --cache: G2, G3, G4 in turn)',
    );
    expect(p.stdout).toContain(`dry-run environment: container ${envName}, network ${envName}-net,`);
    expect(p.stdout).toContain(`protected environments: ${names.protected}`);
    expect(p.stdout).toContain(`(container ${names.production})`);
    expect(p.stdout).toContain(
      'scenarios (12): S1, S2, S3-neg (negative), S4, S5, S6, S7, S8 (negative), S9 (negative), S10, S11, S12',
    );
    expect(p.stdout).toMatch(/^watched tables \(12\): ledger\.account, ledger\.signer, .*ledger\.verify_log$/m);
    expect(p.stdout).not.toMatch(/MISMATCH/);
    expect(p.stdout + p.stderr).not.toContain(productionPassword);
    expect(p.stderr).toContain('nothing was created');
    expect(p.stdout).not.toMatch(/run id:/);
    await expectNoEnvironment(envName);
  });

  it('plan exits 1 naming a scenario file changed since it was pinned; run then FAILs at G0 (artefact), exit 1, provisions nothing and writes its report', async () => {
    const dir = await folder('pin-mismatch');
    const pack = join(dir, 'pack');
    await cp(join(PACKAGE_ROOT, 'scenarios'), pack, { recursive: true });
    const config = join(dir, 'rehearse.yaml');
    const envName = uniqueName('pgr-run-g0');
    await writeFile(config, worldConfig(world, { envName, commit: world.shas.fixed, scenarios: pack }));
    expect((await rehearseCli('pin', '--config', config)).code).toBe(0);
    const s5 = join(pack, 'S5.yaml');
    const text = await readFile(s5, 'utf8');
    await writeFile(s5, text.replace('title: REVIEW', 'title: REVIEW (edited after pinning)'));

    const p = await rehearseCli('plan', '--config', config);
    expect(p.code, p.stderr).toBe(1);
    expect(p.stdout).toMatch(/^ +MISMATCH pack\/S5\.yaml [0-9a-f]{64} \(pinned [0-9a-f]{64}\)$/m);
    expect(p.stdout.match(/MISMATCH/g)).toHaveLength(1);
    expect(p.stderr).toContain('a run would FAIL at G0: 1 artefact differs from its pin');

    const out = join(dir, 'out');
    const r = await rehearseCli('run', '--config', config, '--out', out);
    const runId = runIdOf(r);
    runIds.push(runId);
    expect(r.code, r.stderr).toBe(1);
    const { report } = await readReport(out);
    expect(report.execution_status).toBe('FAIL');
    expect(report.failure).toMatchObject({ gate: 'G0', scenario: null, classification: 'artefact' });
    expect(report.failure!.message).toContain('pack/S5.yaml');
    expect(report.artefacts.filter((a) => !a.ok).map((a) => a.path)).toEqual(['pack/S5.yaml']);
    expect(
      report.gates.filter((g) => ['G1', 'G2', 'G3', 'G4', 'G5'].includes(g.id)).every((g) => g.status === 'NOT_RUN'),
    ).toBe(true);
    expect(report.scenarios.every((s) => s.status === 'NOT_RUN')).toBe(true);
    expect(report.env).toBeNull();
    expect(report.backup).toBeNull();
    expect(report.teardown?.resources).toEqual([]);
    expect(existsSync(join(out, 'report.md'))).toBe(true);
    expect(existsSync(join(out, 'report.json.sha256'))).toBe(true);
    expect(await countLabelled(runId)).toEqual(NOTHING);
    await expectNoEnvironment(envName);
  });

  describe('G1 tells the faults apart, each in its class, with what to do with `run` (config keys, not flags); nothing provisioned', () => {
    /** Pin and run a config of the world, edited by `edit`: the report, the console and the run id. */
    async function preflightRun(
      label: string,
      edit: (yaml: string, dir: string) => Promise<string> | string,
      o: { watchedTables?: string } = {},
    ) {
      const dir = await folder(label);
      const config = join(dir, 'rehearse.yaml');
      const envName = uniqueName(`pgr-g1-${label}`);
      let text = worldConfig(world, { envName, commit: world.shas.fixed });
      if (o.watchedTables) {
        const file = join(dir, 'watched-tables.txt');
        await writeFile(file, o.watchedTables);
        text = text.replace(join(PACKAGE_ROOT, 'scenarios', 'watched-tables.txt'), file);
      }
      await writeFile(config, await edit(text, dir));
      expect((await rehearseCli('pin', '--config', config)).code).toBe(0);
      const out = join(dir, 'out');
      const r = await rehearseCli('run', '--config', config, '--out', out);
      const runId = runIdOf(r);
      runIds.push(runId);
      const { report } = await readReport(out);
      expect(
        report.gates.filter((g) => ['G2', 'G3', 'G4', 'G5'].includes(g.id)).every((g) => g.status === 'NOT_RUN'),
      ).toBe(true);
      expect(report.env).toBeNull();
      expect(await countLabelled(runId)).toEqual(NOTHING);
      await expectNoEnvironment(envName);
      expect(r.stdout + r.stderr + JSON.stringify(report)).not.toContain(productionPassword);
      return { r, report, dir };
    }
    /** A DSN file (0600) of the world's DSN with one part changed. */
    async function dsnVariant(dir: string, change: (u: URL) => void): Promise<string> {
      const url = new URL((await readFile(world.dsnFile, 'utf8')).trim());
      change(url);
      const file = join(dir, 'variant.dsn');
      await writeFile(file, `${url.href}\n`, { mode: 0o600 });
      await chmod(file, 0o600);
      return file;
    }

    it("a watched table production does not have is FAIL `artefact` at G1, at its line of the watched tables file, read from production's catalog in the read-only identity transaction", async () => {
      const watched = await readFile(join(PACKAGE_ROOT, 'scenarios', 'watched-tables.txt'), 'utf8');
      const { r, report, dir } = await preflightRun('missing-table', (t) => t, {
        watchedTables: `${watched.trimEnd()}\nledger.no_such_table\n`,
      });
      const line = watched.trimEnd().split('\n').length + 1;
      expect(r.code, r.stderr).toBe(1);
      expect(report.failure).toMatchObject({ gate: 'G1', classification: 'artefact' });
      expect(report.failure!.message).toContain(
        `production has no table \`ledger.no_such_table\` (${join(dir, 'watched-tables.txt')}:${line})`,
      );
      expect(report.failure!.message).toContain('artefacts.watched_tables');
      expect(report.production!.statements).toEqual(
        expect.arrayContaining(['BEGIN READ ONLY', expect.stringContaining('pg_catalog.pg_class'), 'COMMIT']),
      );
    });

    it('a wrong production password says so (SQLSTATE 28P01), not "does not answer", and names the config key to fix', async () => {
      const { r, report } = await preflightRun('wrong-password', async (t, dir) =>
        t.replace(world.dsnFile, await dsnVariant(dir, (u) => (u.password = 'not-the-password'))),
      );
      expect(r.code, r.stderr).toBe(3);
      expect(report.failure).toMatchObject({ gate: 'G1', classification: 'environment' });
      expect(report.failure!.message).toMatch(/refused the password of user `[a-z_]+` \(SQLSTATE 28P01\)/);
      expect(report.failure!.message).toContain('production.dsn_file');
      expect(report.failure!.message).not.toContain('does not answer');
      expect(report.failure!.message).not.toContain('not-the-password');
    });

    it('a port where nothing listens is "connection refused"', async () => {
      const { r, report } = await preflightRun('refused', async (t, dir) =>
        t.replace(world.dsnFile, await dsnVariant(dir, (u) => (u.port = '1'))),
      );
      expect(r.code, r.stderr).toBe(3);
      expect(report.failure!.message).toContain('nothing accepts connections at 127.0.0.1:1 (connection refused)');
    });

    it('a taken environment name advises `environment.name` in the config, never --name; a missing image `environment.image`, never --image', async () => {
      const taken = await preflightRun('taken', (t) =>
        t.replace(/^(\s+name: )pgr-g1-taken\S*$/m, `$1${names.production}`),
      );
      expect(taken.r.code, taken.r.stderr).toBe(3);
      expect(taken.report.failure!.message).toContain(`a container named \`${names.production}\` already exists`);
      expect(taken.report.failure!.message).toContain('choose another name with `environment.name` in the config');
      expect(taken.report.failure!.message).not.toContain('--name');
      const image = await preflightRun('no-image', (t) =>
        t.replace(/^(\s+)fast_restore: true$/m, '$1fast_restore: true\n$1image: pg-rehearse/no-such-image:1'),
      );
      expect(image.r.code, image.r.stderr).toBe(3);
      expect(image.report.failure!.message).toContain(
        'the image `pg-rehearse/no-such-image:1` is not present in the engine',
      );
      expect(image.report.failure!.message).toContain('`environment.image` in the config');
      expect(image.report.failure!.message).not.toContain('--image');
    });
  });

  describe('a config error exits 2 naming the file, the line and the key; no report, nothing created', () => {
    const FIXTURES = join(PACKAGE_ROOT, 'fixtures', 'bad', 'configs');
    const PACKS = join(PACKAGE_ROOT, 'fixtures', 'bad', 'packs');

    /** Run with a config that must be refused: exit 2, no run id, no report, no environment. */
    async function refused(config: string, envName: string | null): Promise<string> {
      const out = join(await folder('refused'), 'out');
      const r = await rehearseCli('run', '--config', config, '--out', out);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stdout).not.toMatch(/run id:/);
      expect(existsSync(join(out, 'report.json'))).toBe(false);
      if (envName) await expectNoEnvironment(envName);
      return r.stderr;
    }

    it('refuses an accepted_commit that is a branch name, not 40 hex', async () => {
      const file = join(FIXTURES, 'accepted-commit-branch.yaml');
      const stderr = await refused(file, 'pgr-bad-config-accepted-commit');
      expect(stderr).toContain(
        `${file}:${lineOf(file, /^\s+accepted_commit: main$/)}: sut.accepted_commit: a full 40-hex commit sha`,
      );
    });

    it('refuses an unknown key, at its own line and key path', async () => {
      const file = join(FIXTURES, 'unknown-key.yaml');
      const stderr = await refused(file, 'pgr-bad-config-unknown-key');
      expect(stderr).toMatch(/unknown key `colour`/);
      // The line of `colour:` itself (not of the first key of its section), and the key path down to it.
      expect(stderr).toMatch(
        new RegExp(`${escape(file)}:${lineOf(file, /^\s+colour: blue$/)}: environment(\\.colour)?: .*colour`),
      );
    });

    it('refuses a literal password key without echoing its value', async () => {
      const file = join(FIXTURES, 'literal-password.yaml');
      const stderr = await refused(file, 'pgr-bad-config-literal-password');
      expect(stderr).toContain(
        `${file}:${lineOf(file, /^\s+password: /)}: production.password: a literal password is refused`,
      );
      expect(stderr).not.toContain('literal-hunter2');
    });

    it('refuses a DSN carrying a password in a string value without echoing the password', async () => {
      const file = join(FIXTURES, 'dsn-with-password.yaml');
      const stderr = await refused(file, 'pgr-bad-config-dsn-password');
      expect(stderr).toContain(
        `${file}:${lineOf(file, /^\s+dsn_file: postgres:/)}: production.dsn_file: a DSN carrying a password is refused`,
      );
      expect(stderr).not.toContain('dsn-s3cret-pw');
    });

    it('refuses a dsn_file of mode 0644, naming the file, the mode, `chmod 600` and the config key that names it', async () => {
      const dir = await folder('dsn-mode');
      const dsn = join(dir, 'production.dsn');
      await writeFile(dsn, 'postgres://postgres:mode-test-pw@127.0.0.1:5432/ledger\n');
      await chmod(dsn, 0o644);
      const config = join(dir, 'rehearse.yaml');
      const envName = uniqueName('pgr-run-mode');
      await writeFile(config, worldConfig(world, { envName, commit: world.shas.fixed }).replace(world.dsnFile, dsn));
      const stderr = await refused(config, envName);
      expect(stderr).toContain(`\`${dsn}\` has mode 0644, expected 0600`);
      expect(stderr).toContain(`chmod 600 '${dsn}'`);
      expect(stderr).not.toContain('mode-test-pw');
      expect(stderr).toContain(`${config}:${lineOf(config, /^\s+dsn_file: /)}: production.dsn_file`);
    });

    it('refuses a missing config file, naming it', async () => {
      const missing = join(work, 'no-such-folder', 'rehearse.yaml');
      const stderr = await refused(missing, null);
      expect(stderr).toContain(`cannot read the config \`${missing}\` (ENOENT)`);
    });

    it('refuses a scenario with a bad regular expression, at its file, line and key path', async () => {
      const s1 = join(PACKS, 'bad-regex', 'S1.yaml');
      const stderr = await refused(join(FIXTURES, 'bad-regex.yaml'), 'pgr-bad-config-bad-regex');
      expect(stderr).toContain(
        `${s1}:${lineOf(s1, /^\s+stdout: /)}: steps[0].expect.stdout[0]: not a valid regular expression`,
      );
    });

    it('refuses two scenario files with the same number (S3 and S3-neg), at the line of the id', async () => {
      const s3 = join(PACKS, 'duplicate-number', 'S3.yaml');
      const s3neg = join(PACKS, 'duplicate-number', 'S3-neg.yaml');
      expect(lineOf(s3, /^id: /)).toBe(lineOf(s3neg, /^id: /));
      const stderr = await refused(join(FIXTURES, 'duplicate-number.yaml'), 'pgr-bad-config-duplicate-number');
      expect(stderr).toMatch(/S3 has the number 3 of S3-neg|S3-neg has the number 3 of S3\b/);
      expect(stderr).toMatch(new RegExp(`(${escape(s3)}|${escape(s3neg)}):${lineOf(s3, /^id: /)}: id: `));
    });

    it('refuses a step that uses a role not in the grant matrix, at its file, line and key path', async () => {
      const s1 = join(PACKS, 'unknown-role', 'S1.yaml');
      const stderr = await refused(join(FIXTURES, 'unknown-role.yaml'), 'pgr-bad-config-unknown-role');
      expect(stderr).toContain('cutter_admin');
      expect(stderr).toContain(`${s1}:${lineOf(s1, /^\s+role: cutter_admin$/)}: steps[0].role`);
    });
  });
});
