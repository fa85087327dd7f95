import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ToolError } from '../errors.js';
import { chooseDumpRunner, DumpContentHash, DumpError, dumpDatabase, parseServerMajor } from './dump.js';

describe('chooseDumpRunner', () => {
  it("uses the host pg_dump when its major equals the server's", () => {
    expect(chooseDumpRunner({ hostClientMajor: 15, serverMajor: 15, productionIsContainer: true })).toMatchObject({
      where: 'host',
    });
  });

  it('uses the host pg_dump when it is newer than the server (pg_dump reads older servers)', () => {
    expect(chooseDumpRunner({ hostClientMajor: 17, serverMajor: 13, productionIsContainer: false })).toMatchObject({
      where: 'host',
    });
  });

  it("runs inside production's own container when the host pg_dump is older and production is a container", () => {
    expect(chooseDumpRunner({ hostClientMajor: 15, serverMajor: 17, productionIsContainer: true })).toMatchObject({
      where: 'container-exec',
    });
  });

  it("runs an image of the server's major when the host pg_dump is older and production is not a container", () => {
    const runner = chooseDumpRunner({ hostClientMajor: 15, serverMajor: 16, productionIsContainer: false });
    expect(runner).toMatchObject({ where: 'container-image', major: 16 });
    expect(runner.reason).toContain('older');
  });

  it('treats a missing host pg_dump as too old, never as a crash', () => {
    expect(chooseDumpRunner({ hostClientMajor: null, serverMajor: 15, productionIsContainer: true })).toMatchObject({
      where: 'container-exec',
    });
    expect(chooseDumpRunner({ hostClientMajor: null, serverMajor: 15, productionIsContainer: false })).toMatchObject({
      where: 'container-image',
      major: 15,
    });
  });
});

describe('parseServerMajor', () => {
  it('reads the major of server_version_num', () => {
    expect(parseServerMajor(150020)).toBe(15);
    expect(parseServerMajor('170002')).toBe(17);
    expect(parseServerMajor(100000)).toBe(10);
    expect(parseServerMajor(90624)).toBe(9);
  });

  it('refuses what is not a server_version_num, naming the value', () => {
    expect(() => parseServerMajor('15.2')).toThrow(ToolError);
    expect(() => parseServerMajor(15)).toThrow(/got `15`/);
  });
});

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

describe('dumpDatabase without a usable pg_dump', () => {
  it('throws a DumpError, never a crash, and creates no file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pgr-nodump-'));
    try {
      const target = { host: '127.0.0.1', port: 1, user: 'u', password: 'secret-never-shown', database: 'ledger' };
      const err = await dumpDatabase({
        target,
        file: join(dir, 'd.sql'),
        format: 'plain',
        pgDump: join(dir, 'no-such-pg_dump'),
      }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DumpError);
      expect((err as Error).message).toMatch(/no-such-pg_dump --version` did not run/);
      expect((err as Error).message).not.toContain('secret-never-shown');
      expect(await readdir(dir)).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
