// The backup against a real server: the production fixture dumped plain twice (same content, only
// the \restrict key differs), 0600, hashed in the same pass, from a session proved read-only; the
// dump restored into a second database gives the same row counts; a failing pg_dump keeps nothing.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { execa } from 'execa';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InterruptedError, ToolError } from '../errors.js';
import { throwawayServer, type ThrowawayServer } from '../test-support/throwaway-server.js';
import { LEDGER_TABLES } from '../test-support/ledger-tables.js';
import { DumpError } from './dump-error.js';
import { dumpDatabase } from './dump.js';
import { rowCounts } from './identity.js';
import { runSqlFile } from './restore.js';
import { dumpIntoRestore } from './streamed-restore.js';
import { connect, type PgTarget } from './target.js';

const FIXTURE = ['fixtures/production/schema.sql', 'fixtures/production/data.sql', 'sql/roles.sql', 'sql/grants.sql'];

let throwaway: ThrowawayServer | null = null;
let production: PgTarget;
let work: string;

beforeAll(async () => {
  throwaway = await throwawayServer({ prefix: 'pgr-dump', database: 'ledger' });
  production = throwaway.target;
  for (const file of FIXTURE) await runSqlFile(production, file, { singleTransaction: true });
  work = await mkdtemp(join(tmpdir(), 'pgr-dump-'));
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
  await throwaway?.close();
});

const sha256Of = async (path: string) =>
  createHash('sha256')
    .update(await readFile(path))
    .digest('hex');
const restrictKey = (text: string) => /^\\restrict (\S+)$/m.exec(text)?.[1] ?? null;

describe('dumpDatabase', () => {
  it('dumps plain into a new 0600 file, hashed in the same pass; two dumps differ only by their \\restrict key', async () => {
    const progress: number[] = [];
    const a = await dumpDatabase({
      target: production,
      file: join(work, 'a.sql'),
      format: 'plain',
      onProgress: (b) => progress.push(b),
    });
    const b = await dumpDatabase({ target: production, file: join(work, 'b.sql'), format: 'plain' });

    for (const d of [a, b]) {
      const st = await stat(d.path);
      expect(st.mode & 0o777).toBe(0o600);
      expect(d.bytes).toBe(st.size);
      expect(d.sha256).toBe(await sha256Of(d.path));
      expect(d.readOnlySession).toBe(true);
      expect(d.format).toBe('plain');
      expect(d.pgDumpVersion).toMatch(/^\d+\.\d+$/);
      expect(d.argv).toEqual(['pg_dump', '--no-owner', '--no-privileges', '--no-password', '--format=p']);
      expect(d.argv.join(' ')).not.toContain(production.password);
    }
    expect(progress.at(-1)).toBe(a.bytes);

    const [textA, textB] = [await readFile(a.path, 'utf8'), await readFile(b.path, 'utf8')];
    const [keyA, keyB] = [restrictKey(textA), restrictKey(textB)];
    expect(keyA).not.toBeNull();
    expect(textA).toContain(`\\unrestrict ${keyA}`);
    expect(a.sha256 === b.sha256).toBe(keyA === keyB);
    expect(textA.replaceAll(keyA!, 'K')).toBe(textB.replaceAll(keyB!, 'K'));
    expect(a.contentSha256).toBe(b.contentSha256);
    expect(a.contentSha256).toBe(createHash('sha256').update(textA.replaceAll(keyA!, '<normalised>')).digest('hex'));
    expect(textA).not.toMatch(/OWNER TO|GRANT /);
  });

  it('restores into a second database with the same row counts in all 12 ledger tables', async () => {
    const dump = await dumpDatabase({ target: production, file: join(work, 'restore.sql'), format: 'plain' });
    const sql = connect(production, 'pg-rehearse test');
    try {
      await sql.unsafe('create database ledger_copy');
    } finally {
      await sql.end();
    }
    const copy = { ...production, database: 'ledger_copy' };
    const progress: number[] = [];
    const restored = await runSqlFile(copy, dump.path, {
      singleTransaction: true,
      onProgress: (b) => progress.push(b),
    });
    expect(restored.bytes).toBe(dump.bytes);
    expect(progress.at(-1)).toBe(dump.bytes);

    const before = await rowCounts(production, LEDGER_TABLES);
    const after = await rowCounts(copy, LEDGER_TABLES);
    expect(Object.keys(before)).toHaveLength(12);
    expect(after).toEqual(before);
    expect(before['ledger.entry']).toBe(980);
  });

  it('throws a DumpError naming the database for one that does not exist, and leaves no file', async () => {
    const file = join(work, 'missing.sql');
    const err = await dumpDatabase({ target: { ...production, database: 'no_such_db' }, file, format: 'plain' }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DumpError);
    const dumpError = err as DumpError;
    expect(dumpError.code).toBe('E_DUMP');
    expect(dumpError.kind).toBe('environment');
    expect(dumpError.exitCode).toBe(1);
    expect(dumpError.message).toMatch(/`no_such_db`.*does not exist/);
    expect(dumpError.stderrTail.join('\n')).toContain('no_such_db');
    expect(dumpError.message).not.toContain(production.password);
    await expect(stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  // A small tmpfs is a full disk; mounting one needs root (CI runs as root here): without it the test fails, it is not skipped.
  const NEEDS_ROOT = 'mounting a tmpfs needs root: run the tests as root, as .ci/run does';
  /** The streamed backup (tee writes the file) into an empty database of the same server. */
  async function dumpIntoRestoreInto(file: string) {
    const admin = connect(production, 'pg-rehearse test');
    await admin.unsafe('create database full_disk_sink').finally(() => admin.end());
    return dumpIntoRestore({ target: production, file }, { target: { ...production, database: 'full_disk_sink' } });
  }
  it('says the disk is full, not "pg_dump failed (exit 0)" nor production\'s permissions, when the backup cannot be written', async () => {
    expect(process.getuid?.(), NEEDS_ROOT).toBe(0);
    const full = join(work, 'full-disk');
    await mkdir(full);
    await execa('mount', ['-t', 'tmpfs', '-o', 'size=16k', 'tmpfs', full]);
    try {
      for (const streamed of [false, true]) {
        const file = join(full, `backup-${streamed}.sql`);
        const err = await (
          streamed ? dumpIntoRestoreInto(file) : dumpDatabase({ target: production, file, format: 'plain' })
        ).catch((e: unknown) => e);
        expect(err, `streamed: ${streamed}`).toBeInstanceOf(DumpError);
        const message = (err as DumpError).message;
        expect(message).toContain(
          `the backup of database \`${production.database}\` could not be written to \`${file}\``,
        );
        expect(message).toMatch(/ENOSPC|No space left on device/);
        expect(message).not.toMatch(/exit 0/);
        expect((err as DumpError).hint).toContain('PG_REHEARSE_STATE_DIR');
        expect((err as DumpError).hint).not.toMatch(/permission|may read/);
        await expect(stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
      }
    } finally {
      await execa('umount', [full]);
    }
  });

  it('refuses to overwrite an existing file and leaves it as it was', async () => {
    const file = join(work, 'taken.sql');
    await writeFile(file, 'not a dump');
    await expect(dumpDatabase({ target: production, file, format: 'plain' })).rejects.toBeInstanceOf(ToolError);
    expect(await readFile(file, 'utf8')).toBe('not a dump');
  });

  it('stops pg_dump when the run is interrupted and removes the partial file', async () => {
    // A session holding an exclusive lock makes pg_dump wait for its share lock: it is in flight.
    const locker = connect(production, 'pg-rehearse test locker');
    const file = join(work, 'interrupted.sql');
    let release = () => {};
    const released = new Promise<void>((r) => (release = r));
    try {
      let locked = () => {};
      const isLocked = new Promise<void>((r) => (locked = r));
      const held = locker.begin(async (tx) => {
        await tx`lock table ledger.history in access exclusive mode`;
        locked();
        await released;
      });
      await isLocked;
      const controller = new AbortController();
      const pending = dumpDatabase({ target: production, file, format: 'plain', signal: controller.signal }).catch(
        (e: unknown) => e,
      );
      await new Promise((r) => setTimeout(r, 500));
      await expect(stat(file)).resolves.toBeTruthy();
      controller.abort(new InterruptedError('SIGINT'));
      // Answered while the lock is still held: pg_dump was stopped, not left to finish.
      const err = await Promise.race([
        pending,
        new Promise((r) => setTimeout(() => r('still running after 10 s'), 10_000)),
      ]);
      expect(err).toBeInstanceOf(InterruptedError);
      expect((err as InterruptedError).signal).toBe('SIGINT');
      await expect(stat(file)).rejects.toMatchObject({ code: 'ENOENT' });
      release();
      await held;
    } finally {
      release();
      await locker.end();
    }
  });

  it('streams a dump far larger than a chunk: many progress events, every byte hashed', async () => {
    const sql = connect(production, 'pg-rehearse test');
    try {
      await sql.unsafe('create database bulk');
    } finally {
      await sql.end();
    }
    const bulk = { ...production, database: 'bulk' };
    const fill = connect(bulk, 'pg-rehearse test');
    try {
      await fill.unsafe(
        `create table blob as select i, repeat(md5(i::text), 32) as payload from generate_series(1, 40000) as i`,
      );
    } finally {
      await fill.end();
    }
    const progress: number[] = [];
    const d = await dumpDatabase({
      target: bulk,
      file: join(work, 'bulk.sql'),
      format: 'plain',
      onProgress: (b) => progress.push(b),
    });
    expect(d.bytes).toBeGreaterThan(40_000 * 1024);
    expect(d.bytes).toBe((await stat(d.path)).size);
    expect(d.sha256).toBe(await sha256Of(d.path));
    expect(progress.length).toBeGreaterThan(100);
    expect(progress).toEqual([...progress].sort((x, y) => x - y));
  });

  it('writes and hashes a custom-format archive', async () => {
    const d = await dumpDatabase({ target: production, file: join(work, 'c.dump'), format: 'custom' });
    const st = await stat(d.path);
    expect(st.mode & 0o777).toBe(0o600);
    expect(d.bytes).toBe(st.size);
    expect(d.sha256).toBe(await sha256Of(d.path));
    expect(d.contentSha256).toBe(d.sha256);
    expect((await readFile(d.path)).subarray(0, 5).toString()).toBe('PGDMP');
    expect(d.argv).toContain('--format=c');
  });

  it('writes a directory-format dump (0700, files 0600) hashed as the sorted sha256sum manifest', async () => {
    const dir = join(work, 'd.dir');
    const d = await dumpDatabase({ target: production, file: dir, format: 'directory' });
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    const names = (await readdir(dir)).sort();
    expect(names).toContain('toc.dat');
    let manifest = '';
    let bytes = 0;
    for (const name of names) {
      const st = await stat(join(dir, name));
      expect(st.mode & 0o777).toBe(0o600);
      bytes += st.size;
      manifest += `${await sha256Of(join(dir, name))}  ${name}\n`;
    }
    expect(d.bytes).toBe(bytes);
    expect(d.sha256).toBe(createHash('sha256').update(manifest).digest('hex'));
    expect(d.contentSha256).toBe(d.sha256);
  });
});
