import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAuditLog, type AuditRecord } from './audit-log.js';
import { DEFAULT_FORBIDDEN_VERBS, parseServerLog, type LoggedStatement } from './sql-trace.js';
import { explainWrites, splitQualifiedName, writesOfAudit, writesOfStatements, type TableWrite, type WriteCounts } from './write-explain.js';

const w = (verb: string, table: string, source: TableWrite['source'] = 'statement log'): TableWrite => ({ verb, table: splitQualifiedName(table)!, source });
const counts = (inserted: number, updated: number, deleted: number): WriteCounts => ({ inserted, updated, deleted });

describe('explainWrites', () => {
  it('explains a counted write by a logged write of the same verb on the same schema-qualified table', () => {
    const e = explainWrites({ 'ledger.mark': counts(3, 2, 1) }, [w('INSERT', 'ledger.mark'), w('UPDATE', 'ledger.mark', 'audit log'), w('UPDATE', 'ledger.mark')], DEFAULT_FORBIDDEN_VERBS);
    expect(e.explained).toEqual([
      { table: 'ledger.mark', verb: 'INSERT', rows: 3, by: ['statement log'] },
      { table: 'ledger.mark', verb: 'UPDATE', rows: 2, by: ['audit log', 'statement log'] },
    ]);
    expect(e.unexplained).toEqual([{ table: 'ledger.mark', verb: 'DELETE', rows: 1 }]);
    expect(e.forbiddenUnexplained).toEqual([{ table: 'ledger.mark', verb: 'DELETE', rows: 1 }]);
  });

  it('never lets one verb explain another, another schema, or a TRUNCATE explain deleted rows', () => {
    const e = explainWrites({ 'ledger.mark': counts(0, 0, 4) }, [w('INSERT', 'ledger.mark'), w('DELETE', 'archive.mark'), w('TRUNCATE', 'ledger.mark')], DEFAULT_FORBIDDEN_VERBS);
    expect(e.unexplained).toEqual([{ table: 'ledger.mark', verb: 'DELETE', rows: 4 }]);
  });

  it('reports an unexplained write whose verb is allowed, without failing on it', () => {
    const e = explainWrites({ 'ledger.entry': counts(0, 5, 0) }, [], DEFAULT_FORBIDDEN_VERBS);
    expect(e.unexplained).toEqual([{ table: 'ledger.entry', verb: 'UPDATE', rows: 5 }]);
    expect(e.forbiddenUnexplained).toEqual([]);
  });

  it('matches an unqualified name only to the one known table of that name', () => {
    const known = ['ledger.mark', 'ledger.entry', 'archive.entry'];
    const e = explainWrites({ 'ledger.mark': counts(0, 0, 2), 'ledger.entry': counts(0, 0, 1) }, [w('DELETE', 'mark'), w('DELETE', 'entry'), w('DELETE', 'nowhere')], ['DELETE'], { knownTables: known });
    expect(e.explained.map((x) => x.table)).toEqual(['ledger.mark']);
    expect(e.unexplained).toEqual([{ table: 'ledger.entry', verb: 'DELETE', rows: 1 }]);
    expect(e.unresolved).toEqual([
      { table: 'entry', verb: 'DELETE', source: 'statement log', matches: ['archive.entry', 'ledger.entry'] },
      { table: 'nowhere', verb: 'DELETE', source: 'statement log', matches: [] },
    ]);
  });

  it('by default knows only the tables it was given counters for', () => {
    const e = explainWrites({ 'ledger.mark': counts(1, 0, 0) }, [w('insert', 'mark')], []);
    expect(e.explained).toEqual([{ table: 'ledger.mark', verb: 'INSERT', rows: 1, by: ['statement log'] }]);
  });

  it('reports rows that went without a counted DELETE as TRUNCATE, explained only by a logged TRUNCATE of the table', () => {
    const deltas = { 'ledger.note': counts(2, 0, 1), 'ledger.mark': counts(0, 0, 3) };
    const rowDeltas = { 'ledger.note': -10, 'ledger.mark': -3 };
    const e = explainWrites(deltas, [w('DELETE', 'ledger.note'), w('DELETE', 'ledger.mark')], DEFAULT_FORBIDDEN_VERBS, { rowDeltas });
    expect(e.forbiddenUnexplained).toEqual([{ table: 'ledger.note', verb: 'TRUNCATE', rows: 9 }]);
    const audited = explainWrites(deltas, [w('DELETE', 'ledger.note'), w('DELETE', 'ledger.mark'), w('TRUNCATE', 'ledger.note', 'audit log')], DEFAULT_FORBIDDEN_VERBS, { rowDeltas });
    expect(audited.unexplained).toEqual([{ table: 'ledger.note', verb: 'INSERT', rows: 2 }]);
    expect(audited.explained).toContainEqual({ table: 'ledger.note', verb: 'TRUNCATE', rows: 9, by: ['audit log'] });
  });

  it('says nothing of counters that went backwards, and lists them', () => {
    const e = explainWrites({ 'ledger.mark': counts(-7, 0, 0) }, [], ['INSERT']);
    expect(e).toMatchObject({ explained: [], unexplained: [], forbiddenUnexplained: [], backwards: [{ table: 'ledger.mark', verb: 'INSERT', rows: -7 }] });
  });
});

describe('splitQualifiedName', () => {
  it('unquotes the parts of a name as pgaudit writes it', () => {
    expect(splitQualifiedName('ledger.mark')).toEqual({ schema: 'ledger', table: 'mark' });
    expect(splitQualifiedName('"Odd, s"."Ta""b"')).toEqual({ schema: 'Odd, s', table: 'Ta"b' });
    expect(splitQualifiedName('"a.b".c')).toEqual({ schema: 'a.b', table: 'c' });
    expect(splitQualifiedName('mark')).toEqual({ schema: null, table: 'mark' });
    expect(splitQualifiedName('a.b.c')).toBeNull();
    expect(splitQualifiedName('"open.c')).toBeNull();
    expect(splitQualifiedName('a.')).toBeNull();
  });
});

describe('writesOfStatements (the real statement log)', () => {
  let statements: LoggedStatement[];
  beforeAll(async () => {
    statements = parseServerLog(await readFile(new URL('../../fixtures/stderr/postgres-15-dry-run.log', import.meta.url), 'utf8'));
  });

  it("gives the cutter's writes, leaves out the tool's and the ambiguous statements, and counts the DO block as static", async () => {
    const out = await writesOfStatements(statements, { excludeUser: 'rehearse_tool' });
    const set = [...new Set(out.writes.map((x) => `${x.verb} ${x.table.schema}.${x.table.table}`))].sort();
    expect(set).toEqual(expect.arrayContaining(['INSERT ledger.mark', 'UPDATE ledger.entry', 'DELETE ledger.verify_log', 'DELETE ledger.cut']));
    // Lines whose prefix reads more than one way explain nothing, whoever they claim to be.
    const ambiguous = statements.filter((s) => s.ambiguous);
    expect(ambiguous.length).toBeGreaterThan(0);
    expect((await writesOfStatements(ambiguous)).writes).toEqual([]);
    expect(out.skipped).toBe(statements.filter((s) => s.ambiguous || s.user === 'rehearse_tool').length);
    expect(out.dynamic).toBe(0);
  });
});

describe('writesOfAudit (the real audit log)', () => {
  let records: AuditRecord[];
  beforeAll(async () => {
    records = parseAuditLog(await readFile(new URL('../../fixtures/stderr/postgres-15-pgaudit.stderr', import.meta.url), 'utf8'));
  });

  it("takes each WRITE entry's relation, and the writes of its text that pgaudit logs as INSERT (upsert, MERGE)", async () => {
    const out = await writesOfAudit(records);
    const odd = new Set(out.writes.filter((x) => x.table.schema === 'Odd, s').map((x) => x.verb));
    expect([...odd].sort()).toEqual(['DELETE', 'INSERT', 'UPDATE']);
    expect(out.writes.every((x) => x.source === 'audit log')).toBe(true);
    expect(out.skipped).toBe(2);
    expect(out.dynamic).toBe(2);
  });

  it('resolves an unqualified name in the text by the relation pgaudit resolved for the same statement', async () => {
    const out = await writesOfAudit(records.filter((r) => r.statement.startsWith('insert into mark values (10')));
    expect(out.writes.every((x) => x.table.schema === 'ledger')).toBe(true);
    expect(new Set(out.writes.map((x) => x.verb))).toEqual(new Set(['INSERT', 'UPDATE', 'DELETE']));
  });

  it('explains the DELETEs of dynamic SQL the statement log cannot, and they stay forbidden', async () => {
    // What the counters of that run showed for ledger.mark's deletes by dynamic SQL alone.
    const deltas = { 'ledger.mark': counts(0, 0, 1) };
    const dynamicOnly = records.filter((r) => r.statement === 'delete from ledger.mark where id = 3' || r.statement.startsWith('DO $$ BEGIN EXECUTE \'delete'));
    const logged: LoggedStatement[] = [{ at: '', pid: 72, app: 'psql', user: 'cutter_app', db: 'ledger', text: `DO $$ BEGIN EXECUTE 'delete from ledger.mark where id = ' || 3; END $$`, parameters: null, ambiguous: false, alternatives: [] }];
    const fromLog = explainWrites(deltas, (await writesOfStatements(logged)).writes, DEFAULT_FORBIDDEN_VERBS);
    expect(fromLog.forbiddenUnexplained).toEqual([{ table: 'ledger.mark', verb: 'DELETE', rows: 1 }]);
    const fromAudit = explainWrites(deltas, (await writesOfAudit(dynamicOnly)).writes, DEFAULT_FORBIDDEN_VERBS);
    expect(fromAudit.explained).toEqual([{ table: 'ledger.mark', verb: 'DELETE', rows: 1, by: ['audit log'] }]);
    expect(fromAudit.forbiddenUnexplained).toEqual([]);
  });

  it('never lets an ambiguous entry explain a write', async () => {
    const e = explainWrites({ 'ledger.secret': counts(0, 0, 1) }, (await writesOfAudit(records)).writes, DEFAULT_FORBIDDEN_VERBS);
    // The imitated `WRITE,DELETE,TABLE,ledger.secret` entry explains nothing; the SECURITY DEFINER DELETE stays unexplained.
    expect(e.forbiddenUnexplained).toEqual([{ table: 'ledger.secret', verb: 'DELETE', rows: 1 }]);
  });
});
