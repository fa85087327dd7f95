// The lines `rehearse run` prints for its gates and scenarios, plain text in, text out. The end
// line keeps its shape (`ok   ID title (time)`, `FAIL ID title (time): STATUS`): users' scripts read it.
import { byteSize } from '../byte-size.js';
import type { RunEvent } from '../run/run-events.js';
import type { Colour } from './console-colour.js';

type GateStart = Extract<RunEvent, { type: 'gate_start' }>;
type GateEnd = Extract<RunEvent, { type: 'gate_end' }>;

export const seconds = (ms: number) => (ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`);

/** A step's end: `ok   NAME (time)` or `FAIL NAME (time): DETAIL`. */
export function endLine(name: string, ok: boolean, ms: number, detail: string | undefined, c: Colour): string {
  return `${ok ? c.green('ok  ') : c.red('FAIL')} ${name} (${seconds(ms)})${detail ? `: ${detail}` : ''}`;
}

/** A gate or scenario starts (off a terminal; on one, its live line shows it). */
export const startLine = (e: GateStart, c: Colour) => `${c.dim('... ')} ${e.id} ${e.title}`;

const indented = (text: string) => text.split('\n').map((l) => `  ${l}`);

/**
 * A gate or scenario ends: its end line, then why it did not pass, indented. A gate that passed
 * with nothing to do (a closing gate after an early failure: no dry-run server to trace, nothing
 * created to tear down, production not reached) says so instead of `ok (0 ms)`.
 */
export function gateEndLines(e: GateEnd, c: Colour): string[] {
  if (e.status === 'PASS' && e.message !== null)
    return [`${c.dim('skip')} ${e.id} ${e.title}: nothing to do (${e.message})`];
  const head = endLine(`${e.id} ${e.title}`, e.status === 'PASS', e.ms, e.status === 'PASS' ? undefined : e.status, c);
  return e.status === 'PASS' || e.message === null ? [head] : [head, ...indented(e.message)];
}

/** Bytes of a dump or restore: the rate once there is one, a percent only when the total is really known. */
export function bytesLine(
  what: string,
  p: { bytes: number; total: number | null; rateBytesPerS: number | null },
): string {
  const rate = p.rateBytesPerS === null ? '' : `, ${byteSize(Math.round(p.rateBytesPerS))}/s`;
  const pct = p.total ? ` (${Math.min(100, Math.floor((p.bytes / p.total) * 100))}% of ${byteSize(p.total)})` : '';
  return `${what} ${byteSize(p.bytes)}${pct}${rate}`;
}
