// Finishing a run from its state file: the same path for a run ending normally, a signal,
// the reaper after a SIGKILL, `teardown --run-id` and `teardown --stale`.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { messageOf } from '../errors.js';
import type { DockerClient } from './docker-client.js';
import { finishedRun, pruneFinishedRuns, writeFinishedRun, type FinishedBy } from './finished-run.js';
import { isAlive } from './owner-process.js';
import {
  isNotFound,
  listRunIds,
  readRunState,
  removeRunDir,
  runDir,
  stateRoot,
  writeRunState,
  type RunState,
} from './run-state.js';
import { teardownRecorded, type TeardownOutcome } from './teardown.js';

/** Tear down a recorded run; its folder goes when everything is proved gone, else it stays marked incomplete. Null when no such run is recorded. */
export async function finishRun(
  docker: DockerClient,
  runId: string,
  root = stateRoot(),
  by: FinishedBy = 'teardown',
): Promise<TeardownOutcome | null> {
  const state = await readRunState(runId, root);
  if (!state) return null;
  const outcome = await teardownRecorded(docker, state);
  await settleRunState(state, outcome, root, by);
  return outcome;
}

export interface Settled {
  /** The record of the finished run (finished/RUN_ID.json), or null when teardown was incomplete or it could not be written. */
  record: string | null;
  /** What went wrong keeping the record or pruning old ones: the teardown itself is not affected. */
  problems: string[];
}

/**
 * After a teardown: when everything is proved gone, keep the run's record (its reaper log
 * included) beside the runs, remove the run's folder and prune records past their week; else
 * mark the run incomplete and keep its folder, for `teardown --run-id`.
 */
export async function settleRunState(
  state: RunState,
  outcome: TeardownOutcome,
  root = stateRoot(),
  by: FinishedBy = 'owner',
  now = new Date(),
): Promise<Settled> {
  if (!outcome.complete) {
    await writeRunState({ ...state, status: 'teardown-incomplete' }, root);
    return { record: null, problems: [] };
  }
  const problems: string[] = [];
  const record = finishedRun(state, outcome, by, now, await readReaperLog(state.runId, root));
  let path: string | null = null;
  try {
    path = await writeFinishedRun(record, root);
  } catch (first) {
    // A full state folder: the run's own folder goes first, then one more try.
    await removeRunDir(state.runId, root);
    try {
      path = await writeFinishedRun(record, root);
    } catch (err) {
      problems.push(
        `could not keep the record of the finished run under ${root}/finished: ${messageOf(err)} (first try: ${messageOf(first)})`,
      );
    }
  }
  await removeRunDir(state.runId, root);
  try {
    await pruneFinishedRuns(root, now);
  } catch (err) {
    problems.push(
      `could not prune the records of runs finished over a week ago under ${root}/finished: ${messageOf(err)}`,
    );
  }
  return { record: path, problems };
}

/** The reaper's log of a run (reaper.log in its folder), or null when there is none. */
async function readReaperLog(runId: string, root: string): Promise<string | null> {
  try {
    return await readFile(join(runDir(runId, root), 'reaper.log'), 'utf8');
  } catch (err) {
    if (isNotFound(err)) return null;
    return `(reaper.log could not be read: ${messageOf(err)})`;
  }
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
