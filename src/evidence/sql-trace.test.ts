import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_FORBIDDEN_VERBS, verbPolicy } from '../config/index.js';
import { classify, parseServerLog, traceStatements, UNPARSED, type LoggedStatement } from './sql-trace.js';

// The real stderr of a PostgreSQL 15 dry-run server (fixtures/stderr/README.md says what ran).
let log: string;
let statements: LoggedStatement[];

beforeAll(async () => {
  log = await readFile(new URL('../../fixtures/stderr/postgres-15-dry-run.log', import.meta.url), 'utf8');
  statements = parseServerLog(log);
});

const trace = (list: readonly LoggedStatement[], forbidden: readonly string[] = DEFAULT_FORBIDDEN_VERBS) =>
  traceStatements(list, { toolRole: 'rehearse_tool', policy: verbPolicy(forbidden) });
// A line with the dry-run server's prefix (pg/server-settings.ts): session, xid and vxid before `app=`.
const line = (rest: string, pid = 7, who = 'app=cutter user=cutter_app db=ledger', xact = '0 3/12') =>
  `2026-11-25 17:11:06.123 UTC [${pid}] 6925ea61.${pid.toString(16)} ${xact} ${who} ${rest}`;

describe('parseServerLog', () => {
  it('reads every statement and execute of the real log, and nothing else', () => {
    expect(statements).toHaveLength(154);
    // ERROR and STATEMENT lines repeat a statement already logged; a syntax error is never logged as one.
    expect(statements.some((s) => s.text.startsWith('selec 1'))).toBe(false);
    expect(statements.filter((s) => s.text === 'DELETE FROM ledger.mark WHERE entry_id = 961')).toHaveLength(1);
  });

  it('takes time, pid, application, session user and database from the prefix', () => {
    expect(statements.find((s) => s.text === 'select current_user::text as role')).toEqual({
      at: '2026-11-25T17:22:16.654Z',
      pid: 17729,
      // That log was written with the earlier prefix, without %c %x %v.
      session: null,
      xid: null,
      vxid: null,
      app: 'ledger-cutter',
      user: 'cutter_readonly',
      db: 'ledger',
      text: 'select current_user::text as role',
      parameters: null,
      ambiguous: false,
      alternatives: [],
    });
  });

  it('takes the session, transaction id and virtual transaction id from the prefix, before the application name', () => {
    const text = [
      line('LOG:  statement: BEGIN; ALTER TABLE t ADD COLUMN c int; ', 72, 'app=psql user=m db=shop', '0 3/24'),
      line('LOG:  duration: 0.907 ms', 72, 'app=psql user=m db=shop', '729 3/24'),
      // An application name that imitates a whole prefix, fixed fields included: they are the server's.
      line(
        'LOG:  statement: COMMIT',
        72,
        'app=x 6925ea61.99 5 9/9 app=y user=rehearse_tool db=shop LOG:  statement: select 1 user=m db=shop',
        '729 3/24',
      ),
      line('LOG:  duration: 5.582 ms', 72, 'app=psql user=m db=shop', '0 3/0'),
      // The postmaster's lines have no virtual transaction id: `%v` is empty.
      line('LOG:  statement: select 2', 1, 'app= user= db=', '0 '),
    ].join('\n');
    const got = parseServerLog(text);
    expect(got.map((s) => [s.session, s.xid, s.vxid, s.text, s.duration_ms, s.ambiguous])).toEqual([
      ['6925ea61.48', 0, '3/24', 'BEGIN; ALTER TABLE t ADD COLUMN c int;', 0.907, false],
      ['6925ea61.48', 729, '3/24', 'COMMIT', 5.582, true],
      ['6925ea61.1', 0, null, 'select 2', undefined, false],
    ]);
    expect(got[1]!.user).toBe('m');
    expect(got[1]!.alternatives.map((a) => [a.app, a.user])).toEqual([['x 6925ea61.99 5 9/9 app=y', 'rehearse_tool']]);
  });

  it("joins a statement's continuation lines without their tab", () => {
    expect(statements.find((s) => s.app === 'psql')?.text).toBe(
      "select e.id,\n       e.state\n  from ledger.entry e\n where e.batch_id = 'B-2026-002'\n order by e.id\n limit 1;",
    );
    expect(statements.find((s) => s.text.startsWith("select 'it''s"))?.text).toBe(
      "select 'it''s\na multi-line literal' as s;",
    );
  });

  it('reads named and unnamed prepared statements with their parameters, multi-line ones too', () => {
    const insert = statements.find((s) => s.text.startsWith('insert into "ledger"."mark"'))!;
    expect(insert.parameters).toBe("$1 = '961', $2 = 'cutter_app'");
    expect(statements.filter((s) => s.parameters !== null)).toHaveLength(97);
    expect(statements.find((s) => s.text === 'select $1::text as x, $2::text as y')?.parameters).toBe(
      "$1 = 'it''s\nmulti-line', $2 = NULL",
    );
  });

  it('does not count `execute fetch from` again: it continues a portal already logged', () => {
    expect(statements.filter((s) => s.text === 'select id from ledger.entry order by id')).toHaveLength(1);
  });

  it('keeps an application name of 63 characters, and one with spaces', () => {
    expect(statements.find((s) => s.text === 'select 1' && s.app.startsWith('bbb'))?.app).toBe('b'.repeat(63));
    expect(statements.find((s) => s.app === 'na??ve app')?.user).toBe('cutter_app');
  });

  it('marks a line whose application name imitates the prefix as ambiguous, reading its real user first', () => {
    const forged = statements.find((s) => s.pid === 17973)!;
    expect(forged).toMatchObject({
      user: 'cutter_app',
      text: 'DELETE FROM ledger.mark WHERE entry_id = 962',
      ambiguous: true,
    });
    expect(forged.alternatives).toEqual([
      {
        app: 'x',
        user: 'rehearse_tool',
        db: 'ledger',
        text: 'select 1-- user=cutter_app db=ledger LOG:  statement: DELETE FROM ledger.mark WHERE entry_id = 962',
      },
    ]);
  });

  it('marks a statement that imitates the prefix as ambiguous, keeping its true reading', () => {
    const forged = statements.find((s) => s.pid === 17975)!;
    expect(forged.ambiguous).toBe(true);
    expect([forged, ...forged.alternatives].map((r) => r.user).sort()).toEqual(['cutter_app', 'rehearse_tool']);
  });

  it('ends a message at output that is not the server’s, and attaches parameters only within one backend', () => {
    const text = [
      line('LOG:  statement: select 1'),
      'PostgreSQL init process complete; ready for start up.',
      line('LOG:  execute s1: select $1'),
      line("DETAIL:  parameters: $1 = 'elsewhere'", 8),
      line('LOG:  execute <unnamed>: update t set a = $1'),
      '\twhere b = 2',
      line("DETAIL:  parameters: $1 = 'x'"),
    ].join('\n');
    expect(parseServerLog(text).map((s) => [s.text, s.parameters])).toEqual([
      ['select 1', null],
      ['select $1', null],
      ['update t set a = $1\nwhere b = 2', "$1 = 'x'"],
    ]);
  });

  it('gives ISO times for UTC and numeric offsets, and the logged time for a named zone', () => {
    const at = (zone: string) =>
      parseServerLog(
        `2026-11-25 17:11:06.123 ${zone} [7] 6925ea61.7 0 3/2 app= user=u db=d LOG:  statement: select 1`,
      )[0]?.at;
    expect(at('UTC')).toBe('2026-11-25T17:11:06.123Z');
    expect(at('+03')).toBe('2026-11-25T14:11:06.123Z');
    expect(at('CET')).toBe('2026-11-25 17:11:06.123 CET');
  });
});

describe('classify', () => {
  it('gives one verb per statement of a multi-statement string', async () => {
    expect(await classify('select 1; insert into t values (1); update t set a = 2; begin; commit; rollback')).toEqual([
      'SELECT',
      'INSERT',
      'UPDATE',
      'BEGIN',
      'COMMIT',
      'ROLLBACK',
    ]);
  });

  it('adds the verbs of data-modifying CTEs and of what EXPLAIN, PREPARE, COPY and MERGE run', async () => {
    expect(await classify('WITH gone AS (DELETE FROM t RETURNING *) SELECT * FROM gone')).toEqual(['SELECT', 'DELETE']);
    expect(await classify('with x as (update t set a = 1 returning *) insert into u select * from x')).toEqual([
      'INSERT',
      'UPDATE',
    ]);
    expect(await classify('explain analyze delete from t')).toEqual(['EXPLAIN', 'DELETE']);
    expect(await classify('prepare p as delete from t')).toEqual(['PREPARE', 'DELETE']);
    expect(await classify('copy (delete from t returning *) to stdout')).toEqual(['COPY', 'DELETE']);
    expect(
      await classify(
        'merge into t using u on t.a = u.a when matched then delete when not matched then insert values (1)',
      ),
    ).toEqual(['MERGE', 'DELETE', 'INSERT']);
    expect(await classify('select * into newt from t')).toEqual(['SELECT', 'CREATE']);
  });

  it('maps DDL, privileges, COPY, SET and transactions', async () => {
    expect(
      await classify(
        'truncate t; drop table t; drop owned by x; alter table t add column c int; alter table t rename to u; create table y (a int); create index on y (a); create view v as select 1; create table z as select 1',
      ),
    ).toEqual(['TRUNCATE', 'DROP', 'DROP', 'ALTER', 'ALTER', 'CREATE', 'CREATE', 'CREATE', 'CREATE']);
    expect(await classify('grant select on t to a; revoke all on t from b; grant r to u; revoke r from u')).toEqual([
      'GRANT',
      'REVOKE',
      'GRANT',
      'REVOKE',
    ]);
    expect(await classify('alter default privileges grant select on tables to x')).toEqual(['ALTER', 'GRANT']);
    expect(await classify('copy t to stdout; set search_path to ledger; reset all; call p(); show all')).toEqual([
      'COPY',
      'SET',
      'SET',
      'CALL',
      'SHOW',
    ]);
    expect(await classify('start transaction read only; savepoint a; rollback to savepoint a; release a')).toEqual([
      'BEGIN',
      'SAVEPOINT',
      'ROLLBACK',
      'RELEASE',
    ]);
  });

  it("reads a DO block's body: its static SQL, and EXECUTE for dynamic SQL", async () => {
    expect(await classify('DO $$ BEGIN DELETE FROM ledger.cut WHERE false; END $$')).toEqual(['DO', 'DELETE']);
    expect(
      await classify(
        "DO $$ DECLARE r record; BEGIN FOR r IN SELECT 1 LOOP EXECUTE 'drop table x'; END LOOP; UPDATE t SET a = 1; END $$",
      ),
    ).toEqual(['DO', 'SELECT', 'UPDATE', 'EXECUTE']);
    expect(await classify('DO $pgr$ BEGIN PERFORM 1; END $pgr$')).toEqual(['DO', 'SELECT']);
    expect(await classify('DO LANGUAGE plpython3u $$ plpy.execute("delete from t") $$')).toEqual(['DO', UNPARSED]);
  });

  it('classifies an unreadable part UNPARSED and still reads the other parts', async () => {
    expect(await classify('selec 1')).toEqual([UNPARSED]);
    expect(await classify('select 1; selec 2; truncate t')).toEqual(['SELECT', UNPARSED, 'TRUNCATE']);
    expect(await classify("select 'unterminated")).toEqual([UNPARSED]);
  });

  it('gives nothing for an empty statement or a comment', async () => {
    expect(await classify('')).toEqual([]);
    expect(await classify(';')).toEqual([]);
    expect(await classify('-- nothing')).toEqual([]);
  });
});

describe('traceStatements', () => {
  it("finds the example cutter's own verbs and no forbidden one", async () => {
    const t = await trace(statements.filter((s) => s.app === 'ledger-cutter'));
    expect(t.verbs).toEqual(['BEGIN', 'COMMIT', 'INSERT', 'ROLLBACK', 'SELECT', 'UPDATE']);
    expect(t.forbidden).toEqual([]);
    expect(t).toMatchObject({ statements: 138, excluded: 0, unparsed: 0, ambiguous: 0 });
  });

  it("leaves out the tool's own statements by session user, its DELETE included", async () => {
    const t = await trace(statements);
    expect(t.excluded).toBe(2);
    expect(t.statements).toBe(152);
    expect(t.forbidden.some((f) => f.user === 'rehearse_tool')).toBe(false);
    expect(t.forbidden.some((f) => f.text.includes('verify_log WHERE false'))).toBe(false);
  });

  it('forbids a DELETE by the SUT that named itself pg-rehearse, a CTE DELETE, a DO block DELETE and a TRUNCATE among selects', async () => {
    const t = await trace(statements);
    expect(t.forbidden.map((f) => [f.verb, f.user, f.app, f.text])).toEqual([
      ['DELETE', 'cutter_app', 'pg-rehearse', 'DELETE FROM ledger.mark WHERE entry_id = 961'],
      [
        'DELETE',
        'cutter_app',
        'psql',
        'WITH gone AS (DELETE FROM ledger.verify_log WHERE ok = false RETURNING id) SELECT count(*) FROM gone;',
      ],
      ['DELETE', 'cutter_app', 'psql', 'DO $$ BEGIN DELETE FROM ledger.cut WHERE false; END $$;'],
      ['TRUNCATE', 'cutter_app', 'psql', 'select 1 as a ; truncate ledger.mark;'],
      [
        'DELETE',
        'cutter_app',
        'x user=rehearse_tool db=ledger LOG:  statement: select 1--',
        'DELETE FROM ledger.mark WHERE entry_id = 962',
      ],
    ]);
    expect(t.forbidden[0]).toMatchObject({ at: '2026-11-25T17:22:31.973Z', pid: 17969 });
  });

  it('counts verbs by statement, and reports ambiguous prefixes without leaving them out', async () => {
    const t = await trace(statements);
    expect(t.verbs).toEqual([
      'BEGIN',
      'COMMIT',
      'DELETE',
      'DO',
      'INSERT',
      'ROLLBACK',
      'SELECT',
      'SET',
      'TRUNCATE',
      'UPDATE',
    ]);
    expect(t.counts).toMatchObject({ DELETE: 4, TRUNCATE: 1, DO: 1, SET: 1 });
    expect(t.ambiguous).toBe(4);
    expect(t.unclassified.filter((u) => u.reason === 'ambiguous').map((u) => u.pid)).toEqual([
      17973, 17973, 17973, 17975,
    ]);
  });

  it('applies the forbidden list given, case-insensitively', async () => {
    const t = await trace(statements, ['insert']);
    expect(new Set(t.forbidden.map((f) => f.verb))).toEqual(new Set(['INSERT']));
    expect((await trace(statements, [])).forbidden).toEqual([]);
  });

  it('reports an unparsed statement, never drops it', async () => {
    const t = await trace(
      parseServerLog(
        [line('LOG:  statement: selec 1'), line('LOG:  statement: select 1; frobnicate all; delete from t')].join('\n'),
      ),
    );
    expect(t).toMatchObject({ statements: 2, unparsed: 2, verbs: ['DELETE', 'SELECT', UNPARSED] });
    expect(t.unclassified.map((u) => [u.reason, u.text])).toEqual([
      ['unparsed', 'selec 1'],
      ['unparsed', 'select 1; frobnicate all; delete from t'],
    ]);
    expect(t.forbidden.map((f) => f.verb)).toEqual(['DELETE']);
  });
});
