import type { Argv } from 'yargs';
import { ProvisionOptions, parseOptions } from '../config/index.js';
import { consoleProgress, printError } from './output.js';

export const command = 'provision';
export const describe =
  'Create one exact-named throwaway PostgreSQL environment, wait until it is really ready, and print how to connect';

export function builder(y: Argv) {
  return y
    .option('name', {
      type: 'string',
      demandOption: true,
      describe: 'exact name of the container (its network is NAME-net); refused if either exists',
    })
    .option('hold', {
      type: 'boolean',
      default: false,
      describe:
        'keep it until SIGINT (Ctrl-C) or SIGTERM, then tear it down; without it, it stays until `rehearse teardown --run-id`',
    })
    .option('image', { type: 'string', describe: 'PostgreSQL image (default: the local image scripts/setup builds)' })
    .option('database', { type: 'string', default: 'rehearse', describe: 'database created in the new server' })
    .option('init-dir', {
      type: 'string',
      describe: 'folder of init scripts (*.sql, *.sh) mounted read-only at /docker-entrypoint-initdb.d',
    })
    .option('ready-consecutive', {
      type: 'number',
      default: 3,
      describe: 'readiness: answered queries in a row, same postmaster start time',
    })
    .option('ready-interval-ms', { type: 'number', default: 200, describe: 'readiness: pause between queries' })
    .option('ready-timeout-ms', {
      type: 'number',
      default: 90_000,
      describe: 'readiness: give up after this long (INCONCLUSIVE, exit 3)',
    })
    .example('$0 provision --name try-pg --hold', 'a server until Ctrl-C, then nothing left behind')
    .example('$0 provision --name try-pg', 'keep it; remove it later with `rehearse teardown --run-id RUN_ID`');
}

interface Args {
  name: string;
  hold: boolean;
  image?: string;
  database: string;
  initDir?: string;
  readyConsecutive: number;
  readyIntervalMs: number;
  readyTimeoutMs: number;
}

export async function handler(argv: Args): Promise<number> {
  const opts = parseOptions(
    ProvisionOptions,
    {
      name: argv.name,
      hold: argv.hold,
      image: argv.image,
      database: argv.database,
      initDir: argv.initDir,
      readiness: {
        consecutive: argv.readyConsecutive,
        intervalMs: argv.readyIntervalMs,
        timeoutMs: argv.readyTimeoutMs,
      },
    },
    'provision options',
  );
  const { provisionCommand } = await import('../run/provision.js');
  const { exitCode, outcome } = await provisionCommand(opts, consoleProgress());
  if (outcome.error) printError(outcome.error);
  return exitCode;
}
