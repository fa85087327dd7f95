// What the live lines of a terminal show, from the run's events: one line per gate or scenario
// still running (G2 inside G4 makes two), with a spinner, its time so far, the bytes and rate of a
// dump or restore, and what it is doing (the scenario's current step, a step of the gate, a retry).
import type { RunEvent } from '../run/run-events.js';
import type { Colour } from './console-colour.js';
import { bytesLine, seconds } from './console-lines.js';

interface Bytes {
  bytes: number;
  total: number | null;
  /** The first event of this dump or restore, for its rate. */
  first: { bytes: number; at: number };
}

interface OpenGate {
  id: string;
  title: string;
  since: number;
  activity: string | null;
  bytes: Map<'dump' | 'restore', Bytes>;
}

export class LiveState {
  readonly open: OpenGate[] = [];

  /** The label the gate runner gives the innermost running gate (`G0 inputs`), or null. */
  topLabel(): string | null {
    const top = this.open.at(-1);
    return top ? `${top.id} ${top.title}` : null;
  }

  /** A step inside the running gate (`create network and container`) starts or ends. */
  activity(text: string | null): void {
    const top = this.open.at(-1);
    if (top) top.activity = text;
  }

  apply(e: RunEvent, now: number): void {
    const top = this.open.at(-1);
    switch (e.type) {
      case 'gate_start':
        this.open.push({ id: e.id, title: e.title, since: now, activity: null, bytes: new Map() });
        return;
      case 'gate_end': {
        const i = this.open.findLastIndex((g) => g.id === e.id);
        if (i >= 0) this.open.splice(i, 1);
        return;
      }
      case 'step_start':
        return this.inScenario(e.scenario, `step "${e.step}"`);
      case 'step_end':
        return this.inScenario(e.scenario, null);
      case 'progress': {
        if (!top) return;
        const seen = top.bytes.get(e.what);
        top.bytes.set(e.what, {
          bytes: e.bytes,
          total: e.total_bytes,
          first: seen?.first ?? { bytes: e.bytes, at: now },
        });
        return;
      }
      case 'retry':
        return this.activity(`retry ${e.attempt} (${e.what}): ${e.reason}`);
      case 'teardown':
        return this.activity(`${e.kind} ${e.name} ${e.removed ? 'removed' : 'NOT removed'}`);
      default:
        return;
    }
  }

  private inScenario(scenario: string, text: string | null): void {
    const g = this.open.findLast((x) => x.id === scenario);
    if (g) g.activity = text;
  }
}

/** The rate since the first event, once a quarter of a second has passed. */
function rateOf(b: Bytes, now: number): number | null {
  const s = (now - b.first.at) / 1000;
  return s >= 0.25 ? (b.bytes - b.first.bytes) / s : null;
}

/** The live lines at `now`; `frame` is the spinner's current frame. */
export function liveLines(state: LiveState, now: number, frame: string, c: Colour): string[] {
  return state.open.map((g) => {
    const parts = [...g.bytes].map(([what, b]) => bytesLine(what, { ...b, rateBytesPerS: rateOf(b, now) }));
    if (g.activity) parts.push(g.activity);
    const tail = parts.length ? ` ${c.dim('·')} ${parts.join(` ${c.dim('·')} `)}` : '';
    return `${c.yellow(frame)}    ${g.id} ${g.title} ${c.dim(`(${seconds(Math.max(0, now - g.since))})`)}${tail}`;
  });
}
