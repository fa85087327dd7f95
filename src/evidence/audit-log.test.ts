import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  auditStatements,
  auditVerbs,
  commandVerbs,
  parseAuditLog,
  parseCsvFields,
  type AuditRecord,
} from './audit-log.js';
import { DEFAULT_FORBIDDEN_VERBS, verbPolicy } from '../config/index.js';

// The real stderr of a PostgreSQL 15 dry-run server with pgaudit 1.7 preloaded and the session
// audit of `cutter_app` enabled with SESSION_AUDIT_SETTINGS (pg/session-audit.ts): a plain INSERT
// and DELETE, a function's DELETE, a DO block's dynamic DELETE and TRUNCATE, a trigger's DELETE, a
// data-modifying CTE, a multi-line quoted UPDATE, a SECURITY DEFINER function, an upsert and a MERGE
// on a table with a comma and quotes in its names, unqualified names under SET search_path, a
// multi-statement string, an INSERT that fails, a statement imitating an AUDIT line, and a second
// session with postgres.js (a prepared DELETE with a parameter, COPY FROM STDIN).
let log: string;
let records: AuditRecord[];

beforeAll(async () => {
  log = await readFile(new URL('../../fixtures/stderr/postgres-15-pgaudit.stderr', import.meta.url), 'utf8');
  records = parseAuditLog(log);
});

// A line with the dry-run server's prefix (pg/server-settings.ts): session, xid and vxid before `app=`.
const line = (rest: string, pid = 7, who = 'app=cutter user=cutter_app db=ledger', xact = '0 3/12') =>
  `2026-11-25 17:11:06.123 UTC [${pid}] 6925ea61.${pid.toString(16)} ${xact} ${who} LOG:  AUDIT: ${rest}`;

describe('parseAuditLog', () => {
  it('reads every AUDIT entry of the real log, and nothing else', () => {
    expect(records).toHaveLength(37);
    expect(records.every((r) => r.user === 'cutter_app')).toBe(true);
    expect(records.filter((r) => r.malformed)).toEqual([]);
  });

  it('takes time, pid, session user and every CSV field of an entry', () => {
    expect(records.find((r) => r.statement === 'delete from ledger.mark where id = 3')).toEqual({
      at: '2026-11-25T17:52:39.046Z',
      pid: 72,
      // That log was written with the earlier prefix, without %c %x %v.
      session: null,
      xid: null,
      vxid: null,
      app: 'psql',
      user: 'cutter_app',
      db: 'ledger',
      auditType: 'SESSION',
      statementId: 6,
      substatementId: 2,
      class: 'WRITE',
      command: 'DELETE',
      objectType: 'TABLE',
      objectName: 'ledger.mark',
      statement: 'delete from ledger.mark where id = 3',
      parameter: '<not logged>',
      rows: null,
      ambiguous: false,
      alternatives: [],
      malformed: false,
    });
  });

  it("takes the session, transaction id and virtual transaction id of an entry's line, whatever its application name", () => {
    const text = [
      line(
        `SESSION,11,1,FUNCTION,DO,,,"DO $$ BEGIN EXECUTE 'ALTER TABLE public.t ALTER COLUMN v TYPE bigint'; END $$",<not logged>`,
        72,
        'app=psql user=m db=shop',
        '0 3/26',
      ),
      line(
        'SESSION,11,2,DDL,ALTER TABLE,,,ALTER TABLE public.t ALTER COLUMN v TYPE bigint,<not logged>',
        72,
        'app=x 6925ea61.99 5 9/9 app=y user=rehearse_tool db=shop LOG:  AUDIT: SESSION,1,1,READ,SELECT,,,select 1,<not logged> user=m db=shop',
        '730 3/26',
      ),
    ].join('\n');
    expect(parseAuditLog(text).map((r) => [r.session, r.xid, r.vxid, r.user, r.substatementId, r.ambiguous])).toEqual([
      ['6925ea61.48', 0, '3/26', 'm', 1, false],
      ['6925ea61.48', 730, '3/26', 'm', 2, true],
    ]);
  });

  it('unquotes a CSV field that spans lines, its continuation tabs removed', () => {
    const update = records.find((r) => r.statementId === 8 && r.pid === 72)!;
    expect(update.statement).toBe(`update ledger.mark set note = 'multi\nline, "quoted"' where id = 4`);
    expect(records.filter((r) => r.statement.includes('pg_catalog.pg_type'))[0]?.statement).toMatch(
      /^\n {6}select b\.oid, b\.typarray\n/,
    );
  });

  it('keeps an object name as pgaudit quoted it, CSV quoting removed', () => {
    expect(
      records
        .filter((r) => r.statementId === 11 && r.pid === 72)
        .map((r) => [r.class, r.command, r.objectType, r.objectName]),
    ).toEqual([
      ['WRITE', 'INSERT', 'TABLE', '"Odd, s"."Ta""b"'],
      ['READ', 'SELECT', 'COMPOSITE TYPE', '"Odd, s"."Ta""b"'],
    ]);
  });

  it('logs a statement that failed (pgaudit.log_rows off): its rows still count in n_tup_ins', () => {
    expect(records.find((r) => r.statement === "insert into ledger.mark values (20, 'new'), (4, 'dup')")).toMatchObject(
      { class: 'WRITE', command: 'INSERT', objectName: 'ledger.mark' },
    );
    expect(log).toContain('duplicate key value violates unique constraint "mark_pkey"');
  });

  it('reads the rows field of pgaudit.log_rows and a parameter field of pgaudit.log_parameter', () => {
    const [withRows, withParams] = parseAuditLog(
      [
        line(
          "SESSION,1,1,WRITE,INSERT,TABLE,ledger.log,\"insert into ledger.log (what) values ('a'),('b')\",<not logged>,5",
        ),
        line('SESSION,2,1,WRITE,DELETE,TABLE,ledger.mark,delete from ledger.mark where id = $1,"4,x"'),
      ].join('\n'),
    );
    expect(withRows).toMatchObject({
      statement: "insert into ledger.log (what) values ('a'),('b')",
      rows: 5,
      malformed: false,
    });
    expect(withParams).toMatchObject({ parameter: '4,x', rows: null, malformed: false });
  });

  it('marks an entry whose CSV does not read as malformed, keeping its text', () => {
    const [unclosed, short, junk] = parseAuditLog(
      [
        line('SESSION,1,1,WRITE,DELETE,TABLE,t,"delete from t'),
        line('SESSION,1,2,WRITE'),
        line('SESSION,x,1,WRITE,DELETE,TABLE,t,delete from t,<not logged>'),
      ].join('\n'),
    );
    expect(unclosed).toMatchObject({ malformed: true, statement: 'SESSION,1,1,WRITE,DELETE,TABLE,t,"delete from t' });
    expect(short?.malformed).toBe(true);
    expect(junk?.malformed).toBe(true);
  });

  it('marks as ambiguous a statement imitating an AUDIT line, on the statement line and on its real entry', () => {
    const ambiguous = records.filter((r) => r.ambiguous);
    expect(ambiguous.map((r) => [r.statementId, r.class, r.command, r.objectName])).toEqual([
      // the `statement:` line, read as the entry it imitates
      [1, 'WRITE', 'DELETE', 'ledger.secret'],
      // the real entry, kept as the reading that reads well (the imitation cuts the other short)
      [19, 'READ', 'SELECT', ''],
    ]);
    expect(ambiguous[1]!.statement).toBe(
      'select 1 -- user=cutter_app db=ledger LOG:  AUDIT: SESSION,1,1,WRITE,DELETE,TABLE,ledger.secret,forged,<not logged>',
    );
  });

  it('takes the last reading when an application name imitates the prefix, and keeps the other', () => {
    const [r] = parseAuditLog(
      line(
        'SESSION,3,1,WRITE,DELETE,TABLE,ledger.mark,delete from ledger.mark,<not logged>',
        9,
        'app=x user=rehearse_tool db=ledger LOG:  AUDIT: SESSION,1,1,READ,SELECT,,,select 1,<not logged> user=cutter_app db=ledger',
      ),
    );
    expect(r).toMatchObject({
      user: 'cutter_app',
      statementId: 3,
      command: 'DELETE',
      ambiguous: true,
      alternatives: [{ app: 'x', user: 'rehearse_tool', db: 'ledger' }],
    });
  });

  it('ends an entry at output that is not the server’s, and ignores statement lines', () => {
    const text = [
      line('SESSION,1,1,READ,SELECT,,,"select \'a'),
      '\tb\'",<not logged>',
      'PostgreSQL init process complete; ready for start up.',
      '\tnot a continuation',
      `2026-11-25 17:11:06.123 UTC [7] 6925ea61.7 0 3/12 app=cutter user=cutter_app db=ledger LOG:  statement: select 1`,
    ].join('\n');
    expect(parseAuditLog(text).map((r) => r.statement)).toEqual(["select 'a\nb'"]);
  });
});

describe('parseCsvFields', () => {
  it('reads quoted fields with doubled quotes, empty fields and a trailing empty field', () => {
    expect(parseCsvFields('a,"b,""c""",,d,')).toEqual(['a', 'b,"c"', '', 'd', '']);
    expect(parseCsvFields('"x"y')).toBeNull();
    expect(parseCsvFields('"open')).toBeNull();
  });
});

describe('auditStatements', () => {
  it('groups the entries of a statement (one per relation) and marks what ran inside another statement', () => {
    const statements = auditStatements(records);
    const nested = statements.filter((s) => s.nested).map((s) => s.text);
    expect(nested).toEqual([
      'delete from ledger.note where mark_id = old.id',
      'delete from ledger.mark where id < below',
      'delete from ledger.note where mark_id = old.id',
      'delete from ledger.mark where id = 3',
      'delete from ledger.note where mark_id = old.id',
      'truncate ledger.note',
      'delete from ledger.note where mark_id = old.id',
      'delete from ledger.note where mark_id = old.id',
    ]);
    expect(statements.find((s) => s.pid === 72 && s.statementId === 11)?.records).toHaveLength(2);
    // An ambiguous entry stands alone and numbers nothing.
    expect(statements.filter((s) => s.ambiguous).map((s) => s.session)).toEqual([0, 0]);
    expect(statements.filter((s) => s.pid === 72 && !s.ambiguous).every((s) => s.session === 1)).toBe(true);
  });

  it('starts a new session when a pid is reused (its statement ids start again)', () => {
    const reused = parseAuditLog(
      [
        line('SESSION,1,1,READ,SELECT,,,select 1,<not logged>'),
        line('SESSION,2,1,READ,SELECT,,,select 2,<not logged>'),
        line('SESSION,1,1,READ,SELECT,,,select 3,<not logged>'),
      ].join('\n'),
    );
    expect(auditStatements(reused).map((s) => s.key)).toEqual(['7/1/1/1', '7/1/2/1', '7/2/1/1']);
  });
});

describe('commandVerbs', () => {
  it("maps pgaudit's command tags to the trace's verbs, and gives none for a function call", () => {
    expect(commandVerbs({ class: 'WRITE', command: 'TRUNCATE TABLE' })).toEqual(['TRUNCATE']);
    expect(commandVerbs({ class: 'DDL', command: 'CREATE TABLE' })).toEqual(['CREATE']);
    expect(commandVerbs({ class: 'DDL', command: 'DROP FUNCTION' })).toEqual(['DROP']);
    expect(commandVerbs({ class: 'ROLE', command: 'GRANT' })).toEqual(['GRANT']);
    expect(commandVerbs({ class: 'READ', command: 'SELECT INTO' })).toEqual(['SELECT', 'CREATE']);
    expect(commandVerbs({ class: 'MISC', command: 'EXECUTE' })).toEqual(['EXECUTE']);
    expect(commandVerbs({ class: 'FUNCTION', command: 'EXECUTE' })).toEqual([]);
    expect(commandVerbs({ class: 'FUNCTION', command: 'DO' })).toEqual(['DO']);
    expect(commandVerbs({ class: 'READ', command: '???' })).toEqual([]);
  });
});

describe('auditVerbs', () => {
  it('finds the forbidden verbs of sub-statements the statement log cannot have', async () => {
    const t = await auditVerbs(records, { toolRole: 'rehearse_tool', policy: verbPolicy(DEFAULT_FORBIDDEN_VERBS) });
    expect(t.verbs).toEqual([
      'COPY',
      'DELETE',
      'DO',
      'EXECUTE',
      'INSERT',
      'MERGE',
      'SELECT',
      'SET',
      'TRUNCATE',
      'UNPARSED',
      'UPDATE',
    ]);
    const nested = t.forbidden.filter((f) => f.nested).map((f) => [f.verb, f.text, f.relations]);
    expect(nested).toContainEqual(['DELETE', 'delete from ledger.mark where id = 3', ['ledger.mark']]);
    expect(nested).toContainEqual(['DELETE', 'delete from ledger.mark where id < below', ['ledger.mark']]);
    expect(nested).toContainEqual(['TRUNCATE', 'truncate ledger.note', []]);
    // COPY FROM is logged as INSERT on the table; its text says COPY.
    expect(t.forbidden.find((f) => f.verb === 'COPY')).toMatchObject({
      text: 'copy ledger.note (id, mark_id) from stdin',
      relations: ['ledger.note'],
    });
    expect(t.functions).toEqual(['ledger.definer_purge', 'ledger.purge']);
    expect(t).toMatchObject({ statements: 34, nested: 8, excluded: 0, ambiguous: 2, malformed: 0 });
    // The imitation's text (`forged`) does not parse: reported, never dropped.
    expect(t.unclassified.map((u) => u.reason)).toEqual(['ambiguous', 'unparsed', 'ambiguous']);
  });

  it("leaves out the tool's own entries by session user, unless the prefix is ambiguous", async () => {
    const text = [
      line(
        'SESSION,1,1,WRITE,DELETE,TABLE,t.a,delete from t.a,<not logged>',
        8,
        'app=pg-rehearse user=rehearse_tool db=ledger',
      ),
      line(
        'SESSION,1,1,WRITE,DELETE,TABLE,t.a,delete from t.a,<not logged>',
        9,
        'app=x user=rehearse_tool db=ledger LOG:  AUDIT: SESSION,1,1,READ,SELECT,,,select 1,<not logged> user=rehearse_tool db=ledger',
      ),
    ].join('\n');
    const t = await auditVerbs(parseAuditLog(text), { toolRole: 'rehearse_tool', policy: verbPolicy(['DELETE']) });
    expect(t).toMatchObject({ statements: 1, excluded: 1, ambiguous: 1 });
    expect(t.forbidden.map((f) => [f.verb, f.pid])).toEqual([['DELETE', 9]]);
  });
});
