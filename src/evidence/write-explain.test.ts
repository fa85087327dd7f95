import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAuditLog, type AuditRecord } from './audit-log.js';
import { DEFAULT_FORBIDDEN_VERBS } from '../config/index.js';
import { parseServerLog, type LoggedStatement } from './sql-trace.js';
import {
  explainWrites,
  splitQualifiedName,
  writesOfAudit,
  writesOfStatements,
  type TableWrite,
  type WriteCounts,
} from './write-explain.js';

const w = (verb: string, table: string, source: TableWrite['source'] = 'statement log'): TableWrite => ({
  verb,
  table: splitQualifiedName(table)!,
  source,
});
const counts = (inserted: number, updated: number, deleted: number): WriteCounts => ({ inserted, updated, deleted });

describe('explainWrites over partitioned and inherited tables', () => {
  // public.reading partitioned by range: January, February and a DEFAULT partition (the parent has no rows of its own).
  const parents = {
    'public.reading_2024_01': { parent: 'public.reading', partition: true },
    'public.reading_2024_02': { parent: 'public.reading', partition: true },
    'public.reading_default': { parent: 'public.reading', partition: true },
  };
  const known = ['public.reading', ...Object.keys(parents), 'public.device'];

  it('counts a DELETE through the parent on the parent, explained by the logged DELETE, and sees no TRUNCATE', () => {
    const deltas = {
      'public.reading': counts(0, 0, 0),
      'public.reading_2024_01': counts(0, 0, 4),
      'public.reading_2024_02': counts(0, 0, 3),
      'public.reading_default': counts(0, 0, 3),
    };
    const e = explainWrites(deltas, [w('DELETE', 'public.reading')], ['TRUNCATE'], {
      knownTables: known,
      rowDeltas: { 'public.reading': -10 },
      parents,
    });
    expect(e.explained).toEqual([{ table: 'public.reading', verb: 'DELETE', rows: 10, by: ['statement log'] }]);
    expect(e.unexplained).toEqual([]);
    expect(e.forbiddenUnexplained).toEqual([]);
  });

  it('without the tree, the same counters give the false findings of old: per-partition DELETEs and a TRUNCATE', () => {
    const deltas = {
      'public.reading_2024_01': counts(0, 0, 4),
      'public.reading_2024_02': counts(0, 0, 3),
      'public.reading_default': counts(0, 0, 3),
      'public.reading': counts(0, 0, 0),
    };
    const e = explainWrites(deltas, [w('DELETE', 'public.reading')], ['TRUNCATE'], {
      knownTables: known,
      rowDeltas: { 'public.reading': -10 },
    });
    expect(e.unexplained.map((u) => `${u.table} ${u.verb}`)).toEqual([
      'public.reading TRUNCATE',
      'public.reading_2024_01 DELETE',
      'public.reading_2024_02 DELETE',
      'public.reading_default DELETE',
    ]);
  });

  it('explains an INSERT routed to partitions, and one written to a partition directly, on the parent', () => {
    const deltas = { 'public.reading_2024_01': counts(2, 0, 0), 'public.reading_default': counts(1, 0, 0) };
    expect(
      explainWrites(deltas, [w('INSERT', 'public.reading')], DEFAULT_FORBIDDEN_VERBS, {
        knownTables: known,
        rowDeltas: { 'public.reading': 3 },
        parents,
      }).explained,
    ).toEqual([{ table: 'public.reading', verb: 'INSERT', rows: 3, by: ['statement log'] }]);
    expect(
      explainWrites(deltas, [w('INSERT', 'reading_2024_01')], DEFAULT_FORBIDDEN_VERBS, {
        knownTables: known,
        parents,
      }).explained.map((x) => x.table),
    ).toEqual(['public.reading']);
  });

  it('explains rows an UPDATE through the parent moved to another partition (a delete and an insert)', () => {
    const deltas = {
      'public.reading_2024_01': counts(0, 0, 1),
      'public.reading_2024_02': counts(1, 0, 0),
      'public.reading_default': counts(0, 2, 0),
    };
    const e = explainWrites(deltas, [w('UPDATE', 'public.reading')], DEFAULT_FORBIDDEN_VERBS, {
      knownTables: known,
      rowDeltas: { 'public.reading': 0 },
      parents,
    });
    expect(e.unexplained).toEqual([]);
    expect(e.explained.map((x) => `${x.verb} ${x.rows}`)).toEqual(['INSERT 1', 'UPDATE 2', 'DELETE 1']);
  });

  it('reports a real TRUNCATE of a partition only when no logged TRUNCATE explains it', () => {
    const deltas = { 'public.reading_2024_01': counts(0, 0, 0), 'public.reading_2024_02': counts(0, 0, 0) };
    const rowDeltas = { 'public.reading': -66 };
    const unlogged = explainWrites(deltas, [], ['TRUNCATE'], { knownTables: known, rowDeltas, parents });
    expect(unlogged.forbiddenUnexplained).toEqual([{ table: 'public.reading', verb: 'TRUNCATE', rows: 66 }]);
    for (const named of ['public.reading_2024_01', 'public.reading']) {
      const logged = explainWrites(deltas, [w('TRUNCATE', named)], ['TRUNCATE'], {
        knownTables: known,
        rowDeltas,
        parents,
      });
      expect(logged.explained, named).toEqual([
        { table: 'public.reading', verb: 'TRUNCATE', rows: 66, by: ['statement log'] },
      ]);
      expect(logged.unexplained, named).toEqual([]);
    }
  });

  it('sums a multi-level tree and inheritance children into the top-most parent', () => {
    const tree = {
      'public.region_eu': { parent: 'public.region', partition: true },
      'public.region_eu_2024': { parent: 'public.region_eu', partition: true },
      'public.city': { parent: 'public.place', partition: false },
    };
    const deltas = {
      'public.region_eu_2024': counts(0, 0, 2),
      'public.city': counts(0, 0, 1),
      'public.place': counts(0, 0, 1),
    };
    const e = explainWrites(deltas, [w('DELETE', 'public.region'), w('DELETE', 'public.place')], ['DELETE'], {
      parents: tree,
      rowDeltas: { 'public.region': -2, 'public.place': -2 },
    });
    expect(e.explained).toEqual([
      { table: 'public.place', verb: 'DELETE', rows: 2, by: ['statement log'] },
      { table: 'public.region', verb: 'DELETE', rows: 2, by: ['statement log'] },
    ]);
    expect(e.unexplained).toEqual([]);
  });

  it('asks the policy, table by table, whether an unexplained write fails the run', () => {
    const e = explainWrites(
      { 'public.pgmigrations': counts(0, 0, 1), 'public.payment': counts(0, 0, 1) },
      [],
      (verb, table) => verb === 'DELETE' && table !== 'public.pgmigrations',
    );
    expect(e.forbiddenUnexplained).toEqual([{ table: 'public.payment', verb: 'DELETE', rows: 1 }]);
  });
});

describe('explainWrites', () => {
  it('explains a counted write by a logged write of the same verb on the same schema-qualified table', () => {
    const e = explainWrites(
      { 'ledger.mark': counts(3, 2, 1) },
      [w('INSERT', 'ledger.mark'), w('UPDATE', 'ledger.mark', 'audit log'), w('UPDATE', 'ledger.mark')],
      DEFAULT_FORBIDDEN_VERBS,
    );
    expect(e.explained).toEqual([
      { table: 'ledger.mark', verb: 'INSERT', rows: 3, by: ['statement log'] },
      { table: 'ledger.mark', verb: 'UPDATE', rows: 2, by: ['audit log', 'statement log'] },
    ]);
    expect(e.unexplained).toEqual([{ table: 'ledger.mark', verb: 'DELETE', rows: 1 }]);
    expect(e.forbiddenUnexplained).toEqual([{ table: 'ledger.mark', verb: 'DELETE', rows: 1 }]);
  });

  it('never lets one verb explain another, another schema, or a TRUNCATE explain deleted rows', () => {
    const e = explainWrites(
      { 'ledger.mark': counts(0, 0, 4) },
      [w('INSERT', 'ledger.mark'), w('DELETE', 'archive.mark'), w('TRUNCATE', 'ledger.mark')],
      DEFAULT_FORBIDDEN_VERBS,
    );
    expect(e.unexplained).toEqual([{ table: 'ledger.mark', verb: 'DELETE', rows: 4 }]);
  });

  it('reports an unexplained write whose verb is allowed, without failing on it', () => {
    const e = explainWrites({ 'ledger.entry': counts(0, 5, 0) }, [], DEFAULT_FORBIDDEN_VERBS);
    expect(e.unexplained).toEqual([{ table: 'ledger.entry', verb: 'UPDATE', rows: 5 }]);
    expect(e.forbiddenUnexplained).toEqual([]);
  });

  it('matches an unqualified name only to the one known table of that name', () => {
    const known = ['ledger.mark', 'ledger.entry', 'archive.entry'];
    const e = explainWrites(
      { 'ledger.mark': counts(0, 0, 2), 'ledger.entry': counts(0, 0, 1) },
      [w('DELETE', 'mark'), w('DELETE', 'entry'), w('DELETE', 'nowhere')],
      ['DELETE'],
      { knownTables: known },
    );
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
    const e = explainWrites(deltas, [w('DELETE', 'ledger.note'), w('DELETE', 'ledger.mark')], DEFAULT_FORBIDDEN_VERBS, {
      rowDeltas,
    });
    expect(e.forbiddenUnexplained).toEqual([{ table: 'ledger.note', verb: 'TRUNCATE', rows: 9 }]);
    const audited = explainWrites(
      deltas,
      [w('DELETE', 'ledger.note'), w('DELETE', 'ledger.mark'), w('TRUNCATE', 'ledger.note', 'audit log')],
      DEFAULT_FORBIDDEN_VERBS,
      { rowDeltas },
    );
    expect(audited.unexplained).toEqual([{ table: 'ledger.note', verb: 'INSERT', rows: 2 }]);
    expect(audited.explained).toContainEqual({ table: 'ledger.note', verb: 'TRUNCATE', rows: 9, by: ['audit log'] });
  });

  it('says nothing of counters that went backwards, and lists them', () => {
    const e = explainWrites({ 'ledger.mark': counts(-7, 0, 0) }, [], ['INSERT']);
    expect(e).toMatchObject({
      explained: [],
      unexplained: [],
      forbiddenUnexplained: [],
      backwards: [{ table: 'ledger.mark', verb: 'INSERT', rows: -7 }],
    });
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
    statements = parseServerLog(
      await readFile(new URL('../../fixtures/stderr/postgres-15-dry-run.log', import.meta.url), 'utf8'),
    );
  });

  it("gives the cutter's writes, leaves out the tool's and the ambiguous statements, and counts the DO block as static", async () => {
    const out = await writesOfStatements(statements, { excludeUser: 'rehearse_tool' });
    const set = [...new Set(out.writes.map((x) => `${x.verb} ${x.table.schema}.${x.table.table}`))].sort();
    expect(set).toEqual(
      expect.arrayContaining([
        'INSERT ledger.mark',
        'UPDATE ledger.entry',
        'DELETE ledger.verify_log',
        'DELETE ledger.cut',
      ]),
    );
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
    records = parseAuditLog(
      await readFile(new URL('../../fixtures/stderr/postgres-15-pgaudit.stderr', import.meta.url), 'utf8'),
    );
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
    const dynamicOnly = records.filter(
      (r) =>
        r.statement === 'delete from ledger.mark where id = 3' || r.statement.startsWith("DO $$ BEGIN EXECUTE 'delete"),
    );
    const logged: LoggedStatement[] = [
      {
        at: '',
        pid: 72,
        session: null,
        xid: null,
        vxid: null,
        app: 'psql',
        user: 'cutter_app',
        db: 'ledger',
        text: `DO $$ BEGIN EXECUTE 'delete from ledger.mark where id = ' || 3; END $$`,
        parameters: null,
        ambiguous: false,
        alternatives: [],
      },
    ];
    const fromLog = explainWrites(deltas, (await writesOfStatements(logged)).writes, DEFAULT_FORBIDDEN_VERBS);
    expect(fromLog.forbiddenUnexplained).toEqual([{ table: 'ledger.mark', verb: 'DELETE', rows: 1 }]);
    const fromAudit = explainWrites(deltas, (await writesOfAudit(dynamicOnly)).writes, DEFAULT_FORBIDDEN_VERBS);
    expect(fromAudit.explained).toEqual([{ table: 'ledger.mark', verb: 'DELETE', rows: 1, by: ['audit log'] }]);
    expect(fromAudit.forbiddenUnexplained).toEqual([]);
  });

  it('never lets an ambiguous entry explain a write', async () => {
    const e = explainWrites(
      { 'ledger.secret': counts(0, 0, 1) },
      (await writesOfAudit(records)).writes,
      DEFAULT_FORBIDDEN_VERBS,
    );
    // The imitated `WRITE,DELETE,TABLE,ledger.secret` entry explains nothing; the SECURITY DEFINER DELETE stays unexplained.
    expect(e.forbiddenUnexplained).toEqual([{ table: 'ledger.secret', verb: 'DELETE', rows: 1 }]);
  });
});
