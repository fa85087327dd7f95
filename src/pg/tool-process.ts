// Running a PostgreSQL client tool (pg_dump, psql) as a child: its stderr kept as a bounded tail
// (memory flat whatever it prints) with the first error line remembered for the message.
import type { Readable } from 'node:stream';
import { InterruptedError } from '../errors.js';

const ERROR_LINE = /\b(ERROR|FATAL|PANIC|error):/;

/** The last `max` lines of a stream, and its first error line, in bounded memory. */
export class StderrTail {
  private partial = '';
  private readonly lines: string[] = [];
  firstError: string | null = null;

  constructor(private readonly max = 20) {}

  /** Take the next chunk of the stream. */
  push(chunk: Buffer | string): void {
    const parts = (this.partial + chunk.toString()).split('\n');
    this.partial = parts.pop()!;
    // A single endless line must not grow without bound either.
    if (this.partial.length > 64 * 1024) this.partial = this.partial.slice(-8 * 1024);
    for (const line of parts) this.add(line);
  }

  /** One complete line: keep it in the tail, and as the first error when it is one. */
  private add(line: string): void {
    const l = line.replace(/\r$/, '');
    if (this.firstError === null && ERROR_LINE.test(l)) this.firstError = l;
    this.lines.push(l);
    if (this.lines.length > this.max) this.lines.shift();
  }

  /** The tail, once the stream has ended. */
  finish(): string[] {
    if (this.partial) {
      this.add(this.partial);
      this.partial = '';
    }
    return [...this.lines];
  }

  /** Collect everything `stream` writes. */
  static of(stream: Readable | null | undefined, max = 20): StderrTail {
    const tail = new StderrTail(max);
    stream?.on('data', (c: Buffer) => tail.push(c));
    return tail;
  }
}

/** `code` of a Node error (ENOENT, EEXIST...), else undefined. */
export function errnoOf(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string'
    ? err.code
    : undefined;
}

/** The error for an aborted signal: its reason when that is already an InterruptedError (the run's Interruption does so). */
export function interruptedBy(signal: AbortSignal): InterruptedError {
  return signal.reason instanceof InterruptedError
    ? signal.reason
    : new InterruptedError(String(signal.reason ?? 'signal'));
}

/** Throw when the signal is already aborted. */
export function throwIfInterrupted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw interruptedBy(signal);
}
