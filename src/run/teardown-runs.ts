// `rehearse teardown`: finish a run that died (or a provisioned environment kept for a person)
// from its state file, exactly as the run itself would have.
import { checkEngine, finishRun, readRunState, remainingOf, staleRunIds, stateRoot, type DockerClient, type TeardownOutcome } from '../engine/index.js';
import { UsageError } from '../errors.js';
import { RUN_ID_PATTERN } from './run-id.js';
import type { Progress } from './progress.js';

export async function teardownRunId(docker: DockerClient, runId: string, progress: Progress, root = stateRoot()): Promise<TeardownOutcome> {
  if (!RUN_ID_PATTERN.test(runId)) throw new UsageError(`Expected \`--run-id\` like 20261125-170157-1a2b3c4d, got \`${runId}\``);
  if (!(await readRunState(runId, root))) {
    throw new UsageError(`no run \`${runId}\` is recorded under ${root}/runs: it was finished already, or it ran with another PG_REHEARSE_STATE_DIR`, {
      hint: 'list recorded runs with `ls ' + root + '/runs`',
    });
  }
  await checkEngine(docker);
  const outcome = (await finishRun(docker, runId, root))!;
  report(progress, outcome);
  return outcome;
}

/** Finish every recorded run whose owner process is gone. */
export async function teardownStale(docker: DockerClient, progress: Progress, root = stateRoot()): Promise<TeardownOutcome[]> {
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
  for (const r of t.resources) progress.data(`${t.runId}: ${r.kind} ${r.name}: ${r.action}; ${r.gone ? 'gone' : 'NOT GONE'} (${r.proof})${r.detail ? ` ${r.detail}` : ''}`);
  for (const s of t.secrets) progress.data(`${t.runId}: secret file ${s.path}: ${s.shredded ? 'shredded' : `NOT SHREDDED ${s.detail ?? ''}`}`);
  progress.data(t.complete ? `${t.runId}: teardown complete` : `${t.runId}: teardown INCOMPLETE: ${remainingOf(t).join(', ')}`);
}
