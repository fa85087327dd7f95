// `rehearse teardown --run-id` after the reaper: a run SIGKILLed with its whole process group is
// finished by its reaper, and teardown then says so (by whom, when, what was removed) and exits 0;
// a run id never recorded in the state folder is a usage error naming the folder it read.
import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { finishRun, PACKAGE_ROOT, readRunState, stateRoot } from '../engine/index.js';
import { countLabelled, eventually, docker, uniqueName } from '../test-support/docker.js';

const BIN = join(PACKAGE_ROOT, 'bin', 'rehearse.js');

interface Ran {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** `rehearse ARGS` in its own process group; `until` (a pattern on its output) then `act` while it runs. */
function rehearse(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  until?: RegExp,
  act?: (pid: number, out: string) => void,
): Promise<Ran> {
  const proc = spawn(process.execPath, [BIN, ...args], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1', ...env },
  });
  let stdout = '';
  let stderr = '';
  let acted = false;
  const check = () => {
    if (until && act && !acted && until.test(stdout + stderr)) {
      acted = true;
      act(proc.pid!, stdout);
    }
  };
  proc.stdout.on('data', (c: Buffer) => ((stdout += c.toString()), check()));
  proc.stderr.on('data', (c: Buffer) => ((stderr += c.toString()), check()));
  return new Promise((resolve) => proc.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
}

describe('teardown --run-id after the reaper', () => {
  it('exits 0 and says the reaper finished the SIGKILLed run, when, and what it removed', async () => {
    const name = uniqueName('pgr-reaped');
    let runId = '';
    const killed = await rehearse(
      ['provision', '--name', name, '--hold'],
      {},
      /holding the environment/,
      (pid, out) => {
        runId = /run id: (\S+)/.exec(out)![1]!;
        // The whole process group, as when a CI job is killed: only the reaper (its own session) survives.
        process.kill(-pid, 'SIGKILL');
      },
    );
    expect(killed.signal).toBe('SIGKILL');
    try {
      const left = await eventually(
        async () => ({ labelled: await countLabelled(runId), state: await readRunState(runId) }),
        (v) => v.labelled.total === 0 && v.state === null,
        20_000,
      );
      expect(left.labelled.total).toBe(0);
      expect(left.state).toBeNull();

      const t = await rehearse(['teardown', '--run-id', runId]);
      expect(t.code).toBe(0);
      expect(t.stdout).toMatch(
        new RegExp(
          `^${runId}: finished already, by its reaper, after its owner process \\d+ died without finishing, at \\d{4}-\\d\\d-\\d\\dT[0-9:.]+Z`,
          'm',
        ),
      );
      expect(t.stdout).toContain(`${runId}: it removed container ${name}, network ${name}-net`);
      expect(t.stdout).toContain(`recorded in ${join(stateRoot(), 'finished', `${runId}.json`)}`);
      expect(t.stdout).toMatch(/reaper log:\n.*watching owner \d+\n/);
      expect(t.stdout).toContain('owner is gone; tearing down');
      expect(t.stdout).toContain(`${runId}: teardown complete: checked again now, 2 resources gone`);
      expect(t.stdout).not.toMatch(/NOT GONE|INCOMPLETE/);
    } finally {
      if (runId && (await readRunState(runId))) await finishRun(docker, runId);
    }
  });

  it('answers a run id never recorded in the state folder with exit 2, naming the folder it read', async () => {
    const root = await mkdtemp(join(tmpdir(), 'pgr-other-state-'));
    const t = await rehearse(['teardown', '--run-id', '20261125-170157-1a2b3c4d'], { PG_REHEARSE_STATE_DIR: root });
    expect(t.code).toBe(2);
    expect(t.stderr).toContain(`no run \`20261125-170157-1a2b3c4d\` is recorded in the state folder ${root}`);
    expect(t.stderr).toContain(`${root}/finished`);
    expect(t.stderr).toContain('PG_REHEARSE_STATE_DIR');
  });

  it('says a run finished by itself was finished by itself, and exits 0', async () => {
    const root = await mkdtemp(join(tmpdir(), 'pgr-own-state-'));
    const name = uniqueName('pgr-own');
    let runId = '';
    const own = await rehearse(
      ['provision', '--name', name, '--hold'],
      { PG_REHEARSE_STATE_DIR: root },
      /holding the environment/,
      (pid, out) => {
        runId = /run id: (\S+)/.exec(out)![1]!;
        process.kill(pid, 'SIGINT');
      },
    );
    expect(own.code).toBe(0);
    const t = await rehearse(['teardown', '--run-id', runId], { PG_REHEARSE_STATE_DIR: root });
    expect(t.code).toBe(0);
    expect(t.stdout).toMatch(new RegExp(`^${runId}: finished already, by the run itself \\(process \\d+\\), at `, 'm'));
    expect(t.stdout).toContain(`it removed container ${name}, network ${name}-net`);
    expect((await countLabelled(runId)).total).toBe(0);
  });
});
