// Which console `rehearse run` gets: `--quiet`; live lines on a terminal (stderr); plain lines
// elsewhere, in GitHub groups under GitHub Actions. Colour as console-colour.ts decides.
import { githubActionsOf } from '../run/github-outputs.js';
import type { Progress } from '../run/progress.js';
import { colourEnabled, colourOf } from './console-colour.js';
import { liveConsole } from './console-live.js';
import { plainConsole, quietConsole } from './console-plain.js';

type Env = Readonly<Record<string, string | undefined>>;

export type ConsoleMode = 'quiet' | 'live' | 'plain';

/** Live lines need a terminal that can move its cursor: not TERM=dumb. */
export function consoleModeOf(o: { quiet: boolean; stderrIsTTY: boolean; env: Env }): ConsoleMode {
  if (o.quiet) return 'quiet';
  return o.stderrIsTTY && o.env.TERM !== 'dumb' ? 'live' : 'plain';
}

export function runConsole(quiet: boolean): Progress & Disposable {
  const env = process.env;
  const tty = process.stderr.isTTY === true;
  const colour = colourOf(colourEnabled(env, tty));
  const err = (t: string) => void process.stderr.write(t);
  const out = (t: string) => void process.stdout.write(t);
  const none = { [Symbol.dispose]: () => {} };
  switch (consoleModeOf({ quiet, stderrIsTTY: tty, env })) {
    case 'quiet':
      return { ...quietConsole({ err, out }), ...none };
    case 'live':
      return liveConsole({ stderr: process.stderr, stdout: process.stdout, colour });
    case 'plain':
      return { ...plainConsole({ err, out, colour, github: githubActionsOf(env) !== null }), ...none };
  }
}
