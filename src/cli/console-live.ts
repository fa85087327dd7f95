// `rehearse run` on a terminal: the running gates as live lines at the bottom of stderr (redrawn
// by log-update, a spinner from cli-spinners), and above them, for good, every line a plain
// console would print at a gate's end. Data lines go to stdout, with the live lines cleared first.
import cliSpinners from 'cli-spinners';
import { createLogUpdate } from 'log-update';
import type { Progress } from '../run/progress.js';
import type { Colour } from './console-colour.js';
import { endLine, gateEndLines } from './console-lines.js';
import { LiveState, liveLines } from './console-live-state.js';

export interface LiveConsole extends Progress, Disposable {}

/**
 * The terminal with a size: a pseudo-terminal nobody sized (script(1), some CI runners) says 0
 * rows and 0 columns, and log-update then draws nothing at all.
 */
function sized(stream: NodeJS.WriteStream): NodeJS.WriteStream {
  return Object.assign(Object.create(stream) as NodeJS.WriteStream, {
    write: (text: string) => stream.write(text),
    get columns() {
      return stream.columns || 80;
    },
    get rows() {
      return stream.rows || 24;
    },
  });
}

export function liveConsole(io: {
  stderr: NodeJS.WriteStream;
  stdout: NodeJS.WritableStream;
  colour: Colour;
  now?: () => number;
}): LiveConsole {
  const now = io.now ?? Date.now;
  const spinner = cliSpinners.dots;
  // showCursor: log-update would otherwise hide the cursor and install exit handlers to restore it.
  const update = createLogUpdate(sized(io.stderr), { showCursor: true });
  const state = new LiveState();
  let timer: NodeJS.Timeout | null = null;

  const draw = () => {
    const t = now();
    const frame = spinner.frames[Math.floor(t / spinner.interval) % spinner.frames.length]!;
    const lines = liveLines(state, t, frame, io.colour);
    if (lines.length > 0) update(lines.join('\n'));
    else update.clear();
    // The spinner turns only while something runs.
    if (lines.length > 0 && !timer) timer = setInterval(draw, spinner.interval).unref();
    if (lines.length === 0 && timer) (clearInterval(timer), (timer = null));
  };
  /** Print for good above the live lines. */
  const above = (stream: NodeJS.WritableStream, lines: readonly string[]) => {
    update.clear();
    stream.write(lines.map((l) => `${l}\n`).join(''));
    draw();
  };

  return {
    data: (line) => above(io.stdout, [line]),
    start: (step) => {
      // The gate runner announces each gate twice (its event, then this): the live line shows it once.
      if (step !== state.topLabel()) (state.activity(step), draw());
    },
    end: (step, ok, ms, detail) => {
      if (step === state.topLabel()) return;
      state.activity(null);
      above(io.stderr, [endLine(step, ok, ms, detail, io.colour)]);
    },
    note: (message) => above(io.stderr, [message]),
    event: (e) => {
      state.apply(e, now());
      if (e.type === 'gate_end') above(io.stderr, gateEndLines(e, io.colour));
      else draw();
    },
    [Symbol.dispose]: () => {
      if (timer) clearInterval(timer);
      timer = null;
      update.clear();
      update.done();
    },
  };
}
