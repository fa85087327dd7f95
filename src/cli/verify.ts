import type { Argv } from 'yargs';
import { consoleProgress } from './output.js';

export const command = 'verify <report>';
export const describe =
  "Check a finished report: its JSON Schema, its sha256 (the file beside it, or --expect-sha), every artefact's sha256, and the backup where it was kept (a dump's sha256; a base backup's backup_manifest sha256 and pg_verifybackup on it again)";

export function builder(y: Argv) {
  return y
    .positional('report', { type: 'string', demandOption: true, describe: 'DIR/report.json' })
    .option('expect-sha', {
      type: 'string',
      describe: 'the sha256 the run printed at its end: protects against an edit of both the report and its sha file',
    })
    .example(
      '$0 verify reports/report.json --expect-sha 5d48a7...',
      'exit 0 all match, 1 a mismatch, 2 the report cannot be read, 3 pg_verifybackup cannot run on a kept base backup',
    );
}

export async function handler(argv: { report: string; expectSha?: string }): Promise<number> {
  const { verifyCommand } = await import('../run/verify-command.js');
  return verifyCommand(argv.report, argv.expectSha, consoleProgress());
}
