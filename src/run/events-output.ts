// `rehearse run --events FILE|-`: the run's events as NDJSON, one a line with `at` added, written as
// they happen (to FILE, or to stdout for `-`); `version` first, `verdict` last. The events reach it
// already redacted (redacted-events.ts). As a RunOutput, what it wrote so far is leak-scanned before
// report.json is written, and the verdict, which carries report.json's sha256, is appended after.
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Report } from '../config/index.js';
import type { RunEvent } from './run-events.js';
import type { RunOutput } from './run-outputs.js';

export interface EventsOutput extends RunOutput {
  /** Write one event now (held back until the `version` event, which comes first). */
  event(e: RunEvent): void;
}

export interface EventsOutputOptions {
  /** A file's path, or `-` for stdout. */
  target: string;
  /** report.json's path, as the verdict names it. */
  reportPath: string;
  now?: () => Date;
  /** Where `-` writes (stdout). */
  stdout?: (text: string) => void;
}

/** A sink for one line at a time: the file is made (or emptied) at its first line. */
function lineSink(target: string, stdout: (text: string) => void): (text: string) => void {
  if (target === '-') return stdout;
  let started = false;
  return (text) => {
    if (started) return appendFileSync(target, text);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, text);
    started = true;
  };
}

export function eventsOutput(o: EventsOutputOptions): EventsOutput {
  const now = o.now ?? (() => new Date());
  const sink = lineSink(o.target, o.stdout ?? ((text) => void process.stdout.write(text)));
  // A reader that closed the pipe (`--events - | head`) ends the events, not the run.
  if (o.target === '-' && !o.stdout)
    process.stdout.on('error', (err) => {
      failed ??= err;
    });
  const line = (e: RunEvent) => `${JSON.stringify({ ...e, at: now().toISOString() })}\n`;
  let written = '';
  let held: string[] | null = [];
  let failed: Error | null = null;
  let closed = false;
  const put = (text: string) => {
    if (failed) return;
    try {
      sink(text);
      written += text;
    } catch (err) {
      // A full disk must not stop the run: the failure is told when the events are closed.
      failed = err instanceof Error ? err : new Error(String(err));
    }
  };
  const verdict = (r: Report, sha256: string): RunEvent => ({
    type: 'verdict',
    execution_status: r.execution_status,
    exit_code: r.exit_code,
    report: o.reportPath,
    sha256,
  });
  return {
    place: o.target === '-' ? 'events (stdout)' : `events ${o.target}`,
    event(e) {
      if (closed) return;
      if (held && e.type !== 'version') return void held.push(line(e));
      put(line(e));
      for (const h of held ?? []) put(h);
      held = null;
    },
    build: (r, sha256) => written + (held ?? []).join('') + (sha256 === null ? '' : line(verdict(r, sha256))),
    async write(text) {
      closed = true;
      // What `build` gave starts with what was written as the run went: only the rest is new.
      if (text.startsWith(written)) put(text.slice(written.length));
      else failed ??= new Error('the events changed after they were written');
      if (failed) throw failed;
    },
  };
}
