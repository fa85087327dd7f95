// Console output: data to stdout, messages to stderr. Colour only on a terminal and without
// NO_COLOR; on a terminal each step shows as it starts, off one line per step as it ends.
import type { Progress } from '../run/progress.js';
import { RehearseError, messageOf } from '../errors.js';

const useColour = (stream: NodeJS.WriteStream) => stream.isTTY === true && !process.env.NO_COLOR;
const paint = (code: number, text: string) => (useColour(process.stderr) ? `\x1b[${code}m${text}\x1b[0m` : text);
export const colour = {
  red: (t: string) => paint(31, t),
  green: (t: string) => paint(32, t),
  dim: (t: string) => paint(2, t),
  bold: (t: string) => paint(1, t),
};

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
