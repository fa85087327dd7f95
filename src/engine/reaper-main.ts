// Entry of the reaper process: `node reaper-main.js RUN_ID OWNER_PID`. See reaper.ts.
import { setTimeout as sleep } from 'node:timers/promises';
import { messageOf } from '../errors.js';
import { dockerClient } from './docker-client.js';
import { settleRunState } from './finish-run.js';
import { readRunState, runDir, type RunState } from './run-state.js';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { teardownRecorded } from './teardown.js';

const POLL_MS = 200;
// An engine call in flight when the tool died still completes on the engine's side; a second
// pass catches a container whose create answered after the first pass looked.
const SECOND_PASS_MS = 2000;

async function main(runId: string, ownerPid: number): Promise<void> {
  const log = (msg: string): void => {
    process.stdout.write(`${new Date().toISOString()} reaper ${runId}: ${msg}\n`);
  };
  log(`watching owner ${ownerPid}`);
  let state: RunState | null;
  for (;;) {
    state = await readRunState(runId).catch(() => null);
    if (!state) {
      // The reaper starts before the state file is written: an empty run folder is a run starting.
      if (!existsSync(runDir(runId))) return log('run finished; exiting');
      if (process.ppid !== ownerPid) {
        await rm(runDir(runId), { recursive: true, force: true });
        return log('owner is gone before it recorded anything; nothing to tear down');
      }
      await sleep(POLL_MS);
      continue;
    }
    if (state.status === 'released') return log('environment released to its user; exiting');
    // kill(pid, 0) succeeds on a zombie owner: a change of our parent is the reliable sign.
    if (process.ppid !== ownerPid) break;
    await sleep(POLL_MS);
  }
  log('owner is gone; tearing down');
  // The owner may have recorded one more name since the last poll.
  state = (await readRunState(runId).catch(() => null)) ?? state;
  const docker = dockerClient();
  const first = await teardownRecorded(docker, state);
  log(`first pass: ${first.complete ? 'complete' : 'incomplete'}`);
  await sleep(SECOND_PASS_MS);
  const second = await teardownRecorded(docker, state);
  log(`second pass: ${second.complete ? 'complete' : 'incomplete'}`);
  await settleRunState(state, second);
}

const [runId, ownerPid] = process.argv.slice(2);
if (!runId || !ownerPid) {
  process.stderr.write('usage: reaper-main.js RUN_ID OWNER_PID\n');
  process.exit(2);
}
main(runId, Number(ownerPid)).catch((err: unknown) => {
  process.stderr.write(`reaper ${runId}: ${messageOf(err)}\n`);
  process.exit(1);
});
