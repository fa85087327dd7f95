// How the run layer talks to its user: data lines for stdout, progress for stderr.
// The CLI provides the implementation (terminal or plain lines); tests collect lines.
import type { RunEvent } from './run-events.js';

export interface Progress {
  /** A line of data (run id, how to connect): stdout. */
  data(line: string): void;
  /** A step starts: stderr. */
  start(step: string): void;
  /** The step ended, with its time. */
  end(step: string, ok: boolean, ms: number, detail?: string): void;
  /** A message that is not a step; `kind` marks the few that `--quiet` still prints. */
  note(message: string, kind?: NoteKind): void;
  /** What happened, as a typed event (run-events.ts): for a live terminal and `--events`. */
  event(e: RunEvent): void;
}

/** `verdict`: the run's verdict line; `error`: something the user must know (an output that could not be written). */
export type NoteKind = 'verdict' | 'error';

export const silentProgress: Progress = { data() {}, start() {}, end() {}, note() {}, event() {} };

/** Time a step and report its start and end; a failure is reported and rethrown. */
export async function step<T>(
  progress: Progress,
  name: string,
  work: () => Promise<T>,
  detail?: (value: T) => string,
): Promise<T> {
  const t0 = Date.now();
  progress.start(name);
  try {
    const value = await work();
    progress.end(name, true, Date.now() - t0, detail?.(value));
    return value;
  } catch (err) {
    progress.end(name, false, Date.now() - t0);
    throw err;
  }
}

/** The user's progress, with every line also kept (for the leak scan of what the tool printed). */
export function teeProgress(inner: Progress, lines: string[]): Progress {
  return {
    data: (line) => (lines.push(line), inner.data(line)),
    start: (step) => (lines.push(step), inner.start(step)),
    end: (step, ok, ms, detail) => (lines.push(`${step} ${detail ?? ''}`), inner.end(step, ok, ms, detail)),
    note: (message, kind) => (lines.push(message), inner.note(message, kind)),
    event: (e) => (lines.push(JSON.stringify(e)), inner.event(e)),
  };
}

export interface BytesProgressOptions {
  /** How the note names it (the event says `what`). */
  label?: string;
  /** Only where it is really known (a restore from a file); a logical dump's size is not. */
  totalBytes?: number | null;
  now?: () => number;
}

/** A long dump or restore shows its progress: a note every 64 MiB, and a `progress` event at most once a second and when the total is reached. */
export function bytesProgress(
  progress: Progress,
  what: 'dump' | 'restore',
  o: BytesProgressOptions = {},
): (bytes: number) => void {
  const now = o.now ?? Date.now;
  const total = o.totalBytes ?? null;
  let shown = 0;
  let toldAt = -Infinity;
  let toldBytes = -1;
  return (bytes) => {
    const t = now();
    const reached = total !== null && bytes >= total && toldBytes < total;
    if ((t - toldAt >= 1000 && bytes !== toldBytes) || reached) {
      toldAt = t;
      toldBytes = bytes;
      progress.event({ type: 'progress', what, bytes, total_bytes: total });
    }
    if (bytes - shown < 64 * 1024 ** 2) return;
    shown = bytes;
    progress.note(`  ${o.label ?? what}: ${(bytes / 1024 ** 2).toFixed(0)} MiB`);
  };
}
