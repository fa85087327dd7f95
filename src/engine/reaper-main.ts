// Entry of the reaper process: `node reaper-main.js RUN_ID OWNER_PID`. See reaper.ts.
import { setTimeout as sleep } from 'node:timers/promises';
import { messageOf } from '../errors.js';
import { plural } from '../plural.js';
import { dockerClient } from './docker-client.js';
import { settleRunState } from './finish-run.js';
import { combinePasses } from './reaper-passes.js';
import { readRunState, runDir, stateRoot, type RunState } from './run-state.js';
import { existsSync } from 'node:fs';
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
        log('owner is gone before it recorded anything; nothing to tear down');
        const nothing = { runId, complete: true, resources: [], secrets: [], ms: 0 };
        const started: RunState = {
          version: 1,
          runId,
          createdAt: new Date().toISOString(),
          status: 'active',
          owner: { pid: ownerPid, startTicks: null },
          resources: [],
          secrets: [],
        };
        return settled(await settleRunState(started, nothing, stateRoot(), 'reaper'));
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
  const outcome = combinePasses(first, second);
  const removed = outcome.resources.filter((r) => r.action === 'removed').map((r) => `${r.kind} ${r.name}`);
  log(
    `removed: ${removed.length ? removed.join(', ') : 'nothing'}; ${plural(outcome.secrets.filter((s) => s.shredded).length, 'secret file')} shredded`,
  );
  if (outcome.complete) log(`keeping the record of the run under ${stateRoot()}/finished; removing its folder`);
  settled(await settleRunState(state, outcome, stateRoot(), 'reaper'));
}

/** Problems keeping the record: to stderr, the run's reaper.log (unlinked with the run's folder by then, so only a person already reading it sees them). */
function settled(s: { record: string | null; problems: string[] }): void {
  for (const p of s.problems) process.stderr.write(`reaper: ${p}\n`);
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
