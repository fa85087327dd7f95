// A dry-run server with pgaudit preloaded, as `run` would start it (LOG_SETTINGS plus
// shared_preload_libraries=pgaudit), and a role of the system under test audited: what the
// statement log, the audit log and the write counters each show of a plain INSERT, a DELETE
// inside a PL/pgSQL function, a DO block's dynamic DELETE, a trigger's DELETE and a SECURITY
// DEFINER function's DELETE; and when the counters can be trusted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOOL_ROLE } from '../engine/index.js';
import {
  auditVerbs,
  explainWrites,
  parseAuditLog,
  parseServerLog,
  writesOfAudit,
  writesOfStatements,
  type AuditRecord,
  type LoggedStatement,
} from '../evidence/index.js';
import { DEFAULT_FORBIDDEN_VERBS, verbPolicy } from '../config/index.js';
import { analyseTrace } from '../run/trace-gate.js';
import { containerLogs, eventually } from '../test-support/docker.js';
import { throwawayServer, type ThrowawayServer } from '../test-support/throwaway-server.js';
import { rowCounts } from './identity.js';
import { setRolePasswords } from './restore.js';
import { enableSessionAudit, pgauditAvailable, pgauditStatus, SESSION_AUDIT_SETTINGS } from './session-audit.js';
import { LOG_SETTINGS, PGAUDIT_SERVER_SETTINGS } from './server-settings.js';
import { connect, type PgTarget } from './target.js';
import { counterDeltas, readWriteCounters, type WriteCounterReading } from './write-counters.js';

const SUT_ROLE = 'audit_app';
const SUT_PASSWORD = 'Audit-app@pw:/?#1';
const SCENARIO_APP = 'audit-scenario';

let server: ThrowawayServer | null = null;
let tool: PgTarget;
let sut: PgTarget;

async function exec(target: PgTarget, statements: string[], app = 'pg-rehearse test'): Promise<void> {
  const sql = connect(target, app);
  try {
    for (const statement of statements) await sql.unsafe(statement);
  } finally {
    await sql.end();
  }
}

/** The server's log once it holds `marker`: the logger writes asynchronously. */
async function logUntil(marker: string): Promise<string> {
  return eventually(
    () => containerLogs(server!.containerId),
    (l) => l.includes(marker),
  );
}

beforeAll(async () => {
  server = await throwawayServer({
    prefix: 'pgr-audit',
    database: 'ledger',
    settings: { ...LOG_SETTINGS, ...PGAUDIT_SERVER_SETTINGS },
  });
  tool = server.target;
  sut = { ...tool, user: SUT_ROLE, password: SUT_PASSWORD };
  await exec(tool, [
    'create schema ledger',
    'create table ledger.mark (id int primary key, note text)',
    'create table ledger.note (id int primary key, mark_id int)',
    'create table ledger.secret (id int primary key)',
    `create role ${SUT_ROLE} login`,
    `grant usage on schema ledger to ${SUT_ROLE}`,
    `grant select, insert, update, delete on ledger.mark, ledger.note to ${SUT_ROLE}`,
    // A PL/pgSQL function whose DELETE the statement log never sees.
    `create function ledger.purge(below int) returns int language plpgsql as $$ declare n int; begin delete from ledger.mark where id < below; get diagnostics n = row_count; return n; end $$`,
    // A trigger that deletes the notes of a deleted mark.
    `create function ledger.drop_notes() returns trigger language plpgsql as $$ begin delete from ledger.note where mark_id = old.id; return old; end $$`,
    'create trigger mark_notes after delete on ledger.mark for each row execute function ledger.drop_notes()',
    // A SECURITY DEFINER function owned by the superuser: pgaudit does not log what runs inside it.
    `create function ledger.definer_purge() returns void language plpgsql security definer as $$ begin delete from ledger.secret where id = 1; end $$`,
    `grant execute on function ledger.definer_purge() to ${SUT_ROLE}`,
    'insert into ledger.secret values (1), (2)',
  ]);
  await setRolePasswords(tool, { [SUT_ROLE]: SUT_PASSWORD });
  await enableSessionAudit(tool, [SUT_ROLE]);
});

afterAll(async () => {
  if (server) {
    const outcome = await server.close();
    expect(outcome.complete).toBe(true);
  }
});

describe('session audit', () => {
  it('finds pgaudit preloaded and its settings defined by the library', async () => {
    expect(await pgauditAvailable(tool)).toBe(true);
    expect(await pgauditStatus(tool)).toMatchObject({ preloaded: true, loaded: true, extensionAvailable: true });
  });

  it('sets every audit setting on the role, and the role cannot turn them off', async () => {
    const enabled = await enableSessionAudit(tool, [SUT_ROLE]);
    expect(enabled.inForce[SUT_ROLE]).toEqual(SESSION_AUDIT_SETTINGS);
    const sql = connect(sut, 'pg-rehearse test');
    try {
      expect(
        await sql`select current_setting('pgaudit.log') as log, current_setting('pgaudit.log_relation') as rel`,
      ).toEqual([{ log: 'all', rel: 'on' }]);
      await expect(sql.unsafe(`set pgaudit.log = 'none'`)).rejects.toMatchObject({ code: '42501' });
    } finally {
      await sql.end();
    }
  });

  it('refuses to enable auditing for a role that does not exist, naming the SQLSTATE', async () => {
    await expect(enableSessionAudit(tool, ['no_such_role'])).rejects.toMatchObject({
      code: 'E_PG_QUERY',
      sqlState: '42704',
    });
  });
});

describe('statement log, audit log and write counters', () => {
  let before: WriteCounterReading;
  let after: WriteCounterReading;
  let statements: LoggedStatement[];
  let audit: AuditRecord[];
  const marker = 'select 42 as end_of_the_session';

  beforeAll(async () => {
    before = await readWriteCounters(tool, 'all', { roles: [SUT_ROLE] });
    // One session of the system under test, then it disconnects (its backend flushes its counts).
    await exec(
      sut,
      [
        // (a) a plain INSERT
        `insert into ledger.mark values (1, 'a'), (2, 'b'), (3, 'c'), (4, 'd')`,
        `insert into ledger.note values (10, 3), (11, 3)`,
        // (b) a DELETE inside a PL/pgSQL function, called by a SELECT
        'select ledger.purge(2)',
        // (c) a DO block whose DELETE is dynamic SQL; the trigger then deletes mark 3's notes
        `DO $$ BEGIN EXECUTE 'delete from ledger.mark where id = ' || 3; END $$`,
        // (d) a SECURITY DEFINER function's DELETE: pgaudit skips it on purpose
        'select ledger.definer_purge()',
        marker,
      ],
      SCENARIO_APP,
    );
    after = await readWriteCounters(tool, 'all', { roles: [SUT_ROLE] });
    const log = await logUntil(marker);
    // This session's only (the application name is trusted here: the test set it).
    statements = parseServerLog(log).filter((s) => s.user === SUT_ROLE && s.app === SCENARIO_APP);
    audit = parseAuditLog(log).filter((r) => r.user === SUT_ROLE && r.app === SCENARIO_APP);
  });

  it('the statement log sees only what the client sent: `select ledger.purge(2)` and the DO block, no DELETE', () => {
    // postgres.js reads the array types first; that select is left out here.
    expect(statements.map((s) => s.text).filter((t) => !t.includes('pg_catalog.pg_type'))).toEqual([
      `insert into ledger.mark values (1, 'a'), (2, 'b'), (3, 'c'), (4, 'd')`,
      `insert into ledger.note values (10, 3), (11, 3)`,
      'select ledger.purge(2)',
      `DO $$ BEGIN EXECUTE 'delete from ledger.mark where id = ' || 3; END $$`,
      'select ledger.definer_purge()',
      marker,
    ]);
    expect(statements.some((s) => /^\s*delete/i.test(s.text))).toBe(false);
  });

  it('the audit log records the DELETEs of the function, the DO block and the trigger as sub-statements, each with its table', () => {
    const deletes = audit
      .filter((r) => r.class === 'WRITE' && r.command === 'DELETE')
      .map((r) => ({ object: r.objectName, statement: r.statement }));
    // The trigger fires once per deleted mark (rows or not).
    expect(deletes).toEqual([
      { object: 'ledger.mark', statement: 'delete from ledger.mark where id < below' },
      { object: 'ledger.note', statement: 'delete from ledger.note where mark_id = old.id' },
      { object: 'ledger.mark', statement: 'delete from ledger.mark where id = 3' },
      { object: 'ledger.note', statement: 'delete from ledger.note where mark_id = old.id' },
    ]);
    // Each sub-statement is numbered within the statement the client sent.
    const purge = audit.filter(
      (r) => r.statement === 'select ledger.purge(2)' || r.statement.startsWith('delete from ledger.mark where id < '),
    );
    expect(new Set(purge.map((r) => r.statementId)).size).toBe(1);
    expect(audit.find((r) => r.class === 'FUNCTION' && r.command === 'DO')?.statement).toBe(
      `DO $$ BEGIN EXECUTE 'delete from ledger.mark where id = ' || 3; END $$`,
    );
    // Nothing of the SECURITY DEFINER function's body: only the call.
    expect(audit.some((r) => r.objectName === 'ledger.secret')).toBe(false);
    expect(
      audit.some((r) => r.class === 'FUNCTION' && r.command === 'EXECUTE' && r.objectName === 'ledger.definer_purge'),
    ).toBe(true);
  });

  it('the counters show every row written once the session is gone, the SECURITY DEFINER DELETE included', () => {
    expect(before.settled).toBe(true);
    expect(after).toMatchObject({ settled: true, lingering: [], missing: [] });
    const deltas = counterDeltas(before.counters, after.counters);
    expect(deltas).toEqual({
      'ledger.mark': { inserted: 4, updated: 0, deleted: 2 },
      'ledger.note': { inserted: 2, updated: 0, deleted: 2 },
      'ledger.secret': { inserted: 0, updated: 0, deleted: 1 },
    });
  });

  it('over the statement log alone every DELETE is unexplained, and forbidden', async () => {
    const deltas = counterDeltas(before.counters, after.counters);
    const logged = await writesOfStatements(statements, { excludeUser: TOOL_ROLE });
    expect(logged.dynamic).toBe(1);
    const e = explainWrites(deltas, logged.writes, DEFAULT_FORBIDDEN_VERBS, {
      knownTables: Object.keys(after.counters),
    });
    expect(e.explained.map((x) => [x.table, x.verb, x.by])).toEqual([
      ['ledger.mark', 'INSERT', ['statement log']],
      ['ledger.note', 'INSERT', ['statement log']],
    ]);
    expect(e.unexplained).toEqual([
      { table: 'ledger.mark', verb: 'DELETE', rows: 2 },
      { table: 'ledger.note', verb: 'DELETE', rows: 2 },
      { table: 'ledger.secret', verb: 'DELETE', rows: 1 },
    ]);
    expect(e.forbiddenUnexplained).toEqual(e.unexplained);
  });

  it('with the audit log the function, DO block and trigger DELETEs are explained (and still forbidden); the SECURITY DEFINER one is not', async () => {
    const deltas = counterDeltas(before.counters, after.counters);
    const logged = await writesOfStatements(statements, { excludeUser: TOOL_ROLE });
    const audited = await writesOfAudit(audit, { excludeUser: TOOL_ROLE });
    const e = explainWrites(deltas, [...logged.writes, ...audited.writes], DEFAULT_FORBIDDEN_VERBS, {
      knownTables: Object.keys(after.counters),
    });
    expect(e.explained.filter((x) => x.verb === 'DELETE').map((x) => [x.table, x.by])).toEqual([
      ['ledger.mark', ['audit log']],
      ['ledger.note', ['audit log']],
    ]);
    expect(e.unexplained).toEqual([{ table: 'ledger.secret', verb: 'DELETE', rows: 1 }]);
    expect(e.forbiddenUnexplained).toEqual([{ table: 'ledger.secret', verb: 'DELETE', rows: 1 }]);
    // The audited DELETEs are forbidden verbs themselves: the trace fails the run on them.
    const trace = await auditVerbs(audit, { toolRole: TOOL_ROLE, policy: verbPolicy(DEFAULT_FORBIDDEN_VERBS) });
    expect(trace.forbidden.map((f) => [f.verb, f.text, f.nested, f.relations])).toEqual([
      ['DELETE', 'delete from ledger.mark where id < below', true, ['ledger.mark']],
      ['DELETE', 'delete from ledger.note where mark_id = old.id', true, ['ledger.note']],
      ['DELETE', 'delete from ledger.mark where id = 3', true, ['ledger.mark']],
      ['DELETE', 'delete from ledger.note where mark_id = old.id', true, ['ledger.note']],
    ]);
    // Functions a statement called; a trigger's function is not logged as called, its statements are.
    expect(trace.functions).toEqual(['ledger.definer_purge', 'ledger.purge']);
    expect(trace).toMatchObject({ ambiguous: 0, malformed: 0, unparsed: 0 });
  });
});

describe('readWriteCounters', () => {
  it('does not settle while a session of the role is still connected (its counts are pending), and does once it has gone', async () => {
    const base = await readWriteCounters(tool, ['ledger.mark'], { roles: [SUT_ROLE] });
    const sql = connect(sut, 'pg-rehearse test idle');
    try {
      await sql.unsafe(`insert into ledger.mark values (100, 'x')`);
      await sql.unsafe('delete from ledger.mark where id = 100');
      const open = await readWriteCounters(tool, ['ledger.mark'], { roles: [SUT_ROLE], settleMs: 600 });
      expect(open.settled).toBe(false);
      expect(open.lingering.map((b) => b.user)).toEqual([SUT_ROLE]);
      expect(open.reads).toBeGreaterThanOrEqual(2);
    } finally {
      await sql.end();
    }
    const closed = await readWriteCounters(tool, ['ledger.mark'], { roles: [SUT_ROLE] });
    expect(closed.settled).toBe(true);
    expect(counterDeltas(base.counters, closed.counters)['ledger.mark']).toEqual({
      inserted: 1,
      updated: 0,
      deleted: 1,
    });
  });

  it('lists a table that does not exist as missing, and refuses a name that is not schema.table', async () => {
    const r = await readWriteCounters(tool, ['ledger.mark', 'ledger.gone'], { roles: [SUT_ROLE] });
    expect(r.missing).toEqual(['ledger.gone']);
    expect(Object.keys(r.counters)).toEqual(['ledger.mark']);
    await expect(readWriteCounters(tool, ['mark'])).rejects.toMatchObject({ code: 'E_USAGE' });
  });
});

// Range and list partitioning, each with a DEFAULT partition, and plain inheritance: a write
// through the parent is counted on the partitions (or children) it reached, so the counters are
// summed into the parent; a DELETE through the parent is no TRUNCATE; a real TRUNCATE is one.
describe('partitioned and inherited tables', () => {
  const PART_APP = 'partition-scenario';
  const TRUNCATE_APP = 'partition-truncate';
  let trees: WriteCounterReading;
  let rowsBefore: Record<string, number>;
  let rowsAfter: Record<string, number>;
  let deltas: Record<string, { inserted: number; updated: number; deleted: number }>;
  let log: string;
  const window = { from: 0, to: 0 };
  const watched = ['ledger.reading', 'ledger.event', 'ledger.place'];

  beforeAll(async () => {
    await exec(tool, [
      'create table ledger.reading (device_id int not null, taken_on date not null, value int) partition by range (taken_on)',
      `create table ledger.reading_2024_01 partition of ledger.reading for values from ('2024-01-01') to ('2024-02-01')`,
      `create table ledger.reading_2024_02 partition of ledger.reading for values from ('2024-02-01') to ('2024-03-01')`,
      'create table ledger.reading_default partition of ledger.reading default',
      'create table ledger.event (kind text not null, id int) partition by list (kind)',
      `create table ledger.event_a partition of ledger.event for values in ('a')`,
      `create table ledger.event_b partition of ledger.event for values in ('b')`,
      'create table ledger.event_default partition of ledger.event default',
      'create table ledger.place (id int primary key)',
      'create table ledger.city (name text) inherits (ledger.place)',
      `grant select, insert, update, delete, truncate on ledger.reading, ledger.event, ledger.event_b, ledger.place, ledger.city to ${SUT_ROLE}`,
      // Device 7 has readings in all three partitions.
      `insert into ledger.reading select i % 10, date '2024-01-01' + (i * 7 % 120), i from generate_series(1, 60) i`,
      `insert into ledger.event select (array['a','b','c'])[i % 3 + 1], i from generate_series(1, 30) i`,
      'insert into ledger.place values (1)',
      `insert into ledger.city values (2, 'Lyon'), (3, 'Nantes')`,
      // A TRUNCATE the statement log does not show: a function runs it.
      'create function ledger.definer_truncate() returns void language plpgsql security definer as $$ begin truncate ledger.event_a; end $$',
      `grant execute on function ledger.definer_truncate() to ${SUT_ROLE}`,
    ]);
    rowsBefore = await rowCounts(tool, watched);
    const before = await readWriteCounters(tool, 'all', { roles: [SUT_ROLE] });
    window.from = Date.now();
    await exec(
      sut,
      [
        // an INSERT routed to January, February and DEFAULT
        `insert into ledger.reading values (7, '2024-01-15', 1), (7, '2024-02-15', 2), (7, '2024-09-15', 3)`,
        // a DELETE through the parent, in all three partitions
        'delete from ledger.reading where device_id = 7',
        // a list partition and its DEFAULT
        `insert into ledger.event values ('a', 100), ('zzz', 101)`,
        // a DELETE through an inheritance parent reaches its child
        'delete from ledger.place where id = 2',
        // a real TRUNCATE of one partition
        'truncate ledger.event_b',
      ],
      PART_APP,
    );
    trees = await readWriteCounters(tool, 'all', { roles: [SUT_ROLE] });
    window.to = Date.now();
    rowsAfter = await rowCounts(tool, watched);
    deltas = counterDeltas(before.counters, trees.counters);
    log = await logUntil('truncate ledger.event_b');
  });

  const rowDeltas = () => Object.fromEntries(watched.map((t) => [t, rowsAfter[t]! - rowsBefore[t]!]));

  it('reads each partition and inheritance child with its parent', () => {
    expect(trees.settled).toBe(true);
    expect(trees.parents).toMatchObject({
      'ledger.reading_2024_01': { parent: 'ledger.reading', partition: true },
      'ledger.reading_2024_02': { parent: 'ledger.reading', partition: true },
      'ledger.reading_default': { parent: 'ledger.reading', partition: true },
      'ledger.event_a': { parent: 'ledger.event', partition: true },
      'ledger.event_b': { parent: 'ledger.event', partition: true },
      'ledger.event_default': { parent: 'ledger.event', partition: true },
      'ledger.city': { parent: 'ledger.place', partition: false },
    });
  });

  it("counts a watched parent's rows across its partitions and children", () => {
    // 6 of device 7's readings plus the 3 inserted, all deleted; event_b's 10 rows truncated, 2 events inserted; city 2 deleted.
    expect(rowDeltas()).toEqual({ 'ledger.reading': -6, 'ledger.event': -8, 'ledger.place': -1 });
    expect(rowsBefore['ledger.reading']).toBe(60);
  });

  it('explains every write on its parent, sees no TRUNCATE in the DELETE, and the real TRUNCATE by its statement', async () => {
    const statements = parseServerLog(log).filter((s) => s.user === SUT_ROLE && s.app === PART_APP);
    const logged = await writesOfStatements(statements, { excludeUser: TOOL_ROLE });
    const e = explainWrites(deltas, logged.writes, ['TRUNCATE'], {
      knownTables: Object.keys(trees.counters),
      rowDeltas: rowDeltas(),
      parents: trees.parents,
    });
    expect(e.unexplained).toEqual([]);
    expect(e.forbiddenUnexplained).toEqual([]);
    expect(e.explained.map((x) => [x.table, x.verb, x.rows])).toEqual([
      ['ledger.event', 'INSERT', 2],
      // At least 8: the count fell by 8 with 2 rows inserted, so 10 went, 8 of them provably.
      ['ledger.event', 'TRUNCATE', 8],
      ['ledger.place', 'DELETE', 1],
      ['ledger.reading', 'INSERT', 3],
      ['ledger.reading', 'DELETE', 9],
    ]);
  });

  it('the trace gate under "DELETE allowed, TRUNCATE forbidden" finds the real TRUNCATE only, on its step', async () => {
    const a = await analyseTrace(
      log,
      [
        {
          id: 'S2',
          from: window.from,
          to: window.to,
          policy: verbPolicy(['TRUNCATE']),
          budgets: {},
          steps: [{ name: 'prune', from: window.from, to: window.to }],
          writes: {
            deltas,
            settled: true,
            knownTables: Object.keys(trees.counters),
            rowDeltas: rowDeltas(),
            parents: trees.parents,
          },
        },
      ],
      {
        toolRole: TOOL_ROLE,
        policy: verbPolicy([]),
        sessionAudit: true,
        redact: (t) => t,
      },
    );
    expect(a.section.forbidden.map((f) => [f.scenario, f.step, f.verb, f.kind, f.objects, f.text])).toEqual([
      ['S2', 'prune', 'TRUNCATE', 'TRUNCATE', ['ledger.event_b'], 'truncate ledger.event_b'],
    ]);
    expect(a.section.writes.unexplained).toEqual([]);
  });

  it('reports a TRUNCATE of a partition the statement log does not show on its parent (forbidden), and the audit log explains it', async () => {
    const rowsFrom = await rowCounts(tool, watched);
    const from = await readWriteCounters(tool, 'all', { roles: [SUT_ROLE] });
    await exec(sut, ['select ledger.definer_truncate()', 'select 43 as end_of_the_truncate'], TRUNCATE_APP);
    const to = await readWriteCounters(tool, 'all', { roles: [SUT_ROLE] });
    const rowsTo = await rowCounts(tool, watched);
    const text = await logUntil('end_of_the_truncate');
    const logged = await writesOfStatements(
      parseServerLog(text).filter((s) => s.user === SUT_ROLE && s.app === TRUNCATE_APP),
      { excludeUser: TOOL_ROLE },
    );
    const audited = await writesOfAudit(
      parseAuditLog(text).filter((r) => r.user === SUT_ROLE && r.app === TRUNCATE_APP),
      { excludeUser: TOOL_ROLE },
    );
    const rd = Object.fromEntries(watched.map((t) => [t, rowsTo[t]! - rowsFrom[t]!]));
    const explain = (writes: typeof logged.writes) =>
      explainWrites(counterDeltas(from.counters, to.counters), writes, ['TRUNCATE'], {
        knownTables: Object.keys(to.counters),
        rowDeltas: rd,
        parents: to.parents,
      });
    const e = explain(logged.writes);
    // event_a held 10 generated rows and the 'a' inserted above.
    expect(e.forbiddenUnexplained).toEqual([{ table: 'ledger.event', verb: 'TRUNCATE', rows: 11 }]);
    // pgaudit logs the TRUNCATE the function ran, on the partition: it explains the parent's rows.
    expect(explain([...logged.writes, ...audited.writes]).explained).toEqual([
      { table: 'ledger.event', verb: 'TRUNCATE', rows: 11, by: ['audit log'] },
    ]);
  });
});
