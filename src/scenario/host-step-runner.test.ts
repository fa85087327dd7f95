import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Step } from '../config/scenario.js';
import { UsageError } from '../errors.js';
import { checkStep, firstFailure } from './expectations.js';
import { loadPack } from '../config/pack.js';
import { runStep, type StepContext } from './host-step-runner.js';
import { MAX_OUTPUT_BYTES } from './output-capture.js';

const DSN = 'postgres://cutter_app:p%40ss%3Aword@127.0.0.1:1/ledger';

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

let sut: string;
let ctx: StepContext;

beforeAll(async () => {
  sut = await mkdtemp(join(tmpdir(), 'pgr-sut-'));
  await mkdir(join(sut, 'sub'));
  ctx = { sutPath: sut, dsnEnvVar: 'CUTTER_DSN', dsnFor: (role) => DSN.replace('cutter_app', role) };
});

afterAll(async () => {
  await rm(sut, { recursive: true, force: true });
});

describe('runStep', () => {
  it("gives the command only PATH, HOME, LANG, the DSN of its role, libpq's variables and its own env", async () => {
    process.env.PGR_TOOL_ONLY = 'must not leak';
    try {
      const run = await runStep(
        step(['node', '-e', 'process.stdout.write(JSON.stringify(process.env))'], {
          env: { CUTTER_EXPECTED_ROLE: 'cutter_app' },
        }),
        ctx,
      );
      expect(run.exitCode).toBe(0);
      const env = JSON.parse(run.stdout) as Record<string, string>;
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
      expect(env).toMatchObject({ PGHOST: '127.0.0.1', PGPORT: '1', PGUSER: 'cutter_app', PGDATABASE: 'ledger' });
      expect(JSON.stringify(env)).not.toContain('p@ss:word');
      expect(env).toMatchObject({
        CUTTER_DSN: DSN,
        LANG: 'C.UTF-8',
        PATH: process.env.PATH,
        CUTTER_EXPECTED_ROLE: 'cutter_app',
      });
      expect(run.argv.join(' ')).not.toContain('p%40ss');
    } finally {
      delete process.env.PGR_TOOL_ONLY;
    }
  });

  it('gives a 0600 password file libpq reads (its `:` escaped) for the life of the step, then shreds it', async () => {
    const code =
      'const fs = require("fs"); const f = process.env.PGPASSFILE; process.stdout.write(JSON.stringify({ f, mode: (fs.statSync(f).mode & 0o777).toString(8), text: fs.readFileSync(f, "utf8") }))';
    const home = await mkdtemp(join(tmpdir(), 'pgr-pass-'));
    const recorded: string[] = [];
    try {
      const run = await runStep(step(['node', '-e', code]), {
        ...ctx,
        passFiles: { dir: home, record: async (p) => void recorded.push(p) },
      });
      const seen = JSON.parse(run.stdout) as { f: string; mode: string; text: string };
      expect(seen.mode).toBe('600');
      expect(seen.text).toBe('127.0.0.1:1:*:cutter_app:p@ss\\:word\n');
      expect(recorded).toEqual([seen.f]);
      expect(seen.f.startsWith(home)).toBe(true);
      await expect(readFile(seen.f)).rejects.toMatchObject({ code: 'ENOENT' });
      // Without a folder of the run's, a fresh one is made and removed with the file.
      const alone = JSON.parse((await runStep(step(['node', '-e', code]), ctx)).stdout) as { f: string };
      await expect(readFile(alone.f)).rejects.toMatchObject({ code: 'ENOENT' });
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });

  it("lets the step's env replace the DSN, and uses the DSN of the step's role", async () => {
    const code = 'process.stdout.write(process.env.CUTTER_DSN)';
    expect((await runStep(step(['node', '-e', code], { role: 'cutter_readonly' }), ctx)).stdout).toBe(
      DSN.replace('cutter_app', 'cutter_readonly'),
    );
    expect((await runStep(step(['node', '-e', code], { env: { CUTTER_DSN: 'postgres://nowhere' } }), ctx)).stdout).toBe(
      'postgres://nowhere',
    );
  });

  it('records exit code, both streams unchanged, the folder, timings and role', async () => {
    const run = await runStep(
      step(['node', '-e', 'console.log(process.cwd()); console.error("ConfigMismatch: no"); process.exitCode = 3'], {
        cwd: 'sub',
      }),
      ctx,
    );
    expect(run).toMatchObject({
      exitCode: 3,
      signal: null,
      timedOut: false,
      canceled: false,
      cwd: join(sut, 'sub'),
      role: 'cutter_app',
      stderr: 'ConfigMismatch: no\n',
    });
    expect(run.stdout.trim()).toBe(join(sut, 'sub'));
    expect(run.truncated).toEqual({ stdout: false, stderr: false });
    expect(Date.parse(run.startedAt)).not.toBeNaN();
    expect(run.ms).toBeGreaterThan(0);
  });

  it('gives the command no stdin', async () => {
    const run = await runStep(
      step([
        'node',
        '-e',
        'let n = 0; process.stdin.on("data", (d) => (n += d.length)).on("end", () => console.log("stdin", n))',
      ]),
      ctx,
    );
    expect(run.stdout).toBe('stdin 0\n');
  });

  it('returns a command that cannot start as a run with no exit code and the reason in stderr', async () => {
    const run = await runStep(step(['pgr-no-such-program', '--flag']), ctx);
    expect(run.exitCode).toBeNull();
    expect(run.signal).toBeNull();
    expect(run.stderr).toMatch(/could not start: .*ENOENT/);
    const noCwd = await runStep(step(['node', '-e', '0'], { cwd: 'missing' }), ctx);
    expect(noCwd.exitCode).toBeNull();
    expect(noCwd.stderr).toMatch(/could not start/);
  });

  it('kills a command at its timeout and says so', async () => {
    const run = await runStep(step(['node', '-e', 'setTimeout(() => {}, 20000)'], { timeout_ms: 300 }), ctx);
    expect(run).toMatchObject({ timedOut: true, exitCode: null, signal: 'SIGTERM' });
    expect(run.ms).toBeLessThan(10_000);
  });

  it('stops the whole process group at the timeout, a background child included', async () => {
    const run = await runStep(step(['bash', '-c', 'sleep 30 & echo started; sleep 30'], { timeout_ms: 300 }), ctx);
    expect(run).toMatchObject({ timedOut: true, exitCode: null, signal: 'SIGTERM', stdout: 'started\n' });
    expect(run.ms).toBeLessThan(5_000);
  });

  it('ends a step when its command exits, even if it left a child holding its output', async () => {
    const run = await runStep(step(['bash', '-c', 'sleep 30 & echo $!']), ctx);
    expect(run).toMatchObject({ exitCode: 0, signal: null, timedOut: false });
    expect(run.ms).toBeLessThan(5_000);
    const child = Number(run.stdout.trim());
    expect(child).toBeGreaterThan(0);
    // Gone, or a zombie left for its new parent to reap: either way it runs no more. Its output
    // closed when it began to exit, which the kernel finishes a moment later: look for up to 2 s,
    // far short of the 30 s it would have slept.
    const stateOf = () =>
      readFile(`/proc/${child}/stat`, 'utf8').then(
        (st) => st.split(' ')[2],
        () => 'gone',
      );
    let state = await stateOf();
    for (
      const until = Date.now() + 2_000;
      !['gone', 'Z'].includes(state!) && Date.now() < until;
      state = await stateOf()
    )
      await new Promise((r) => setTimeout(r, 20));
    expect(['gone', 'Z']).toContain(state);
  });

  it('stops a command when the run is interrupted', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const run = await runStep(step(['node', '-e', 'setTimeout(() => {}, 20000)']), {
      ...ctx,
      signal: controller.signal,
    });
    expect(run).toMatchObject({ canceled: true, exitCode: null, timedOut: false });
  });

  it('keeps the first MiB of a stream, counts the rest, and lets the command finish', async () => {
    const run = await runStep(
      step(['node', '-e', 'process.stdout.write("x".repeat(3 * 1024 * 1024)); process.stderr.write("done")']),
      ctx,
    );
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toHaveLength(MAX_OUTPUT_BYTES);
    expect(run.bytes).toEqual({ stdout: 3 * 1024 * 1024, stderr: 4 });
    expect(run.truncated).toEqual({ stdout: true, stderr: false });
    expect(run.stderr).toBe('done');
  });

  it('refuses a cwd that leads out of the system under test, through .. or a symlink', async () => {
    await expect(runStep(step(['node', '-e', '0'], { cwd: '../..' }), ctx)).rejects.toThrow(UsageError);
    await symlink(tmpdir(), join(sut, 'out'));
    await expect(runStep(step(['node', '-e', '0'], { cwd: 'out' }), ctx)).rejects.toThrow(
      /leads outside the system under test/,
    );
  });
});

describe('runStep with the example cutter (no database needed)', () => {
  let repo: string;

  beforeAll(async () => {
    repo = join(await mkdtemp(join(tmpdir(), 'pgr-cutter-')), 'repo');
    await promisify(execFile)('bash', ['scripts/example-repo', repo]);
  }, 60_000);

  afterAll(async () => {
    if (repo) await rm(join(repo, '..'), { recursive: true, force: true });
  });

  it('passes S1 (config) and both steps of S2 (missing signing key fails closed)', async () => {
    const pack = await loadPack('scenarios');
    for (const id of ['S1', 'S2']) {
      const scenario = pack.find((s) => s.scenario.id === id)!.scenario;
      for (const s of scenario.steps) {
        const run = await runStep(s, {
          sutPath: repo,
          dsnEnvVar: 'CUTTER_DSN',
          dsnFor: () => 'postgres://cutter_app:x@127.0.0.1:1/ledger',
        });
        const checks = checkStep(s.expect, run);
        expect(firstFailure(checks), `${id} ${s.name}: ${run.stderr}`).toBeNull();
      }
    }
  });

  it('fails S2 when the tool lets the signing key through (its env must not leak)', async () => {
    const pack = await loadPack('scenarios');
    const s = pack.find((x) => x.scenario.id === 'S2')!.scenario.steps[0]!;
    const leaky = { ...s, env: { ...s.env, CUTTER_SIGNING_KEY: 'leaked-from-the-tool' } };
    const run = await runStep(leaky, {
      sutPath: repo,
      dsnEnvVar: 'CUTTER_DSN',
      dsnFor: () => 'postgres://cutter_app:x@127.0.0.1:1/ledger',
    });
    expect(firstFailure(checkStep(s.expect, run))).toMatchObject({ what: 'exit code', expected: '2', actual: '0' });
  });
});
