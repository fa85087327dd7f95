import type { Argv } from 'yargs';
import { consoleProgress } from './output.js';

export const command = 'pin';
export const describe =
  'Write the sha256 of every artefact under review (config, roles, grants, grant matrix, watched tables, scenarios) into pins.yaml beside the config, for a reviewer to approve';

export function builder(y: Argv) {
  return y
    .option('config', { type: 'string', demandOption: true, describe: 'the rehearsal config (YAML)' })
    .example('$0 pin --config rehearse.yaml', 'then review and commit pins.yaml');
}

export async function handler(argv: { config: string }): Promise<number> {
  const { pinCommand } = await import('../run/pin.js');
  return pinCommand(argv.config, consoleProgress());
}
