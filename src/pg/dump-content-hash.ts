// The content hash of a plain dump: two dumps of the same data compare equal although pg_dump
// 15.14+ writes a random key into each (`\restrict KEY`).
import { createHash } from 'node:crypto';

const MARKERS = [Buffer.from('\\restrict '), Buffer.from('\\unrestrict ')];
const LONGEST_MARKER = Math.max(...MARKERS.map((m) => m.length));
const NORMALISED = Buffer.from('<normalised>');
const NEWLINE = Buffer.from('\n');
/** A line that starts with a backslash: in a dump, a meta-command or the `\.` ending a COPY. */
const NEWLINE_BACKSLASH = Buffer.from('\n\\');

/**
 * sha256 of a plain dump with each `\restrict KEY` / `\unrestrict KEY` line's key replaced by
 * `<normalised>`, fed chunk by chunk. Only a line starting with a backslash can be a marker, and a
 * dump has few (its COPY data escapes a leading backslash), so a chunk is hashed in a few spans
 * found by a native search, not line by line: the hash keeps up with a restore. A marker may be
 * split across chunks: the start of a candidate line (at most 12 bytes) is carried to the next.
 */
export class DumpContentHash {
  private readonly hash = createHash('sha256');
  /** Position 0 of the next chunk starts a line. */
  private lineStart = true;
  /** Inside a marker line: its key is left out up to the newline. */
  private skipping = false;
  private carry: Buffer = Buffer.alloc(0);

  update(chunk: Buffer): void {
    const buf = this.carry.length > 0 ? Buffer.concat([this.carry, chunk]) : chunk;
    this.carry = Buffer.alloc(0);
    let i = 0;
    while (i < buf.length) {
      if (this.skipping) {
        const nl = buf.indexOf(0x0a, i);
        if (nl === -1) return;
        this.hash.update(NEWLINE);
        this.skipping = false;
        this.lineStart = true;
        i = nl + 1;
        continue;
      }
      if (this.lineStart && buf[i] === 0x5c) {
        const rest = buf.length - i;
        const whole = MARKERS.find((m) => rest >= m.length && buf.compare(m, 0, m.length, i, i + m.length) === 0);
        if (whole) {
          this.hash.update(whole);
          this.hash.update(NORMALISED);
          this.skipping = true;
          i += whole.length;
          continue;
        }
        if (
          rest < LONGEST_MARKER &&
          MARKERS.some((m) => rest < m.length && buf.compare(m, 0, rest, i, buf.length) === 0)
        ) {
          // Too few bytes to tell: decide when the next chunk comes (or at the digest).
          this.carry = Buffer.from(buf.subarray(i));
          return;
        }
      }
      this.lineStart = false;
      const next = buf.indexOf(NEWLINE_BACKSLASH, i);
      if (next === -1) {
        this.hash.update(buf.subarray(i));
        this.lineStart = buf[buf.length - 1] === 0x0a;
        return;
      }
      this.hash.update(buf.subarray(i, next + 1));
      this.lineStart = true;
      i = next + 1;
    }
  }

  digest(): string {
    if (this.carry.length > 0) this.hash.update(this.carry);
    this.carry = Buffer.alloc(0);
    return this.hash.digest('hex');
  }
}
