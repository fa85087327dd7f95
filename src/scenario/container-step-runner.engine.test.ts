// The container runner against the real engine, wired as a rehearsal wires it: openRun and
// startServer make the dry-run server, prepareContainerRunner the internal network, the network
// holder and the install volume, runContainerInstall the install, runContainerStep each step; closeRun
// removes all of it by the journal, with no change of its own. The checkout is the example cutter
// (scripts/example-repo) plus two probe scripts and a vendored `postgres`, so that the install needs
// no registry: nothing here sends traffic off this machine.
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Step } from '../config/scenario.js';
import {
  defaultImage,
  defaultRunnerImage,
  DRY_RUN_DB_ALIAS,
  environmentNames,
  findContainerByName,
  findNetworkByName,
  findVolumeByName,
  generatePassword,
  inspectImage,
  LABEL_RUN_ID,
  PACKAGE_ROOT,
  readRunState,
  inContainer,
  PASS_FILE_MOUNT,
  prepareContainerRunner,
  readOnlyWriteNote,
  runnerSteps,
  SUT_MOUNT,
  type ContainerRunner,
  type TeardownOutcome,
} from '../engine/index.js';
import { DEFAULT_READINESS, dsnFor, probe, type PgTarget } from '../pg/index.js';
import { closeRun, openRun, startServer, type OpenRun, type StartedServer } from '../run/dry-run-environment.js';
import { silentProgress } from '../run/progress.js';
import { countLabelled, docker, uniqueName } from '../test-support/docker.js';
import { runContainerInstall, runContainerStep, type ContainerStepContext } from './container-step-runner.js';
import { checkStep, firstFailure } from './expectations.js';
import { loadPack } from '../config/pack.js';
import { MAX_OUTPUT_BYTES } from './output-capture.js';
import type { StepRun } from './step-runner.js';

const execFileP = promisify(execFile);

// A real query through the DSN the step was given, with the `postgres` the install put in node_modules.
// The same query with libpq's variables alone: PGHOST, PGPORT, PGUSER, PGDATABASE and the password file (host:port:*:user:password).
const LIBPQ_QUERY = `
import { readFileSync, statSync } from 'node:fs';
import postgres from 'postgres';
const line = readFileSync(process.env.PGPASSFILE, 'utf8').trim();
const pass = line.split(/(?<!\\\\):/).slice(4).join(':').replace(/\\\\(.)/g, '$1');
const sql = postgres({ host: process.env.PGHOST, port: Number(process.env.PGPORT), user: process.env.PGUSER, database: process.env.PGDATABASE, pass, max: 1, connect_timeout: 5 });
const [row] = await sql\`select current_user as "user", current_database() as db\`;
await sql.end();
console.log(JSON.stringify({ ...row, mode: (statSync(process.env.PGPASSFILE).mode & 0o777).toString(8) }));
`;

const QUERY = `
import postgres from 'postgres';
const sql = postgres(process.env.CUTTER_DSN, { max: 1, connect_timeout: 5 });
const [row] = await sql\`select current_user as "user", current_database() as db, 40 + 2 as n\`;
await sql.end();
console.log(JSON.stringify(row));
`;

function step(run: string[], extra: Partial<Step> = {}): Step {
  return {
    name: 't',
    run,
    cwd: '.',
    role: 'cutter_app',
    env: {},
    timeout_ms: 30_000,
    expect: { exit_code: 0, stdout: [], stderr: [], error: null, sql: [] },
    ...extra,
  };
}

let base: string;
let repo: string;
let root: string;
let runId: string;
let run: OpenRun;
let server: StartedServer;
let runner: ContainerRunner;
let ctx: ContainerStepContext;
let install: StepRun;
const names = environmentNames(uniqueName('pgr-csr'));
const appPassword = generatePassword();
let teardown: TeardownOutcome | null = null;

const target = (role: string): PgTarget => ({
  host: server.env.host,
  port: server.env.port,
  user: role,
  password: role === 'rehearse_tool' ? server.password : appPassword,
  database: server.env.database,
});

beforeAll(async () => {
  await inspectImage(docker, defaultRunnerImage()); // missing: `bash scripts/setup` builds it
  base = await mkdtemp(join(tmpdir(), 'pgr-csr-'));
  repo = join(base, 'repo');
  root = join(base, 'state');
  // The checkout: the example cutter at its accepted commit, built (its node_modules is a symlink
  // to this project's: the install's output hides it), plus what these tests run.
  await execFileP('bash', [join(PACKAGE_ROOT, 'scripts', 'example-repo'), repo]);
  await mkdir(join(repo, 'tools'));
  await writeFile(join(repo, 'tools', 'query.mjs'), QUERY);
  await writeFile(join(repo, 'tools', 'libpq-query.mjs'), LIBPQ_QUERY);
  await cp(join(PACKAGE_ROOT, 'node_modules', 'postgres'), join(repo, 'vendor', 'postgres'), { recursive: true });

  runId = uniqueName('csr-run');
  run = await openRun(runId, new Date(), root);
  server = await startServer(
    docker,
    run,
    { names, image: defaultImage(), database: 'ledger', readiness: DEFAULT_READINESS },
    silentProgress,
    new AbortController().signal,
  );
  const tool = postgres({
    host: server.env.host,
    port: server.env.port,
    user: server.env.user,
    pass: server.password,
    database: server.env.database,
    max: 1,
  });
  try {
    await tool.unsafe(`create role cutter_app login password '${appPassword.replace(/'/g, "''")}'`);
  } finally {
    await tool.end();
  }

  runner = await prepareContainerRunner(docker, run.journal, {
    envName: names.container,
    image: defaultRunnerImage(),
    checkout: repo,
    dryRunContainerId: server.env.containerId,
    secretDir: run.dir,
  });
  install = await runContainerInstall(runnerSteps(docker, run.journal, runner), {
    // what `npm ci` would do, without a registry: fill node_modules, and show the environment it had
    argv: [
      'node',
      '-e',
      "require('fs').cpSync('vendor/postgres', 'node_modules/postgres', { recursive: true }); console.log(JSON.stringify(process.env))",
    ],
    network: names.network,
    timeoutMs: 60_000,
  });
  ctx = {
    containers: runnerSteps(docker, run.journal, runner),
    dsnEnvVar: 'CUTTER_DSN',
    dsnFor: (role) => dsnFor(inContainer(target(role))),
  };
}, 150_000);

afterAll(async () => {
  if (run && !teardown) await closeRun(docker, run, silentProgress);
  if (base) await rm(base, { recursive: true, force: true });
});

describe('the container runner', () => {
  it("installs into the volume from an install container with only PATH, HOME and LANG (no DSN), then hides the checkout's own node_modules", async () => {
    expect(install).toMatchObject({ exitCode: 0, signal: null, timedOut: false, role: 'install', cwd: SUT_MOUNT });
    const env = JSON.parse(install.stdout) as Record<string, string>;
    expect(Object.keys(env).sort()).toEqual(['HOME', 'LANG', 'PATH']);
    expect(install.stdout).not.toContain(appPassword);
    expect(runner.checkout.shadowed).toBe(true);
    const volume = await findVolumeByName(docker, runner.installVolume);
    expect(volume?.labels[LABEL_RUN_ID]).toBe(runId);
  });

  it("gives a step only PATH, HOME, LANG, its role's DSN naming dry-run-db:5432, and its own env; the secret file is shredded after it", async () => {
    process.env.PGR_TOOL_ONLY = 'must not leak';
    let ran: StepRun;
    try {
      ran = await runContainerStep(
        step(['node', '-e', 'process.stdout.write(JSON.stringify(process.env))'], {
          env: { CUTTER_EXPECTED_ROLE: 'cutter_app' },
        }),
        ctx,
      );
    } finally {
      delete process.env.PGR_TOOL_ONLY;
    }
    expect(ran.exitCode, ran.stderr).toBe(0);
    const env = JSON.parse(ran.stdout) as Record<string, string>;
    expect(Object.keys(env).sort()).toEqual([
      'CUTTER_DSN',
      'CUTTER_EXPECTED_ROLE',
      'HOME',
      'LANG',
      'PATH',
      'PGDATABASE',
      'PGHOST',
      'PGPASSFILE',
      'PGPORT',
      'PGUSER',
    ]);
    expect(env).toMatchObject({
      PGHOST: DRY_RUN_DB_ALIAS,
      PGPORT: '5432',
      PGUSER: 'cutter_app',
      PGDATABASE: 'ledger',
      PGPASSFILE: PASS_FILE_MOUNT,
    });
    expect(env).toMatchObject({ HOME: '/tmp', LANG: 'C.UTF-8', PATH: runner.path, CUTTER_EXPECTED_ROLE: 'cutter_app' });
    const dsn = new URL(env.CUTTER_DSN!);
    expect([dsn.hostname, dsn.port, decodeURIComponent(dsn.username), decodeURIComponent(dsn.password)]).toEqual([
      DRY_RUN_DB_ALIAS,
      '5432',
      'cutter_app',
      appPassword,
    ]);
    expect(ran.argv.join(' ')).not.toContain(encodeURIComponent(appPassword));
    const state = (await readRunState(runId, root))!;
    expect(state.secrets.filter((p) => p.endsWith('.pgpass')).length).toBeGreaterThan(0);
    expect((await readdir(run.dir)).filter((f) => f.endsWith('.pgpass'))).toEqual([]);
    const envFiles = state.secrets.filter((p) => p.endsWith('.env'));
    expect(envFiles.length).toBeGreaterThan(0);
    expect((await readdir(run.dir)).filter((f) => f.endsWith('.env'))).toEqual([]);
  });

  it('reaches the dry-run server by its alias with a real query, and the host still reaches it on 127.0.0.1', async () => {
    const ran = await runContainerStep(step(['node', 'tools/query.mjs']), ctx);
    expect(ran.exitCode, ran.stderr).toBe(0);
    expect(JSON.parse(ran.stdout)).toEqual({ user: 'cutter_app', db: 'ledger', n: 42 });
    const fromHost = await probe({
      host: '127.0.0.1',
      port: server.env.port,
      user: server.env.user,
      password: server.password,
      database: 'ledger',
    });
    expect(fromHost.ok).toBe(true);
  });

  it("connects with libpq's variables and the 0600 password file alone, as psql would", async () => {
    const ran = await runContainerStep(step(['node', 'tools/libpq-query.mjs'], { env: { CUTTER_DSN: 'unused' } }), ctx);
    expect(ran.stderr).toBe('');
    expect(JSON.parse(ran.stdout)).toEqual({ user: 'cutter_app', db: 'ledger', mode: '600' });
  });

  it('has no default route and no way out but the internal network', async () => {
    const ran = await runContainerStep(
      step(['node', '-e', "console.log(require('fs').readFileSync('/proc/net/route', 'utf8'))"]),
      ctx,
    );
    const routes = ran.stdout
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.trim().split(/\s+/));
    expect(routes.length).toBeGreaterThan(0);
    expect(routes.filter((f) => f[1] === '00000000')).toEqual([]);
  });

  it('fails a step that writes into the read-only checkout, with EROFS in its stderr and a note saying why', async () => {
    const before = await readFile(join(repo, 'dist', 'cli.js'), 'utf8');
    const ran = await runContainerStep(
      step(['node', '-e', "require('fs').writeFileSync('dist/cli.js', 'changed')"]),
      ctx,
    );
    expect(ran.exitCode).toBe(1);
    expect(ran.stderr).toMatch(/EROFS: read-only file system, open 'dist\/cli\.js'/);
    expect(readOnlyWriteNote(ran)).toMatch(/mounted read-only/);
    expect(firstFailure(checkStep(step([]).expect, ran))).toMatchObject({
      what: 'exit code',
      expected: '0',
      actual: '1',
    });
    expect(await readFile(join(repo, 'dist', 'cli.js'), 'utf8')).toBe(before);
  });

  it('records exit code, both streams, the folder, timings and role as runStep does', async () => {
    const ran = await runContainerStep(
      step(['node', '-e', 'console.log(process.cwd()); console.error("ConfigMismatch: no"); process.exitCode = 3'], {
        cwd: 'src',
      }),
      ctx,
    );
    expect(ran).toMatchObject({
      exitCode: 3,
      signal: null,
      timedOut: false,
      canceled: false,
      cwd: `${SUT_MOUNT}/src`,
      role: 'cutter_app',
      stdout: `${SUT_MOUNT}/src\n`,
      stderr: 'ConfigMismatch: no\n',
    });
    expect(ran.truncated).toEqual({ stdout: false, stderr: false });
    expect(Date.parse(ran.startedAt)).not.toBeNaN();
    expect(ran.ms).toBeGreaterThan(0);
    const missing = await runContainerStep(step(['node', '-e', '0'], { cwd: 'no-such-folder' }), ctx);
    expect(missing).toMatchObject({ exitCode: null, signal: null });
    expect(missing.stderr).toMatch(/could not start: .*no-such-folder/);
    const notFound = await runContainerStep(step(['pgr-no-such-program']), ctx);
    expect(notFound.exitCode).toBe(127);
    expect(notFound.stderr).toMatch(/not found/);
  });

  it('keeps the first MiB of a stream and counts the rest', async () => {
    const ran = await runContainerStep(
      step(['node', '-e', 'process.stdout.write("x".repeat(3 * 1024 * 1024)); process.stderr.write("done")']),
      ctx,
    );
    expect(ran.exitCode).toBe(0);
    expect(ran.stdout).toHaveLength(MAX_OUTPUT_BYTES);
    expect(ran.bytes).toEqual({ stdout: 3 * 1024 * 1024, stderr: 4 });
    expect(ran.truncated).toEqual({ stdout: true, stderr: false });
  });

  it('stops a step at its timeout with SIGTERM, and when the run is interrupted', async () => {
    const timed = await runContainerStep(step(['node', '-e', 'setTimeout(() => {}, 30000)'], { timeout_ms: 500 }), ctx);
    expect(timed).toMatchObject({ timedOut: true, canceled: false, exitCode: null, signal: 'SIGTERM' });
    expect(timed.ms).toBeLessThan(10_000);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 500);
    const canceled = await runContainerStep(step(['node', '-e', 'setTimeout(() => {}, 30000)']), {
      ...ctx,
      signal: controller.signal,
    });
    expect(canceled).toMatchObject({ canceled: true, timedOut: false, exitCode: null });
  });

  it("passes the example cutter's S1 (config) and S2 (missing key fails closed) on the runner image's Node 18", async () => {
    const pack = await loadPack(join(PACKAGE_ROOT, 'scenarios'));
    for (const id of ['S1', 'S2']) {
      for (const s of pack.find((x) => x.scenario.id === id)!.scenario.steps) {
        const ran = await runContainerStep(s, ctx);
        expect(firstFailure(checkStep(s.expect, ran)), `${id} ${s.name}: ${ran.stderr}`).toBeNull();
      }
    }
  });

  it('closeRun removes the server, both networks, the holder, the volume and every step container by the journal, and proves them gone', async () => {
    const recorded = run.journal.snapshot().resources;
    const steps = recorded.filter((r) => r.kind === 'container' && r.name.startsWith(`${names.container}-step-`));
    expect(steps.length).toBeGreaterThanOrEqual(10);
    teardown = await closeRun(docker, run, silentProgress);
    expect(teardown.complete).toBe(true);
    expect(teardown.resources.every((r) => r.gone)).toBe(true);
    const removed = teardown.resources
      .filter((r) => r.action === 'removed')
      .map((r) => `${r.kind} ${r.name}`)
      .sort();
    expect(removed).toEqual(
      [
        `container ${names.container}`,
        `container ${runner.names.holder}`,
        `network ${names.network}`,
        `network ${runner.names.internalNetwork}`,
        `volume ${runner.names.installVolume}`,
      ].sort(),
    );
    // ephemeral: each step's and the install's container was already gone
    expect(teardown.resources.filter((r) => r.action === 'already-gone').length).toBe(steps.length + 1);
    for (const r of recorded) {
      const found =
        r.kind === 'container'
          ? await findContainerByName(docker, r.name)
          : r.kind === 'network'
            ? await findNetworkByName(docker, r.name)
            : await findVolumeByName(docker, r.name);
      expect(found, `${r.kind} ${r.name}`).toBeNull();
    }
    expect(await countLabelled(runId)).toEqual({ containers: 0, networks: 0, volumes: 0, total: 0 });
    expect(teardown.secrets.every((s) => s.shredded)).toBe(true);
  });
});
