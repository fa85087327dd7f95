// The built `rehearse` command as users and the kill tests drive it: SIGINT, SIGTERM and SIGKILL
// at several points of provisioning end with nothing labelled left (counted, not assumed), while
// another run alive at the same time stays intact. Nothing is removed by label here.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT, finishRun, readRunState } from '../engine/index.js';
import { countLabelled, docker, eventually, uniqueName } from '../test-support/docker.js';

const BIN = join(PACKAGE_ROOT, 'bin', 'rehearse.js');

interface Child {
  proc: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  runId: () => Promise<string>;
  waitFor: (pattern: RegExp) => Promise<void>;
}

/** Start `rehearse ARGS` in its own process group, so the whole group can be killed. */
function rehearse(args: string[]): Child {
  const proc = spawn(process.execPath, [BIN, ...args], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  let out = '';
  let err = '';
  const waiters: { pattern: RegExp; resolve: () => void }[] = [];
  const check = () => {
    for (const w of [...waiters]) {
      if (w.pattern.test(out + err)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  };
  proc.stdout!.on('data', (c: Buffer) => ((out += c.toString()), check()));
  proc.stderr!.on('data', (c: Buffer) => ((err += c.toString()), check()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const waitFor = (pattern: RegExp) =>
    new Promise<void>((resolve, reject) => {
      if (pattern.test(out + err)) return resolve();
      waiters.push({ pattern, resolve });
      void exit.then(() => reject(new Error(`rehearse exited before ${pattern}:\n${out}\n${err}`)));
    });
  return {
    proc,
    stdout: () => out,
    stderr: () => err,
    exit,
    waitFor,
    runId: async () => {
      await waitFor(/run id: \S+/);
      return /run id: (\S+)/.exec(out)![1]!;
    },
  };
}

async function run(args: string[]) {
  const c = rehearse(args);
  const { code } = await c.exit;
  return { code, stdout: c.stdout(), stderr: c.stderr() };
}

const points = {
  'before anything is created': /run id: /,
  'while waiting for readiness': /create network and container/,
  'while holding a ready server': /holding the environment/,
} as const;

describe('rehearse (built CLI)', () => {
  let bystander: Child;
  let bystanderRun: string;
  let bystanderName: string;

  beforeAll(async () => {
    bystanderName = uniqueName('pgr-bystander');
    bystander = rehearse(['provision', '--name', bystanderName, '--hold']);
    bystanderRun = await bystander.runId();
    await bystander.waitFor(/holding the environment/);
  });

  afterAll(async () => {
    if (bystander.proc.exitCode === null) bystander.proc.kill('SIGINT');
    await bystander.exit;
    await finishRun(docker, bystanderRun);
  });

  for (const signal of ['SIGINT', 'SIGTERM', 'SIGKILL'] as const) {
    for (const [point, pattern] of Object.entries(points)) {
      it(`leaves nothing labelled after ${signal} ${point}`, async () => {
        const child = rehearse(['provision', '--name', uniqueName('pgr-kill'), '--hold']);
        const runId = await child.runId();
        await child.waitFor(pattern);
        // SIGKILL goes to the whole process group, as when a CI job is killed; the reaper is in a session of its own.
        if (signal === 'SIGKILL') process.kill(-child.proc.pid!, 'SIGKILL');
        else child.proc.kill(signal);
        const exit = await child.exit;
        // The environment goes within seconds; the run's folder after the reaper's second look.
        const left = await eventually(
          async () => ({ labelled: await countLabelled(runId), state: await readRunState(runId) }),
          (v) => v.labelled.total === 0 && v.state === null,
          20_000,
        );
        expect(left.labelled).toEqual({ containers: 0, networks: 0, volumes: 0, total: 0 });
        expect(left.state).toBeNull();
        if (signal === 'SIGKILL') expect(exit.signal).toBe('SIGKILL');
        else if (point === 'while holding a ready server') expect(exit.code).toBe(0);
        else expect(exit.code).toBe(3);
      });
    }
  }

  it('left the run that was alive at the same time intact', async () => {
    expect(bystander.proc.exitCode).toBeNull();
    expect(await countLabelled(bystanderRun)).toMatchObject({ containers: 1, networks: 1 });
    const c = await docker.getContainer(bystanderName).inspect();
    expect(c.State.Running).toBe(true);
    bystander.proc.kill('SIGINT');
    expect((await bystander.exit).code).toBe(0);
    expect(bystander.stderr()).toMatch(/teardown .*2 resources proved gone/);
    expect((await countLabelled(bystanderRun)).total).toBe(0);
  });

  it('keeps a provisioned server without --hold until `teardown --run-id`, which proves it gone', async () => {
    const name = uniqueName('pgr-kept');
    const p = await run(['provision', '--name', name]);
    expect(p.code).toBe(0);
    const runId = /run id: (\S+)/.exec(p.stdout)![1]!;
    expect(p.stdout.split('\n')[0]).toBe(`run id: ${runId}`);
    expect(p.stdout).toMatch(/connect: host 127\.0\.0\.1 port \d+/);
    await new Promise((r) => setTimeout(r, 1000));
    expect((await countLabelled(runId)).containers).toBe(1);
    const t = await run(['teardown', '--run-id', runId]);
    expect(t.code).toBe(0);
    expect(t.stdout).toContain(`container ${name}: removed; gone (inspect ${name}`);
    expect((await countLabelled(runId)).total).toBe(0);
    // A second teardown finds the record the first one left: finished already, nothing left.
    const again = await run(['teardown', '--run-id', runId]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`${runId}: finished already, by \`rehearse teardown\``);
  });

  it('finishes a kept server with `teardown --stale`, since its owner process is gone', async () => {
    const p = await run(['provision', '--name', uniqueName('pgr-stale')]);
    const runId = /run id: (\S+)/.exec(p.stdout)![1]!;
    expect((await countLabelled(runId)).containers).toBe(1);
    const t = await run(['teardown', '--stale']);
    expect(t.code).toBe(0);
    expect(t.stdout).toContain(`${runId}: teardown complete`);
    expect((await countLabelled(runId)).total).toBe(0);
    // The bystander is alive: --stale never touches a run whose owner lives.
    expect(t.stdout).not.toContain(bystanderRun);
  });

  it('prints the password nowhere', async () => {
    const p = await run(['provision', '--name', uniqueName('pgr-secret')]);
    const runId = /run id: (\S+)/.exec(p.stdout)![1]!;
    const { readFile } = await import('node:fs/promises');
    const password = await readFile((await readRunState(runId))!.secrets[0]!, 'utf8');
    expect(p.stdout + p.stderr).not.toContain(password);
    expect((await run(['teardown', '--run-id', runId])).code).toBe(0);
  });

  it('answers bad input with a usage error, exit 2, naming the option', async () => {
    const bad = await run(['provision', '--name', 'bad name']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--name/);
    expect((await run(['provision'])).code).toBe(2);
    expect((await run(['teardown'])).code).toBe(2);
    expect((await run(['no-such-command'])).code).toBe(2);
  });

  it('teaches with --help: commands, examples and exit codes', async () => {
    const h = await run(['--help']);
    expect(h.code).toBe(0);
    for (const c of ['provision', 'teardown', 'doctor']) expect(h.stdout).toContain(c);
    expect(h.stdout).toMatch(/4 +teardown incomplete/);
    const p = await run(['provision', '--help']);
    expect(p.stdout).toContain('Examples:');
  });

  it('doctor is green on a machine set up by scripts/setup', async () => {
    const d = await run(['doctor']);
    expect(d.stdout).toMatch(/ok +engine/);
    expect(d.stdout).toMatch(/ok +image/);
    expect(d.stdout).toMatch(/ok +pg_dump/);
    expect(d.code).toBe(0);
  });
});
