// Restoring dumps of the production fixture on a real server: custom and directory archives through
// pg_restore (in parallel, and in one transaction with one job), plain through psql, each into a
// new database with the same row counts and objects; a failing pg_restore throws the SqlFileError
// naming the archive and its first error line; an interruption stops pg_restore and its sessions.
// A plain dump streamed into the restore (dumpIntoRestore) gives the same file and the same copy.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InterruptedError } from '../errors.js';
import { eventually } from '../test-support/docker.js';
import { LEDGER_TABLES } from '../test-support/ledger-tables.js';
import { throwawayServer, type ThrowawayServer } from '../test-support/throwaway-server.js';
import { holdInTransaction } from '../test-support/held-transaction.js';
import { DumpError } from './dump-error.js';
import { dumpDatabase, type DumpResult } from './dump.js';
import { dumpIntoRestore } from './streamed-restore.js';
import { queryRows, rowCounts } from './identity.js';
import { PgRestoreError, restoreDump } from './restore-dump.js';
import { runSqlFile, SqlFileError } from './restore.js';
import { connect, type PgTarget } from './target.js';

const FIXTURE = ['fixtures/production/schema.sql', 'fixtures/production/data.sql', 'sql/roles.sql'];
const OBJECTS = `select c.relname, c.relkind::text as relkind from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'ledger' order by 1, 2`;

let throwaway: ThrowawayServer | null = null;
let production: PgTarget;
let work: string;
let custom: DumpResult;
let directory: DumpResult;
let plain: DumpResult;
let counts: Record<string, number>;
let objects: Record<string, unknown>[];

beforeAll(async () => {
  throwaway = await throwawayServer({ prefix: 'pgr-restore-dump', database: 'ledger' });
  production = throwaway.target;
  for (const file of FIXTURE) await runSqlFile(production, file, { singleTransaction: true });
  work = await mkdtemp(join(tmpdir(), 'pgr-restore-dump-'));
  custom = await dumpDatabase({ target: production, file: join(work, 'ledger.dump'), format: 'custom' });
  directory = await dumpDatabase({ target: production, file: join(work, 'ledger.dir'), format: 'directory' });
  plain = await dumpDatabase({ target: production, file: join(work, 'ledger.sql'), format: 'plain' });
  counts = await rowCounts(production, LEDGER_TABLES);
  objects = await queryRows(production, OBJECTS);
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
  await throwaway?.close();
});

/** Run a statement that writes (queryRows is read-only). */
async function execute(target: PgTarget, statement: string): Promise<void> {
  const sql = connect(target, 'pg-rehearse test');
  try {
    await sql.unsafe(statement);
  } finally {
    await sql.end();
  }
}

/** A new empty database on the same server, and its target. */
async function newDatabase(name: string): Promise<PgTarget> {
  await execute(production, `create database ${name}`);
  return { ...production, database: name };
}

describe('restoreDump', () => {
  it.each([
    ['custom', 2],
    ['directory', 2],
    ['custom', 1],
  ] as const)(
    'restores a %s archive with pg_restore (%i jobs) into a new database: same row counts in all 12 ledger tables, same objects',
    async (format, jobs) => {
      const dump = format === 'custom' ? custom : directory;
      const copy = await newDatabase(`ledger_${format}_${jobs}`);
      const progress: number[] = [];
      const out = await restoreDump(copy, { path: dump.path, format }, { jobs, onProgress: (b) => progress.push(b) });

      expect(out.tool).toBe('pg_restore');
      expect(out.jobs).toBe(jobs);
      expect(out.bytes).toBe(dump.bytes);
      expect(progress).toEqual([dump.bytes]);
      expect(out.argv).toContain(jobs === 1 ? '--single-transaction' : `--jobs=${jobs}`);
      expect(out.argv.join(' ')).not.toContain(production.password);
      expect(out.ms).toBeGreaterThan(0);

      const after = await rowCounts(copy, LEDGER_TABLES);
      expect(Object.keys(after)).toHaveLength(12);
      expect(after).toEqual(counts);
      expect(after['ledger.entry']).toBe(980);
      expect(await queryRows(copy, OBJECTS)).toEqual(objects);
    },
  );

  it('restores a plain dump with psql in one transaction, counting its bytes', async () => {
    const copy = await newDatabase('ledger_plain');
    const progress: number[] = [];
    const out = await restoreDump(
      copy,
      { path: plain.path, format: 'plain' },
      { jobs: 4, onProgress: (b) => progress.push(b) },
    );
    expect(out).toMatchObject({ tool: 'psql', jobs: 1, bytes: plain.bytes });
    expect(progress.at(-1)).toBe(plain.bytes);
    expect(await rowCounts(copy, LEDGER_TABLES)).toEqual(counts);
  });

  it('stops at the first error with a SqlFileError naming the archive and the ERROR line; one job leaves nothing behind', async () => {
    const copy = await newDatabase('ledger_taken_1');
    await execute(copy, 'create schema ledger');
    const err = await restoreDump(copy, { path: custom.path, format: 'custom' }, { jobs: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SqlFileError);
    expect(err).toBeInstanceOf(PgRestoreError);
    const e = err as PgRestoreError;
    expect(e.code).toBe('E_SQL_FILE');
    expect(e.file).toBe(custom.path);
    expect(e.exitCode).toBe(1);
    expect(e.message).toMatch(
      new RegExp(
        `^running \`${custom.path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\` failed \\(pg_restore exit 1\\): pg_restore: error: .*ERROR:  schema "ledger" already exists`,
      ),
    );
    expect(e.stderrTail.join('\n')).toContain('already exists');
    expect(e.message).not.toContain(production.password);
    // --single-transaction: nothing of the archive was kept.
    expect(
      await queryRows(
        copy,
        `select count(*)::int as n from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'ledger'`,
      ),
    ).toEqual([{ n: 0 }]);
  });

  it('stops at the first error with parallel jobs too', async () => {
    const copy = await newDatabase('ledger_taken_2');
    await execute(copy, 'create schema ledger');
    const err = await restoreDump(copy, { path: directory.path, format: 'directory' }, { jobs: 2 }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SqlFileError);
    expect((err as SqlFileError).exitCode).toBe(1);
    expect((err as SqlFileError).message).toMatch(
      /pg_restore exit 1\): pg_restore: error: .*ERROR: {2}schema "ledger" already exists/,
    );
  });

  it('stops pg_restore when the run is interrupted, and its server session goes too', async () => {
    const copy = await newDatabase('ledger_interrupted');
    // An uncommitted `create schema ledger` makes pg_restore's own wait on the unique index: it is in flight.
    const locker = connect(copy, 'pg-rehearse test locker');
    const hold = holdInTransaction(locker, 'create schema ledger');
    try {
      const restoring = async () =>
        (
          await queryRows(
            copy,
            `select count(*)::int as n from pg_stat_activity where datname = 'ledger_interrupted' and application_name = 'pg-rehearse restore'`,
          )
        )[0]!.n as number;
      const controller = new AbortController();
      const pending = restoreDump(
        copy,
        { path: custom.path, format: 'custom' },
        { jobs: 1, signal: controller.signal },
      ).catch((e: unknown) => e);
      expect(await eventually(restoring, (n) => n > 0, 10_000, 100)).toBeGreaterThan(0);
      const t0 = Date.now();
      controller.abort(new InterruptedError('SIGTERM'));
      const err = await pending;
      expect(err).toBeInstanceOf(InterruptedError);
      expect(Date.now() - t0).toBeLessThan(4_000);
      expect(await eventually(restoring, (n) => n === 0, 10_000, 100)).toBe(0);
    } finally {
      await hold.release();
      await locker.end();
    }
  });

  it('reports an archive that cannot be read, or is not of its format, as a SqlFileError without running pg_restore', async () => {
    await expect(restoreDump(production, { path: join(work, 'absent.dump'), format: 'custom' })).rejects.toMatchObject({
      code: 'E_SQL_FILE',
      exitCode: null,
    });
    await expect(restoreDump(production, { path: custom.path, format: 'directory' })).rejects.toMatchObject({
      code: 'E_SQL_FILE',
      exitCode: null,
    });
    const notADump = join(work, 'not-a-dump');
    await writeFile(notADump, 'hello');
    const err = await restoreDump(production, { path: notADump, format: 'custom' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SqlFileError);
    expect((err as SqlFileError).exitCode).toBe(1);
    expect((err as SqlFileError).message).toContain('not-a-dump');
  });
});

describe('dumpIntoRestore', () => {
  it('dumps and restores in one pass: the file is the dump (same content sha256 as a dump of its own), the copy has every row', async () => {
    const copy = await newDatabase('ledger_streamed');
    const progress: number[] = [];
    const file = join(work, 'streamed.sql');
    const out = await dumpIntoRestore(
      { target: production, file, onProgress: (b) => progress.push(b) },
      { target: copy, syncFile: true },
    );

    expect(out.restore.ok).toBe(true);
    expect(out.dump).toMatchObject({
      path: file,
      format: 'plain',
      contentSha256: plain.contentSha256,
      readOnlySession: true,
    });
    const bytes = await readFile(file);
    expect(out.dump.bytes).toBe(bytes.length);
    expect(out.dump.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    if (out.restore.ok) expect(out.restore.result).toMatchObject({ tool: 'psql', jobs: 1, bytes: out.dump.bytes });
    expect(progress.at(-1)).toBe(out.dump.bytes);
    expect(await rowCounts(copy, LEDGER_TABLES)).toEqual(counts);
    expect(await queryRows(copy, OBJECTS)).toEqual(objects);
  });

  it('keeps dumping when the restore stops at an error: the whole dump is written and hashed, the restore failure is returned apart', async () => {
    const copy = await newDatabase('ledger_streamed_taken');
    await execute(copy, 'create schema ledger');
    const file = join(work, 'streamed-taken.sql');
    const out = await dumpIntoRestore({ target: production, file }, { target: copy });

    expect(out.dump.contentSha256).toBe(plain.contentSha256);
    expect(out.dump.bytes).toBe((await readFile(file)).length);
    expect(out.restore.ok).toBe(false);
    if (!out.restore.ok) {
      expect(out.restore.error).toBeInstanceOf(SqlFileError);
      expect(out.restore.error.exitCode).toBe(3);
      expect(out.restore.error.message).toContain(`running \`${file}\` failed (psql exit 3)`);
      expect(out.restore.error.message).toContain('schema "ledger" already exists');
    }
    // One transaction: nothing of the dump was kept.
    expect(
      await queryRows(
        copy,
        `select count(*)::int as n from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'ledger'`,
      ),
    ).toEqual([{ n: 0 }]);
  });

  it('still writes the whole dump when psql never starts reading (its database is missing): the restore failure names the connection', async () => {
    const file = join(work, 'streamed-nodb.sql');
    const out = await dumpIntoRestore(
      { target: production, file },
      { target: { ...production, database: 'no_such_restore_db' } },
    );
    expect(out.dump.contentSha256).toBe(plain.contentSha256);
    expect(out.dump.bytes).toBe((await readFile(file)).length);
    expect(out.restore.ok).toBe(false);
    if (!out.restore.ok) {
      expect(out.restore.error.exitCode).toBe(2);
      expect(out.restore.error.message).toContain('no_such_restore_db');
    }
  });

  it('stops psql without committing when the dump fails, and throws the DumpError', async () => {
    const copy = await newDatabase('ledger_streamed_nodump');
    const file = join(work, 'streamed-nodump.sql');
    const err = await dumpIntoRestore(
      { target: { ...production, database: 'no_such_database' }, file },
      { target: copy },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DumpError);
    expect((err as DumpError).message).toContain('no_such_database');
    await expect(readFile(file)).rejects.toMatchObject({ code: 'ENOENT' });
    const sessions = async () =>
      (
        await queryRows(
          copy,
          `select count(*)::int as n from pg_stat_activity where datname = 'ledger_streamed_nodump' and application_name = 'pg-rehearse restore'`,
        )
      )[0]!.n as number;
    expect(await eventually(sessions, (n) => n === 0, 10_000, 100)).toBe(0);
    expect(
      await queryRows(
        copy,
        `select count(*)::int as n from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'ledger'`,
      ),
    ).toEqual([{ n: 0 }]);
  });
});

describe('dumpIntoRestore when the run is interrupted', () => {
  it('stops pg_dump, tee and psql: nothing committed, no session left on either server, no file left', async () => {
    const copy = await newDatabase('ledger_streamed_interrupted');
    const file = join(work, 'streamed-interrupted.sql');
    // An uncommitted lock on a production table makes pg_dump wait at its own LOCK TABLE: it is in flight.
    const locker = connect(production, 'pg-rehearse test locker');
    const hold = holdInTransaction(locker, 'lock table ledger.entry in access exclusive mode');
    try {
      const sessions = async (target: PgTarget, app: string) =>
        (
          await queryRows(
            target,
            `select count(*)::int as n from pg_stat_activity where datname = '${target.database}' and application_name = '${app}'`,
          )
        )[0]!.n as number;
      const controller = new AbortController();
      const pending = dumpIntoRestore({ target: production, file, signal: controller.signal }, { target: copy }).catch(
        (e: unknown) => e,
      );
      expect(
        await eventually(
          () => sessions(production, 'pg-rehearse backup'),
          (n) => n > 0,
          10_000,
          100,
        ),
      ).toBeGreaterThan(0);
      expect(
        await eventually(
          () => sessions(copy, 'pg-rehearse restore'),
          (n) => n > 0,
          10_000,
          100,
        ),
      ).toBeGreaterThan(0);
      const t0 = Date.now();
      controller.abort(new InterruptedError('SIGTERM'));
      const err = await pending;
      expect(err).toBeInstanceOf(InterruptedError);
      expect(Date.now() - t0).toBeLessThan(6_000);
      expect(
        await eventually(
          () => sessions(production, 'pg-rehearse backup'),
          (n) => n === 0,
          10_000,
          100,
        ),
      ).toBe(0);
      expect(
        await eventually(
          () => sessions(copy, 'pg-rehearse restore'),
          (n) => n === 0,
          10_000,
          100,
        ),
      ).toBe(0);
      await expect(readFile(file)).rejects.toMatchObject({ code: 'ENOENT' });
      await expect(readFile(`${file}.commit`)).rejects.toMatchObject({ code: 'ENOENT' });
      expect(
        await queryRows(
          copy,
          `select count(*)::int as n from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = 'ledger'`,
        ),
      ).toEqual([{ n: 0 }]);
    } finally {
      await hold.release();
      await locker.end();
    }
  });
});
