import type { Argv } from 'yargs';
import { UsageError } from '../errors.js';
import { consoleProgress } from './output.js';

export const command = 'teardown';
export const describe =
  'Finish the teardown of a run from its state file: by --run-id, or every --stale run whose owner process is gone';

export function builder(y: Argv) {
  return y
    .option('run-id', { type: 'string', describe: 'the run id a run or `provision` printed first' })
    .option('stale', {
      type: 'boolean',
      default: false,
      describe: 'every recorded run whose owner process is gone (a killed run, a kept `provision`)',
    })
    .example('$0 teardown --run-id 20261125-170157-1a2b3c4d', 'remove exactly what that run created, and prove it gone')
    .example('$0 teardown --stale', 'finish what dead runs left behind (CI runs this before its tests)');
}

export async function handler(argv: { runId?: string; stale: boolean }): Promise<number> {
  if ((argv.runId === undefined) === !argv.stale)
    throw new UsageError('give exactly one of `--run-id ID` and `--stale`');
  const { teardownRunId, teardownStale } = await import('../run/teardown-runs.js');
  const { dockerClient } = await import('../run/docker.js');
  const progress = consoleProgress();
  const outcomes =
    argv.runId !== undefined
      ? [await teardownRunId(dockerClient(), argv.runId, progress)]
      : await teardownStale(dockerClient(), progress);
  return outcomes.every((o) => o.complete) ? 0 : 4;
}
