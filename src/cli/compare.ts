import type { Argv } from 'yargs';
import { consoleProgress } from './output.js';

export const command = 'compare <prior> <current>';
export const describe =
  'Show the progress between two finished reports, scenario by scenario (FAIL -> PASS, ...), and whether a failure is the same';

export function builder(y: Argv) {
  return y
    .positional('prior', { type: 'string', demandOption: true, describe: 'the earlier report.json' })
    .positional('current', { type: 'string', demandOption: true, describe: 'the later report.json' })
    .example(
      '$0 compare first/report.json rerun/report.json',
      'exit 0, or 1 when a scenario went from PASS to anything else; 2 when a report fails verify',
    );
}

export async function handler(argv: { prior: string; current: string }): Promise<number> {
  const { compareCommand } = await import('../run/compare-command.js');
  return compareCommand(argv.prior, argv.current, consoleProgress());
}
