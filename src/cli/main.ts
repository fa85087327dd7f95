// `rehearse`: parse, call the run layer, map the outcome to an exit code; one top-level catch.
import yargs, { type Argv, type ArgumentsCamelCase } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { InputFileError } from '../config/index.js';
import { UsageError } from '../errors.js';
import { exitCodeOfError } from '../run/exit-code.js';
import { EXIT_CODES_EPILOGUE } from './exit-codes-epilogue.js';
import { printError } from './output.js';
import * as cache from './cache.js';
import * as compare from './compare.js';
import * as doctor from './doctor.js';
import * as pin from './pin.js';
import * as plan from './plan.js';
import * as run from './run.js';
import * as provision from './provision.js';
import * as teardown from './teardown.js';
import * as verify from './verify.js';

/** One command module per file: its builder's options type its handler's arguments. */
interface CommandModule<U> {
  command: string;
  describe: string;
  builder: (y: Argv) => Argv<U>;
  handler: (argv: ArgumentsCamelCase<U>) => Promise<number>;
}

async function main(): Promise<number> {
  // A reader that closed stdout (`rehearse run ... | head -1`) must not kill a run mid-gate: the run
  // goes on, tears down and writes its report; what it would have printed there is lost.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
  });
  let exitCode = 0;
  const cli = yargs(hideBin(process.argv))
    .scriptName('rehearse')
    .usage(
      '$0 <command> [options]\n\nRehearse a PostgreSQL cutover against exact-named throwaway environments that always go away.',
    )
    .strict()
    .demandCommand(1, 'name a command')
    .recommendCommands()
    .epilogue(EXIT_CODES_EPILOGUE)
    .wrap(Math.min(110, process.stdout.columns || 100))
    .exitProcess(false)
    // An argument no command takes is refused, one after `--` included: never silently ignored.
    .check((argv) => {
      const extra = argv._.slice(1);
      if (extra.length > 0)
        throw new UsageError(
          `unexpected argument${extra.length > 1 ? 's' : ''} ${extra.map((a) => `\`${String(a)}\``).join(' ')}: \`rehearse ${String(argv._[0])}\` takes no more arguments (one after \`--\` included)`,
        );
      return true;
    }, true)
    .fail((msg, err) => {
      // yargs' own parse errors (an option without its argument) are bad command lines: exit 2.
      throw err && err.name !== 'YError' ? err : new UsageError(msg || err?.message || 'bad command line');
    });
  const register = <U>(mod: CommandModule<U>) =>
    cli.command(
      mod.command,
      mod.describe,
      (y) => mod.builder(y).epilogue(EXIT_CODES_EPILOGUE),
      async (argv) => {
        exitCode = await mod.handler(argv);
      },
    );
  register(run);
  register(plan);
  register(pin);
  register(verify);
  register(compare);
  register(cache);
  register(provision);
  register(teardown);
  register(doctor);
  await cli.parseAsync();
  return exitCode;
}

try {
  process.exitCode = await main();
} catch (err) {
  printError(err);
  // An input file's error names its file and line: --help would not help there.
  if (err instanceof UsageError && !(err instanceof InputFileError)) process.stderr.write('  see `rehearse --help`\n');
  process.exitCode = exitCodeOfError(err);
}
