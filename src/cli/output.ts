// Console output: data to stdout, messages to stderr. Colour as console-colour.ts decides (Node's
// rules: FORCE_COLOR, NO_COLOR, a terminal); on a terminal each step shows as it starts, off one
// line per step as it ends. `rehearse run` draws its gates with run-console.ts instead.
import type { Progress } from '../run/progress.js';
import { RehearseError, messageOf } from '../errors.js';
import { colourEnabled, colourOf } from './console-colour.js';

export const colour = colourOf(colourEnabled(process.env, process.stderr.isTTY === true));

const seconds = (ms: number) => (ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`);

export function consoleProgress(): Progress {
  const tty = process.stderr.isTTY === true;
  return {
    data: (line) => void process.stdout.write(line + '\n'),
    start: (step) => {
      if (tty) process.stderr.write(colour.dim(`… ${step}`) + '\n');
    },
    end: (step, ok, ms, detail) =>
      void process.stderr.write(
        `${ok ? colour.green('ok  ') : colour.red('FAIL')} ${step} (${seconds(ms)})${detail ? `: ${detail}` : ''}\n`,
      ),
    note: (message) => void process.stderr.write(`${message}\n`),
    event: () => {},
  };
}

/** Print an error the way users read it: what failed, then what to do; a bug of ours keeps its stack. */
export function printError(err: unknown): void {
  if (err instanceof RehearseError) {
    process.stderr.write(`${colour.red('rehearse:')} ${err.message}\n`);
    if (err.hint) process.stderr.write(`  what to do: ${err.hint}\n`);
    if (err.kind === 'tool' && err.stack) process.stderr.write(err.stack + '\n');
    return;
  }
  process.stderr.write(`${colour.red('rehearse: unexpected error (a bug of pg-rehearse):')} ${messageOf(err)}\n`);
  if (err instanceof Error && err.stack) process.stderr.write(err.stack + '\n');
}
