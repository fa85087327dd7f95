import type { Argv } from 'yargs';
import { consoleProgress } from './output.js';

export const command = 'plan';
export const describe =
  'Print what a run would do (gates, exact names, image, artefacts and their pins, scenarios, watched tables); creates nothing';

export function builder(y: Argv) {
  return y
    .option('config', { type: 'string', demandOption: true, describe: 'the rehearsal config (YAML)' })
    .example(
      '$0 plan --config rehearse.yaml',
      'exit 0, or 1 when a run would fail at G0 (pin mismatch), 2 for a config error',
    );
}

export async function handler(argv: { config: string }): Promise<number> {
  const { planCommand } = await import('../run/plan.js');
  return planCommand(argv.config, consoleProgress());
}
