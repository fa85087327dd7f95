import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DumpContentHash } from './dump-content-hash.js';

const sha = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');
const contentHash = (chunks: Buffer[]) => {
  const h = new DumpContentHash();
  for (const c of chunks) h.update(c);
  return h.digest();
};

describe('DumpContentHash', () => {
  const dump = (key: string) =>
    `--\n-- PostgreSQL database dump\n--\n\n\\restrict ${key}\n\nSET statement_timeout = 0;\nCOPY ledger.account (id, code) FROM stdin;\n1\t\\\\restrict x\n\\.\n\n\\unrestrict ${key}\n\n`;
  const normalised = `--\n-- PostgreSQL database dump\n--\n\n\\restrict <normalised>\n\nSET statement_timeout = 0;\nCOPY ledger.account (id, code) FROM stdin;\n1\t\\\\restrict x\n\\.\n\n\\unrestrict <normalised>\n\n`;

  it('hashes a dump with its \\restrict and \\unrestrict keys replaced, so two keys give one hash', () => {
    expect(contentHash([Buffer.from(dump('AbC123'))])).toBe(sha(normalised));
    expect(contentHash([Buffer.from(dump('zzz9'))])).toBe(sha(normalised));
    expect(sha(dump('AbC123'))).not.toBe(sha(dump('zzz9')));
  });

  it('gives the same hash wherever the chunks split the stream, a marker included', () => {
    const bytes = Buffer.from(dump('Key0123456789'));
    for (let a = 0; a <= bytes.length; a++) {
      expect(contentHash([bytes.subarray(0, a), bytes.subarray(a)])).toBe(sha(normalised));
    }
    expect(contentHash([...bytes].map((b) => Buffer.of(b)))).toBe(sha(normalised));
  });

  it('leaves everything else alone: a mid-line marker, a marker without its space, a file ending mid-prefix', () => {
    for (const text of [
      'x \\restrict k\n',
      '\\restrictk\n',
      '\\restric',
      '\\unrestrict',
      '\\\\restrict k\n',
      '\n\n\\',
      '',
    ]) {
      expect(contentHash([Buffer.from(text)])).toBe(sha(text));
    }
  });

  it('agrees with a line-by-line normalisation on a long dump cut into chunks of every size', () => {
    const lines: string[] = ['\\restrict K1', 'COPY t (a, b) FROM stdin;'];
    for (let n = 0; n < 400; n++)
      lines.push(n % 37 === 0 ? '\\.' : n % 53 === 0 ? `\\unrestrict K${n}` : `${n}\t\\\\restrict ${n}`);
    const text = `${lines.join('\n')}\n\\unrestrict LAST`;
    const expected = sha(text.replace(/^(\\(?:un)?restrict )[^\n]*/gm, '$1<normalised>'));
    const bytes = Buffer.from(text);
    for (const size of [1, 2, 3, 7, 11, 12, 13, 64, 1000, bytes.length]) {
      const chunks: Buffer[] = [];
      for (let at = 0; at < bytes.length; at += size) chunks.push(bytes.subarray(at, at + size));
      expect(contentHash(chunks), `chunks of ${size}`).toBe(expected);
    }
  });

  it('normalises a marker on the last line without a newline', () => {
    expect(contentHash([Buffer.from('a\n\\unrestrict K')])).toBe(sha('a\n\\unrestrict <normalised>'));
  });
});
