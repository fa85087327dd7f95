// Finishing a run from its state file: the same path for a run ending normally, a signal,
// the reaper after a SIGKILL, `teardown --run-id` and `teardown --stale`.
import type { DockerClient } from './docker-client.js';
import { isAlive } from './owner-process.js';
import { listRunIds, readRunState, removeRunDir, stateRoot, writeRunState, type RunState } from './run-state.js';
import { teardownRecorded, type TeardownOutcome } from './teardown.js';

/** Tear down a recorded run; its folder goes when everything is proved gone, else it stays marked incomplete. Null when no such run is recorded. */
export async function finishRun(docker: DockerClient, runId: string, root = stateRoot()): Promise<TeardownOutcome | null> {
  const state = await readRunState(runId, root);
  if (!state) return null;
  const outcome = await teardownRecorded(docker, state);
  await settleRunState(state, outcome, root);
  return outcome;
}

/** After a teardown: remove the run's folder when everything is proved gone, else mark it incomplete. */
export async function settleRunState(state: RunState, outcome: TeardownOutcome, root = stateRoot()): Promise<void> {
  if (outcome.complete) await removeRunDir(state.runId, root);
  else await writeRunState({ ...state, status: 'teardown-incomplete' }, root);
}

/** A run is stale when its owner process is gone, whatever its status. */
export function isStale(state: RunState, alive: (owner: RunState['owner']) => boolean = isAlive): boolean {
  return !alive(state.owner);
}

/** Run ids whose owner is gone. */
export async function staleRunIds(root = stateRoot()): Promise<string[]> {
  const stale: string[] = [];
  for (const id of await listRunIds(root)) {
    const state = await readRunState(id, root).catch(() => null);
    if (state && isStale(state)) stale.push(id);
  }
  return stale;
}
