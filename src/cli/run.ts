import type { Argv } from 'yargs';
import { githubRunOutputs } from './github-run-outputs.js';
import { runConsole } from './run-console.js';

export const command = 'run';
export const describe =
  'Rehearse the cutover: dump production read-only, restore it into an exact-named throwaway server, drive the scenarios gate by gate, tear down, and write report.json and report.md';

export function builder(y: Argv) {
  return y
    .option('config', {
      type: 'string',
      demandOption: true,
      describe: 'the rehearsal config (YAML); pins.yaml beside it',
    })
    .option('out', {
      type: 'string',
      demandOption: true,
      describe: 'folder for report.json, report.json.sha256, report.md and the redacted server log',
    })
    .option('previous', {
      type: 'string',
      describe:
        'a prior report.json (it must pass `rehearse verify`): the report shows, scenario by scenario, the progress since',
    })
    .option('cache', {
      type: 'boolean',
      default: false,
      describe:
        "use a cached restore when one matches this run's dump, roles, grants and image; else save one (it keeps a copy of production's data on this machine: `rehearse cache prune`)",
    })
    .option('quiet', {
      type: 'boolean',
      default: false,
      describe: "print only the run id, the verdict line, the report's paths and its sha256",
    })
    .option('junit', {
      type: 'string',
      nargs: 1,
      describe:
        'also write the run as JUnit XML to FILE: a testcase a gate and a scenario, FAIL a failure, INCONCLUSIVE an error, NOT_RUN skipped',
    })
    .option('events', {
      type: 'string',
      // One argument, whatever it is: else yargs takes `-` (stdout) for a positional.
      nargs: 1,
      describe:
        "also write the run's events as NDJSON to FILE as they happen (`-`: stdout, the other lines then all on stderr); schema/events.schema.json",
    })
    .option('keep-backup', {
      type: 'boolean',
      default: false,
      describe: 'keep the dump after the run (it holds production data; else it is shredded at teardown)',
    })
    .example(
      '$0 run --config rehearse.yaml --out reports/2026-11-25',
      'PASS exits 0; FAIL 1; INCONCLUSIVE 3; teardown incomplete 4',
    )
    .example(
      '$0 run --config rehearse.yaml --out reports/rerun --previous reports/first/report.json',
      'a rerun: the report says what changed since the prior FAIL',
    )
    .example(
      '$0 run --config rehearse.yaml --out reports/ci --quiet',
      "a CI log: the run id, the verdict, the report's paths and sha256 (under GitHub Actions also a step summary and ::error annotations)",
    )
    .example(
      '$0 run --config rehearse.yaml --out reports/ci --junit reports/ci/junit.xml --events -',
      'in a pipeline: JUnit for its test tab, the events as NDJSON on stdout',
    )
    .example('npm run demo -- --out /tmp/demo', 'the demo: an embedded production, the example system, S1-S12');
}

export async function handler(argv: {
  config: string;
  out: string;
  keepBackup: boolean;
  previous?: string;
  cache: boolean;
  quiet: boolean;
  junit?: string;
  events?: string;
}): Promise<number> {
  const { runCommand } = await import('../run/run-command.js');
  const { pipelineOutputs } = await import('./pipeline-outputs.js');
  using console = runConsole(argv.quiet);
  const { outputs, progress } = pipelineOutputs(argv, console);
  return await runCommand(
    {
      configFile: argv.config,
      outDir: argv.out,
      keepBackup: argv.keepBackup,
      previous: argv.previous,
      cache: argv.cache,
      outputs: [...outputs, ...githubRunOutputs(argv.out)],
    },
    progress,
  );
}
