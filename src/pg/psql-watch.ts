// A read repeated while a step runs (psql's `\watch`), as a psql child (psql-read.ts): each record
// it prints is one line, on stdout (a query's row) or on stderr (a DO block's NOTICE). `started`
// settles on the first record; `stop` ends the child at any time, as the run's abort does. A child
// that ended before it was stopped (the server went away, a read failed) says why.
import { createInterface } from 'node:readline';
import { messageOf } from '../errors.js';
import { psqlError, psqlFailure, startPsql } from './psql-read.js';
import type { PgTarget } from './target.js';

export interface PsqlWatch {
  /** Settles once the first record is read, or rejects with why the read could not start. */
  readonly started: Promise<void>;
  /** Stop the child: how many records were read, and why it ended first when it did (null: it did not). */
  stop(): Promise<{ records: number; failure: string | null }>;
}

export interface PsqlWatchOptions {
  applicationName: string;
  /** More startup settings, e.g. `-c lock_timeout=100ms`. */
  settings?: string;
  /** Where its records are: stdout lines, or stderr lines holding `prefix` (psql puts `psql:<stdin>:LINE: ` before a NOTICE). */
  from: { stream: 'stdout' } | { stream: 'stderr'; prefix: string };
  /** One record's text (the prefix taken off); a line that does not parse is no record: return false. */
  onRecord(text: string): boolean;
  signal?: AbortSignal;
  /** Keep its statements out of the server's log (true by default; production's log is not the tool's). */
  unlogged?: boolean;
}

const START_TIMEOUT_MS = 15_000;

/** Start the child on `script`; its records go to `onRecord` as they come. */
export function watchPsql(target: PgTarget, script: string, opts: PsqlWatchOptions): PsqlWatch {
  const from = opts.from;
  const { child, stderr } = startPsql(target, script, {
    applicationName: opts.applicationName,
    ...(opts.settings ? { settings: opts.settings } : {}),
    ...(opts.unlogged === false ? { unlogged: false } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
    // It lasts as long as the step: the child is stopped by `stop`, never by a timeout.
    timeoutMs: 0,
    // A stderr of records: only its other lines are kept for the failure's message.
    ...(from.stream === 'stderr' ? { keepStderr: (line: string) => !line.includes(from.prefix) } : {}),
  });
  let records = 0;
  let stopping = false;
  let onFirst: () => void = () => {};
  const first = new Promise<void>((resolve) => (onFirst = resolve));
  const input = from.stream === 'stdout' ? child.stdout! : child.stderr!;
  createInterface({ input }).on('line', (line) => {
    const at = from.stream === 'stdout' ? 0 : line.indexOf(from.prefix);
    const text = from.stream === 'stdout' ? line : at >= 0 ? line.slice(at + from.prefix.length) : null;
    if (text === null || text.trim() === '') return;
    // A line cut by the child's end is no record.
    let ok = false;
    try {
      ok = opts.onRecord(text);
    } catch {
      ok = false;
    }
    if (ok) {
      records++;
      onFirst();
    }
  });
  const ended = child.then((e) => (stopping ? null : psqlFailure(e, stderr, 0)));
  const started = Promise.race([
    first,
    ended.then((failure) => Promise.reject(psqlError(target, failure ?? 'stopped as it started'))),
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`no first read in ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS).unref(),
    ),
  ]);
  started.catch(() => {});
  let stopped: Promise<{ records: number; failure: string | null }> | null = null;
  return {
    started,
    // Once: a second call gets the first's answer.
    stop() {
      stopped ??= (async () => {
        stopping = true;
        child.kill('SIGTERM');
        const failure = await ended.catch((err: unknown) => messageOf(err));
        return { records, failure };
      })();
      return stopped;
    },
  };
}
