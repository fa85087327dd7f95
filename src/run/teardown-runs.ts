// `rehearse teardown`: finish a run that died (or a provisioned environment kept for a person)
// from its state file, exactly as the run itself would have; for a run already finished (by
// itself, its reaper or an earlier teardown), say so from the record it left, and prove again
// that what it removed is still gone.
import {
  checkEngine,
  finishRun,
  finishedRecordPath,
  FINISHED_KEEP_MS,
  readFinishedRun,
  readRunState,
  remainingOf,
  staleRunIds,
  stateRoot,
  teardownRecorded,
  type DockerClient,
  type FinishedRun,
  type TeardownOutcome,
} from '../engine/index.js';
import { UsageError } from '../errors.js';
import { RUN_ID_PATTERN } from './run-id.js';
import type { Progress } from './progress.js';

export async function teardownRunId(
  docker: DockerClient,
  runId: string,
  progress: Progress,
  root = stateRoot(),
): Promise<TeardownOutcome> {
  if (!RUN_ID_PATTERN.test(runId))
    throw new UsageError(`Expected \`--run-id\` like 20261125-170157-1a2b3c4d, got \`${runId}\``);
  if (!(await readRunState(runId, root))) {
    const finished = await readFinishedRun(runId, root);
    if (finished) return reportFinished(docker, finished, progress, root);
    const days = FINISHED_KEEP_MS / 86_400_000;
    throw new UsageError(
      `no run \`${runId}\` is recorded in the state folder ${root}: neither unfinished (${root}/runs) nor finished in the last ${days} days (${root}/finished); it ran with another PG_REHEARSE_STATE_DIR (or XDG_STATE_HOME, or user), or it finished more than ${days} days ago`,
      {
        hint: `list the runs recorded here with \`ls ${root}/runs ${root}/finished\`, or run teardown with the PG_REHEARSE_STATE_DIR the run had`,
      },
    );
  }
  await checkEngine(docker);
  const outcome = (await finishRun(docker, runId, root))!;
  report(progress, outcome);
  return outcome;
}

const FINISHER: Record<FinishedRun['finishedBy'], (r: FinishedRun) => string> = {
  owner: (r) => `by the run itself (process ${r.ownerPid})`,
  reaper: (r) => `by its reaper, after its owner process ${r.ownerPid} died without finishing`,
  teardown: () => 'by `rehearse teardown`',
};

/** A run finished already: what its record says, then the same proof as a teardown that everything it recorded is still gone. */
async function reportFinished(
  docker: DockerClient,
  r: FinishedRun,
  progress: Progress,
  root: string,
): Promise<TeardownOutcome> {
  const removed = r.resources.filter((x) => x.action === 'removed');
  progress.data(
    `${r.runId}: finished already, ${FINISHER[r.finishedBy](r)}, at ${r.finishedAt} (teardown took ${(r.ms / 1000).toFixed(1)} s; recorded in ${finishedRecordPath(r.runId, root)})`,
  );
  progress.data(
    `${r.runId}: it removed ${removed.length ? removed.map((x) => `${x.kind} ${x.name}`).join(', ') : 'nothing (nothing was left to remove)'}`,
  );
  for (const x of r.resources)
    progress.data(
      `${r.runId}: then: ${x.kind} ${x.name}: ${x.action}; ${x.gone ? 'gone' : 'NOT GONE'} (${x.proof})${x.detail ? ` ${x.detail}` : ''}`,
    );
  for (const s of r.secrets)
    progress.data(
      `${r.runId}: then: secret file ${s.path}: ${s.shredded ? 'shredded' : `NOT SHREDDED ${s.detail ?? ''}`}`,
    );
  if (r.reaperLog !== null) {
    progress.data(`${r.runId}: reaper log:`);
    for (const line of r.reaperLog.trimEnd().split('\n')) progress.data(`  ${line}`);
  }
  await checkEngine(docker);
  // Removes only what still carries this run's label under its recorded name: nothing, unless something is wrong.
  // Its secret files are not touched again: their paths may hold something else by now.
  const now = await teardownRecorded(docker, {
    version: 1,
    runId: r.runId,
    createdAt: r.createdAt,
    status: 'active',
    owner: { pid: r.ownerPid, startTicks: null },
    resources: r.resources.map((x) => ({ kind: x.kind, name: x.name, id: x.id })),
    secrets: [],
  });
  for (const x of now.resources.filter((x) => x.action !== 'already-gone'))
    progress.data(
      `${r.runId}: now: ${x.kind} ${x.name}: ${x.action}; ${x.gone ? 'gone' : 'NOT GONE'} (${x.proof})${x.detail ? ` ${x.detail}` : ''}`,
    );
  progress.data(
    now.complete
      ? `${r.runId}: teardown complete: checked again now, ${now.resources.length} resources gone${now.resources.length ? ` (${now.resources.map((x) => x.proof).join('; ')})` : ''}`
      : `${r.runId}: teardown INCOMPLETE: ${remainingOf(now).join(', ')}`,
  );
  return now;
}

/** Finish every recorded run whose owner process is gone. */
export async function teardownStale(
  docker: DockerClient,
  progress: Progress,
  root = stateRoot(),
): Promise<TeardownOutcome[]> {
  const ids = await staleRunIds(root);
  if (ids.length === 0) {
    progress.note(`no stale runs under ${root}/runs`);
    return [];
  }
  await checkEngine(docker);
  const outcomes: TeardownOutcome[] = [];
  for (const id of ids) {
    const outcome = await finishRun(docker, id, root);
    if (outcome) {
      report(progress, outcome);
      outcomes.push(outcome);
    }
  }
  return outcomes;
}

function report(progress: Progress, t: TeardownOutcome): void {
  for (const r of t.resources)
    progress.data(
      `${t.runId}: ${r.kind} ${r.name}: ${r.action}; ${r.gone ? 'gone' : 'NOT GONE'} (${r.proof})${r.detail ? ` ${r.detail}` : ''}`,
    );
  for (const s of t.secrets)
    progress.data(`${t.runId}: secret file ${s.path}: ${s.shredded ? 'shredded' : `NOT SHREDDED ${s.detail ?? ''}`}`);
  progress.data(
    t.complete ? `${t.runId}: teardown complete` : `${t.runId}: teardown INCOMPLETE: ${remainingOf(t).join(', ')}`,
  );
}
