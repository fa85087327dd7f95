// The audit evidence against a system under test that misbehaves on purpose (fixtures/rogue), with
// a real production, a real protected environment and real dry-run servers; nothing is mocked.
// Each scenario here passes on its own terms (exit 0, the deltas it causes), so every failure
// below comes from an evidence gate: G6's trace, the leak scan, G8's post-checks, `verify`.
import { execFile } from 'node:child_process';
import { copyFile, chmod, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../config/index.js';
import { finishRun, PACKAGE_ROOT, restartSideServer } from '../engine/index.js';
import { writeReport } from '../report/index.js';
import { countLabelled, docker, uniqueName } from '../test-support/docker.js';
import { startDemoWorld, type DemoWorld } from './demo.js';
import { Interruption } from './interruption.js';
import { pinCommand } from './pin.js';
import { silentProgress, type Progress } from './progress.js';
import { rehearse, type RehearsalResult } from './rehearsal.js';
import { rehearseCli } from '../test-support/rehearse-cli.js';

const execFileP = promisify(execFile);
const ROGUE = join(PACKAGE_ROOT, 'fixtures', 'rogue');
const DELETE_ONE = 'delete from ledger.mark where id = (select min(id) from ledger.mark)';
/** The application names rogue.mjs forges in `spoof-delete` (every one pg-rehearse uses, src/pg). */
const TOOL_APPLICATION_NAMES = 10;

/**
 * fixtures/rogue as a throwaway git repository with one deterministic commit (fixed author,
 * committer and dates, no hooks, no signing, no user or system git configuration), node_modules
 * linked to this project's; returns the commit's full sha.
 */
async function buildRogueRepo(dest: string): Promise<string> {
  await mkdir(dest, { recursive: true });
  for (const f of ['.gitignore', 'README.md', 'package.json', 'rogue.mjs']) {
    await copyFile(join(ROGUE, f), join(dest, f));
    await chmod(join(dest, f), 0o644);
  }
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: dest,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_AUTHOR_NAME: 'pg-rehearse rogue',
    GIT_AUTHOR_EMAIL: 'rogue@pg-rehearse.invalid',
    GIT_AUTHOR_DATE: '2026-05-17T09:00:00+00:00',
    GIT_COMMITTER_NAME: 'pg-rehearse rogue',
    GIT_COMMITTER_EMAIL: 'rogue@pg-rehearse.invalid',
    GIT_COMMITTER_DATE: '2026-05-17T09:00:00+00:00',
    TZ: 'UTC',
    LC_ALL: 'C',
  };
  const git = async (...args: string[]) =>
    (
      await execFileP(
        'git',
        [
          '-C',
          dest,
          '-c',
          'core.hooksPath=/dev/null',
          '-c',
          'commit.gpgsign=false',
          '-c',
          'core.autocrlf=false',
          '-c',
          'core.excludesFile=/dev/null',
          '-c',
          'core.attributesFile=/dev/null',
          ...args,
        ],
        { env },
      )
    ).stdout.trim();
  await git('init', '-q', '-b', 'main', '--template=');
  await git('add', '-A');
  await git('commit', '-q', '--no-verify', '-m', 'rogue: a system under test that misbehaves on purpose');
  await symlink(join(PACKAGE_ROOT, 'node_modules'), join(dest, 'node_modules'));
  expect(await git('status', '--porcelain', '--untracked-files=all')).toBe('');
  return git('rev-parse', 'HEAD');
}

/** A Progress that records what the run showed, and tells when a step has started. */
class RecordingProgress implements Progress {
  readonly lines: string[] = [];
  readonly starts: string[] = [];
  private readonly waiters: { pattern: RegExp; resolve: () => void }[] = [];

  data(line: string): void {
    this.lines.push(line);
  }
  start(step: string): void {
    this.starts.push(step);
    for (const w of [...this.waiters]) {
      if (w.pattern.test(step)) {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  }
  end(): void {}
  note(message: string): void {
    this.lines.push(message);
  }
  event(): void {}

  /** Resolves once a step matching `pattern` has started. */
  started(pattern: RegExp): Promise<void> {
    if (this.starts.some((s) => pattern.test(s))) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ pattern, resolve }));
  }

  get runId(): string | null {
    const line = this.lines.find((l) => l.startsWith('run id: '));
    return line ? line.slice('run id: '.length) : null;
  }
}

interface RogueScenario {
  id: string;
  title: string;
  /** rogue.mjs's arguments: a mode and its own. */
  args: string[];
  stdout?: string[];
  deltas?: Record<string, number>;
  /** The step's limit (30 s unless given). */
  timeout_ms?: number;
}

interface Rehearsed extends RehearsalResult {
  dir: string;
  out: string;
  /** The dry-run role password rogue.mjs received (written by it to ROGUE_SPILL), or null. */
  password: () => Promise<string>;
  sha256: string;
}

/** Every form of a secret a report could carry it in. */
function forms(secret: string): string[] {
  const url = new URL('postgres://host');
  url.password = secret;
  const b64 = Buffer.from(secret).toString('base64');
  return [
    secret,
    encodeURIComponent(secret),
    encodeURIComponent(secret).replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase()),
    url.password,
    b64,
    b64.replace(/=+$/, ''),
    Buffer.from(secret).toString('base64url'),
  ];
}

const newline = (s: string) => s.replace(/\r\n/g, '\n');

describe('audit evidence against a misbehaving system under test', () => {
  let work: string;
  let world: DemoWorld;
  let repo: string;
  let sha: string;
  const runs: string[] = [];

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'pgr-evidence-'));
    world = await startDemoWorld(docker, join(work, 'world'), {
      production: uniqueName('pgr-ev-prod'),
      protected: uniqueName('pgr-ev-protected'),
    });
    repo = join(work, 'rogue');
    sha = await buildRogueRepo(repo);
  });

  afterAll(async () => {
    await world?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  // What a failing test leaves is finished by its run id, exactly as a user would.
  afterEach(async () => {
    for (const runId of runs.splice(0)) await finishRun(docker, runId).catch(() => null);
  });

  /** Write a config and a pack of rogue scenarios, pin them, rehearse in-process, write the report. */
  async function rehearsal(
    name: string,
    scenarios: RogueScenario[],
    opts: { progress?: RecordingProgress; during?: (p: RecordingProgress) => Promise<void> } = {},
  ): Promise<Rehearsed> {
    const dir = join(work, name);
    const out = join(dir, 'out');
    const spill = join(work, `${name}.spill`);
    await mkdir(join(dir, 'scenarios'), { recursive: true });
    for (const s of scenarios) {
      const scenario = {
        id: s.id,
        title: s.title,
        negative: false,
        steps: [
          {
            name: s.args[0],
            run: ['node', 'rogue.mjs', ...s.args],
            cwd: '.',
            role: 'cutter_app',
            env: { ROGUE_SPILL: spill },
            timeout_ms: s.timeout_ms ?? 30_000,
            expect: { exit_code: 0, stdout: s.stdout ?? [], stderr: [], error: null, sql: [] },
          },
        ],
        deltas: s.deltas ?? {},
      };
      await writeFile(join(dir, 'scenarios', `${s.id}.yaml`), stringify(scenario));
    }
    const config = {
      name: `evidence: ${name}`,
      production: { dsn_file: world.dsnFile, container: world.names.production, dump_format: 'plain' },
      protected_envs: [world.names.protected],
      environment: { name: uniqueName('pgr-ev'), fast_restore: true },
      artefacts: {
        roles: join(PACKAGE_ROOT, 'sql', 'roles.sql'),
        grants: join(PACKAGE_ROOT, 'sql', 'grants.sql'),
        grant_matrix: join(PACKAGE_ROOT, 'sql', 'grant-matrix.yaml'),
        scenarios: 'scenarios',
        watched_tables: join(PACKAGE_ROOT, 'scenarios', 'watched-tables.txt'),
      },
      sut: { path: repo, accepted_commit: sha, dsn_env: 'ROGUE_DSN', runner: 'host' },
    };
    const configFile = join(dir, 'rehearse.yaml');
    await writeFile(configFile, stringify(config));
    expect(await pinCommand(configFile, silentProgress)).toBe(0);

    const progress = opts.progress ?? new RecordingProgress();
    const running = rehearse(
      { configFile, outDir: out, keepBackup: false },
      { docker, progress, interruption: Interruption.install(() => {}, []) },
    );
    try {
      if (opts.during) {
        const ended = running.then(() => {
          throw new Error(`the run ended before the action meant to happen during it:\n${progress.lines.join('\n')}`);
        });
        // Whichever wins the race, the loser's rejection is handled here.
        ended.catch(() => {});
        await Promise.race([opts.during(progress), ended]);
      }
      const result = await running;
      const written = await writeReport(out, result.report);
      return { ...result, dir, out, sha256: written.sha256, password: () => readFile(spill, 'utf8') };
    } finally {
      await running.catch(() => null);
      if (progress.runId) runs.push(progress.runId);
    }
  }

  async function nothingLabelledLeft(runId: string): Promise<void> {
    expect(await countLabelled(runId)).toEqual({ containers: 0, networks: 0, volumes: 0, total: 0 });
  }

  const failure = (r: Report) => {
    expect(r.failure).not.toBeNull();
    return r.failure!;
  };
  const gate = (r: Report, id: string) => r.gates.find((g) => g.id === id);

  // The control: the same fixture, behaving, passes every gate, so each failure below is the gate's.
  let control: Promise<Rehearsed> | null = null;
  const passing = () =>
    (control ??= rehearsal('control', [{ id: 'S1', title: 'a harmless select', args: ['ok'], stdout: ['^ok: ok 1'] }]));

  it('passes a system under test that behaves (the control for every case below)', async () => {
    const r = await passing();
    expect(r.report.failure).toBeNull();
    expect(r.report.execution_status).toBe('PASS');
    expect(r.exitCode).toBe(0);
    expect(r.report.sql_trace!.forbidden).toEqual([]);
    expect(r.report.leak_scan!.hits).toBe(0);
    expect(r.report.production!.unchanged).toBe(true);
    expect(r.report.protected_envs![0]!.unchanged).toBe(true);
    await nothingLabelledLeft(r.report.run_id);
  });

  it('fails at G6 (sut) when the system under test runs a DELETE, although its scenario passed', async () => {
    const r = await rehearsal('delete', [
      { id: 'S1', title: 'deletes a mark', args: ['delete'], stdout: ['^delete: '] },
    ]);
    const report = r.report;
    expect(report.scenarios[0]!.status).toBe('PASS');
    // The grants refuse it (cutter_app has no DELETE); the attempt is what the trace must catch.
    expect(report.scenarios[0]!.steps[0]!.stdout_tail.join('\n')).toMatch(/^delete: (refused 42501|ok \d+)$/);
    expect(report.execution_status).toBe('FAIL');
    expect(r.exitCode).toBe(1);
    expect(failure(report)).toMatchObject({ gate: 'G6', classification: 'sut' });
    expect(failure(report).message).toMatch(/DELETE/);
    expect(gate(report, 'G6')!.status).toBe('FAIL');
    // Sent by the scenario's one step, named by the policy's rule.
    expect(report.sql_trace!.forbidden).toContainEqual({
      scenario: 'S1',
      step: report.scenarios[0]!.steps[0]!.name,
      verb: 'DELETE',
      kind: 'DELETE',
      objects: ['ledger.mark'],
      rule: 'forbidden_verbs',
      user: 'cutter_app',
      text: DELETE_ONE,
    });
    await nothingLabelledLeft(report.run_id);
  });

  it('still fails at G6 when the DELETE comes under the application names of pg-rehearse itself', async () => {
    const r = await rehearsal('spoof', [
      {
        id: 'S1',
        title: 'deletes a mark as pg-rehearse',
        args: ['spoof-delete'],
        stdout: ['^delete as "pg-rehearse": '],
      },
    ]);
    const report = r.report;
    expect(report.scenarios[0]!.status).toBe('PASS');
    expect(report.scenarios[0]!.steps[0]!.stdout_tail).toHaveLength(TOOL_APPLICATION_NAMES);
    expect(report.execution_status).toBe('FAIL');
    expect(r.exitCode).toBe(1);
    expect(failure(report)).toMatchObject({ gate: 'G6', classification: 'sut' });
    // Sent by the scenario's one step, named by the policy's rule.
    expect(report.sql_trace!.forbidden).toContainEqual({
      scenario: 'S1',
      step: report.scenarios[0]!.steps[0]!.name,
      verb: 'DELETE',
      kind: 'DELETE',
      objects: ['ledger.mark'],
      rule: 'forbidden_verbs',
      user: 'cutter_app',
      text: DELETE_ONE,
    });
    // None of the forged statements was taken for the tool's own.
    expect(report.sql_trace!.counts.DELETE).toBe(TOOL_APPLICATION_NAMES);
    expect(report.sql_trace!.forbidden.every((f) => f.user === 'cutter_app')).toBe(true);
    await nothingLabelledLeft(report.run_id);
  });

  /** The password in none of its forms in report.json, report.md or the copied server log. */
  async function assertNowhere(r: Rehearsed): Promise<void> {
    const password = await r.password();
    expect(password.length).toBeGreaterThanOrEqual(16);
    for (const file of ['report.json', 'report.md', 'dry-run-server.log']) {
      const text = await readFile(join(r.out, file), 'utf8');
      for (const form of forms(password))
        expect(text.includes(form), `${file} holds the password as ${form === password ? 'raw text' : form}`).toBe(
          false,
        );
    }
  }

  it('fails the leak scan when the system under test prints a password to stderr, and keeps the password out of every file it writes', async () => {
    const r = await rehearsal('leak-stderr', [{ id: 'S1', title: 'prints its password', args: ['leak-stderr'] }]);
    const report = r.report;
    expect(report.scenarios[0]!.status).toBe('PASS');
    expect(report.execution_status).toBe('FAIL');
    expect(r.exitCode).toBe(1);
    expect(failure(report)).toMatchObject({ gate: 'G6', classification: 'sut' });
    expect(report.leak_scan!.hits).toBeGreaterThan(0);
    const hit = report.leak_scan!.places.filter((p) => p.hits > 0).map((p) => p.place);
    expect(hit).toEqual([expect.stringMatching(/^S1 .*stderr$/)]);
    expect(failure(report).message).toContain(hit[0]);
    // Whose secret it was, never the value: the role the step ran as.
    expect(report.leak_scan!.places.filter((p) => p.hits > 0).map((p) => p.owners)).toEqual([['cutter_app']]);
    expect(failure(report).message).toContain('the password of cutter_app appeared in');
    expect(report.scenarios[0]!.steps[0]!.stderr_tail.join('\n')).toMatch(/^password is \[REDACTED\]$/m);
    await assertNowhere(r);
    await nothingLabelledLeft(report.run_id);
  });

  it('fails the leak scan when the system under test sends a password as an SQL bind parameter (the dry-run server log)', async () => {
    const r = await rehearsal('leak-param', [
      { id: 'S1', title: 'sends its password as a parameter', args: ['leak-param'], stdout: ['^param: ok 1'] },
    ]);
    const report = r.report;
    expect(report.scenarios[0]!.status).toBe('PASS');
    expect(report.execution_status).toBe('FAIL');
    expect(r.exitCode).toBe(1);
    expect(failure(report)).toMatchObject({ gate: 'G6', classification: 'sut' });
    expect(report.leak_scan!.hits).toBeGreaterThan(0);
    expect(report.leak_scan!.places.filter((p) => p.hits > 0).map((p) => p.place)).toEqual(['dry-run server log']);
    expect(failure(report).message).toContain('dry-run server log');
    expect(report.leak_scan!.places.find((p) => p.place === 'dry-run server log')!.owners).toEqual(['cutter_app']);
    // The copied log keeps the line, with the parameter redacted.
    expect(newline(await readFile(join(r.out, 'dry-run-server.log'), 'utf8'))).toMatch(
      /parameters: \$1 = '\[REDACTED\]'/,
    );
    await assertNowhere(r);
    await nothingLabelledLeft(report.run_id);
  });

  it('fails a step that times out with its limit and its last output in the failure, the step record and report.md', async () => {
    const r = await rehearsal('timeout', [
      { id: 'S1', title: 'sleeps past its limit', args: ['sleep', '20'], stdout: ['^slept 20'], timeout_ms: 2000 },
    ]);
    const report = r.report;
    expect(report.execution_status).toBe('FAIL');
    expect(report.scenarios[0]!.steps[0]).toMatchObject({ timed_out: true, timeout_ms: 2000 });
    expect(failure(report)).toMatchObject({ gate: 'S1', classification: 'sut' });
    expect(failure(report).message).toMatch(
      /^step "sleep" timed out at its limit of 2 s \(timeout_ms 2000\): exit code: expected 0, got timed out.*; it printed nothing$/,
    );
    const md = await readFile(join(r.out, 'report.md'), 'utf8');
    expect(md).toMatch(/^\| timed out \| step "sleep" at its limit of 2\.0 s \(timeout_ms 2000\), after /m);
    await nothingLabelledLeft(report.run_id);
  });

  it('reports a protected environment restarted during the run: INCONCLUSIVE (environment), alerted, unchanged false', async () => {
    const progress = new RecordingProgress();
    const r = await rehearsal(
      'protected-restart',
      [
        {
          id: 'S1',
          title: 'sleeps while the protected environment restarts',
          args: ['sleep', '4'],
          stdout: ['^slept 4'],
        },
      ],
      {
        progress,
        during: async (p) => {
          await p.started(/^S1 /);
          await restartSideServer(docker, world.names.protected);
        },
      },
    );
    const report = r.report;
    expect(report.scenarios[0]!.status).toBe('PASS');
    expect(report.execution_status).toBe('INCONCLUSIVE');
    expect(r.exitCode).toBe(3);
    expect(failure(report)).toMatchObject({ gate: 'G8', classification: 'environment' });
    expect(report.protected_envs![0]!.name).toBe(world.names.protected);
    expect(report.protected_envs![0]!.unchanged).toBe(false);
    expect(report.protected_envs![0]!.post!.started_at).not.toBe(report.protected_envs![0]!.pre!.started_at);
    expect(report.production!.unchanged).toBe(true);
    expect(report.alerts.join('\n')).toContain(world.names.protected);
    await nothingLabelledLeft(report.run_id);
  });

  it('never passes when production is restarted during the run: INCONCLUSIVE (environment), production.unchanged false, told at the top', async () => {
    const r = await rehearsal(
      'production-restart',
      [{ id: 'S1', title: 'sleeps while production restarts', args: ['sleep', '4'], stdout: ['^slept 4'] }],
      {
        during: async (p) => {
          await p.started(/^S1 /);
          await restartSideServer(docker, world.names.production);
        },
      },
    );
    const report = r.report;
    expect(report.scenarios[0]!.status).toBe('PASS');
    expect(report.execution_status).not.toBe('PASS');
    expect(report.execution_status).toBe('INCONCLUSIVE');
    expect(r.exitCode).toBe(3);
    expect(failure(report)).toMatchObject({ gate: 'G8', classification: 'environment' });
    expect(report.production!.unchanged).toBe(false);
    expect(report.production!.container_post?.started_at).not.toBe(report.production!.container_pre!.started_at);
    expect(report.alerts.join('\n')).toMatch(/PRODUCTION CHANGED DURING THE RUN/);
    // Loud: in report.md, before anything but the title and the verdict line.
    const md = await readFile(join(r.out, 'report.md'), 'utf8');
    expect(md.split('\n').slice(0, 6).join('\n')).toMatch(/PRODUCTION CHANGED DURING THE RUN/);
    await nothingLabelledLeft(report.run_id);
  });

  /** `rehearse verify ARGS` with the built bin: exit code and all output. */
  async function verify(args: string[]): Promise<{ code: number | null; output: string }> {
    return rehearseCli(['verify', ...args]);
  }

  it('`rehearse verify` refuses an edited report, even with a rewritten sha file, and accepts the intact one', async () => {
    const r = await passing();
    const original = await readFile(join(r.out, 'report.json'), 'utf8');
    const sysid = r.report.production!.sysid_post!;
    expect(sysid).toMatch(/^\d+$/);
    const last = sysid.at(-1)!;
    const forged = sysid.slice(0, -1) + String((Number(last) + 1) % 10);
    const edited = original.replace(`"sysid_post": "${sysid}"`, `"sysid_post": "${forged}"`);
    expect(edited).not.toBe(original);

    // One digit changed, the sha file beside it left as the run wrote it.
    const copy = join(r.dir, 'edited');
    await mkdir(copy, { recursive: true });
    await writeFile(join(copy, 'report.json'), edited);
    await copyFile(join(r.out, 'report.json.sha256'), join(copy, 'report.json.sha256'));
    const a = await verify([join(copy, 'report.json')]);
    expect(a.code, a.output).toBe(1);
    expect(a.output).toMatch(/MISMATCH +report sha256 = report\.json\.sha256/);

    // The forger rewrote the sha file too: the sha the run printed still catches it.
    const forger = join(r.dir, 'forged');
    await mkdir(forger, { recursive: true });
    await writeFile(join(forger, 'report.json'), edited);
    const { createHash } = await import('node:crypto');
    await writeFile(
      join(forger, 'report.json.sha256'),
      `${createHash('sha256').update(edited).digest('hex')}  report.json\n`,
    );
    const b = await verify([join(forger, 'report.json'), '--expect-sha', r.sha256]);
    expect(b.code, b.output).toBe(1);
    expect(b.output).toMatch(/MISMATCH +report sha256 = --expect-sha/);
    expect(b.output).toMatch(/ok +report sha256 = report\.json\.sha256/);

    const intact = await verify([join(r.out, 'report.json'), '--expect-sha', r.sha256]);
    expect(intact.code, intact.output).toBe(0);
    expect((await verify([join(r.out, 'report.json')])).code).toBe(0);

    const missing = await verify([join(r.dir, 'nowhere', 'report.json')]);
    expect(missing.code, missing.output).toBe(2);
    await nothingLabelledLeft(r.report.run_id);
  });
});
