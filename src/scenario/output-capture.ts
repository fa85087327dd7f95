// A step's output streams, kept to their first MiB each: a chatty command still runs to its end.
import type { Readable } from 'node:stream';

/** Each stream keeps its first MiB; the rest is counted and dropped (a chatty command still runs to its end). */
export const MAX_OUTPUT_BYTES = 1024 * 1024;

/** Keeps the first `limit` bytes of a stream and counts the rest. */
export class Capture {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  total = 0;

  constructor(private readonly limit: number) {}

  attach(stream: Readable | null | undefined): void {
    stream?.on('data', (chunk: Buffer | string) => this.add(typeof chunk === 'string' ? Buffer.from(chunk) : chunk));
  }

  // An arrow property, so it can be handed over as a stream callback.
  add = (chunk: Buffer): void => {
    this.total += chunk.length;
    if (this.kept >= this.limit) return;
    const part = chunk.subarray(0, this.limit - this.kept);
    this.chunks.push(part);
    this.kept += part.length;
  };

  get truncated(): boolean {
    return this.total > this.kept;
  }

  text(): string {
    // A multi-byte character cut at the limit decodes as U+FFFD instead of throwing.
    return new TextDecoder('utf-8').decode(Buffer.concat(this.chunks));
  }
}
