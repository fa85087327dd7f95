import type { Argv } from 'yargs';
import { consoleProgress } from './output.js';

export const command = 'cache <action>';
export const describe =
  'Manage cached restores (snapshots labelled io.pg-rehearse.cache, keyed by dump, roles, grants and image): ls, prune';

export function builder(y: Argv) {
  return y
    .positional('action', {
      choices: ['ls', 'prune'] as const,
      demandOption: true,
      describe: 'ls: list snapshots; prune: remove them by exact key',
    })
    .option('older-than', { type: 'string', describe: 'prune only snapshots older than this (30m, 12h, 7d)' })
    .option('key', { type: 'string', describe: 'prune only the snapshot of this exact key' })
    .example('$0 cache ls', 'key, image, age and size of each snapshot')
    .example('$0 cache prune --older-than 7d', 'remove week-old snapshots (they hold production data)');
}

export async function handler(argv: { action: 'ls' | 'prune'; olderThan?: string; key?: string }): Promise<number> {
  const { cacheList, cachePrune } = await import('../run/cache-command.js');
  return argv.action === 'ls'
    ? cacheList(consoleProgress())
    : cachePrune({ olderThan: argv.olderThan, key: argv.key }, consoleProgress());
}
