import { describe, expect, it } from 'vitest';
import { parseAuditLog } from './audit-log.js';
import { inferredHolds, lockEvidence, nestedStatementsOf, strongestPerRelation } from './lock-timeline.js';
import type { LoggedStatement } from './sql-trace.js';

const T0 = Date.parse('2026-12-02T10:00:00.000Z');
/** A logged statement of backend `pid` in its transaction `lxid` (the `%v` of the line is `3/lxid`). */
function st(pid: number, atMs: number, text: string, duration_ms?: number, lxid = atMs): LoggedStatement {
  return {
    at: new Date(T0 + atMs).toISOString(),
    pid,
    session: `6925ea61.${pid.toString(16)}`,
    xid: 0,
    vxid: `3/${lxid}`,
    app: 'psql',
    user: 'shop_migrator',
    db: 'shop',
    text,
    parameters: null,
    ambiguous: false,
    alternatives: [],
    ...(duration_ms === undefined ? {} : { duration_ms }),
  };
}

describe('inferredHolds', () => {
  it('holds a lock taken inside BEGIN ... COMMIT from its statement to the end of the COMMIT', async () => {
    const holds = await inferredHolds([
      st(7, 0, 'BEGIN', 0.1, 1),
      st(7, 10, 'ALTER TABLE public.reading ALTER COLUMN value TYPE numeric(8,2)', 400, 1),
      st(7, 500, 'CREATE INDEX reading_idx ON public.reading (taken_on)', 100, 1),
      st(7, 2000, 'COMMIT', 5, 1),
    ]);
    expect(holds.map((h) => [h.relation, h.mode, h.to - h.from, h.until])).toEqual([
      ['public.reading', 'ACCESS EXCLUSIVE', 1995, 'commit'],
      ['public.reading', 'SHARE', 1505, 'commit'],
    ]);
  });

  it("holds a lock outside a block for its statement's own duration, and knows a block another backend ends is not its own", async () => {
    const holds = await inferredHolds([
      st(8, 0, 'BEGIN', 0.1, 1),
      st(9, 5, 'ALTER TABLE public.device ADD COLUMN firmware text', 12.5, 1),
      st(8, 20, 'LOCK TABLE public.device IN SHARE MODE', 0.5, 1),
      st(9, 30, 'COMMIT', 0.1, 2),
    ]);
    expect(holds.map((h) => [h.pid, h.mode, h.to - h.from, h.until])).toEqual([
      [9, 'ACCESS EXCLUSIVE', 12.5, 'statement'],
      [8, 'SHARE', 0.5, 'unknown'],
    ]);
  });

  it('ends a block at ROLLBACK, not at ROLLBACK TO SAVEPOINT', async () => {
    const holds = await inferredHolds([
      st(7, 0, 'BEGIN', undefined, 1),
      st(7, 10, 'TRUNCATE public.device', 1, 1),
      st(7, 20, 'SAVEPOINT a', undefined, 1),
      st(7, 30, 'ROLLBACK TO SAVEPOINT a', 1, 1),
      st(7, 100, 'ROLLBACK', 1, 1),
    ]);
    expect(holds.map((h) => [h.mode, h.to - h.from, h.until])).toEqual([['ACCESS EXCLUSIVE', 91, 'rollback']]);
  });

  it('holds a lock taken in a string that opens the block (`BEGIN; ALTER TABLE ...`) to the end of its later COMMIT', async () => {
    const holds = await inferredHolds([
      st(7, 0, 'BEGIN; ALTER TABLE public.device ALTER COLUMN id TYPE bigint;', 50, 24),
      st(7, 100, 'select 2', 1, 24),
      st(7, 900, 'COMMIT', 5, 24),
      st(7, 1000, 'ALTER TABLE public.device ADD COLUMN c int', 2, 25),
    ]);
    expect(holds.map((h) => [h.mode, h.from - T0, h.to - h.from, h.until])).toEqual([
      ['ACCESS EXCLUSIVE', 0, 905, 'commit'],
      ['ACCESS EXCLUSIVE', 1000, 2, 'statement'],
    ]);
  });

  it("ends a block at the last statement of its transaction, whatever a later statement's text says", async () => {
    // A COMMIT in a string (`select 1; COMMIT`); a ROLLBACK after an error runs outside the failed transaction (`3/0`).
    const holds = await inferredHolds([
      st(7, 0, 'BEGIN', 0.1, 30),
      st(7, 10, 'LOCK TABLE public.device IN EXCLUSIVE MODE', 1, 30),
      st(7, 300, 'select 1; COMMIT', 2, 30),
      st(8, 0, 'BEGIN', 0.1, 40),
      st(8, 10, 'TRUNCATE public.other', undefined, 40),
      st(8, 500, 'ROLLBACK', 0.1, 0),
    ]);
    expect(holds.map((h) => [h.relation, h.to - h.from, h.until])).toEqual([
      ['public.device', 292, 'commit'],
      ['public.other', 0, 'unknown'],
    ]);
  });

  it("holds what a DO block ran by EXECUTE, as pgaudit logged it, from the DO block's start to its transaction's end", async () => {
    const statements = [
      st(7, 0, 'BEGIN', 0.1, 26),
      st(7, 10, `DO $$ BEGIN EXECUTE 'ALTER TABLE public.device ALTER COLUMN id TYPE bigint'; END $$`, 9, 26),
      st(7, 700, 'COMMIT', 3, 26),
      st(8, 0, `DO $$ BEGIN EXECUTE 'TRUNCATE public.other'; END $$`, 4, 5),
    ];
    // The DO block's own text names no table: the statement log alone infers nothing from it.
    expect(await inferredHolds(statements)).toEqual([]);
    const audit = (pid: number, lxid: number, ids: string, text: string, xid = 0) =>
      `2026-12-02 10:00:00.011 UTC [${pid}] 6925ea61.${pid.toString(16)} ${xid} 3/${lxid} app=psql user=shop_migrator db=shop LOG:  AUDIT: SESSION,${ids},${text},<not logged>`;
    const log = [
      audit(
        7,
        26,
        '2,1,FUNCTION,DO,,',
        `"DO $$ BEGIN EXECUTE 'ALTER TABLE public.device ALTER COLUMN id TYPE bigint'; END $$"`,
      ),
      audit(7, 26, '2,2,DDL,ALTER TABLE,,', 'ALTER TABLE public.device ALTER COLUMN id TYPE bigint', 731),
      audit(8, 5, '1,1,FUNCTION,DO,,', `"DO $$ BEGIN EXECUTE 'TRUNCATE public.other'; END $$"`),
      audit(8, 5, '1,2,DDL,TRUNCATE TABLE,,', 'TRUNCATE public.other', 732),
      // The tool's own role, and an entry whose prefix reads two ways, add nothing.
      audit(9, 1, '1,2,DDL,TRUNCATE TABLE,,', 'TRUNCATE public.tool_only').replace('shop_migrator', 'rehearse_tool'),
      audit(10, 1, '1,1,FUNCTION,DO,,', 'DO $$ BEGIN NULL; END $$'),
      audit(10, 1, '1,2,DDL,TRUNCATE TABLE,,', 'TRUNCATE public.forged').replace(
        'app=psql',
        'app=x user=shop_migrator db=shop LOG:  AUDIT: SESSION,1,1,READ,SELECT,,,select 1,<not logged>',
      ),
    ].join('\n');
    const nested = nestedStatementsOf(parseAuditLog(log), 'rehearse_tool');
    expect(nested.map((n) => n.text)).toEqual([
      'ALTER TABLE public.device ALTER COLUMN id TYPE bigint',
      'TRUNCATE public.other',
    ]);
    const holds = await inferredHolds(statements, undefined, nested);
    expect(holds.map((h) => [h.relation, h.mode, h.from - T0, h.to - h.from, h.until, h.statement])).toEqual([
      [
        'public.device',
        'ACCESS EXCLUSIVE',
        10,
        693,
        'commit',
        '(inside a function, DO block or trigger) ALTER TABLE public.device ALTER COLUMN id TYPE bigint',
      ],
      [
        'public.other',
        'ACCESS EXCLUSIVE',
        0,
        4,
        'statement',
        '(inside a function, DO block or trigger) TRUNCATE public.other',
      ],
    ]);
  });

  it('qualifies a name written without its schema where the caller knows it', async () => {
    const holds = await inferredHolds(
      [st(7, 0, 'VACUUM FULL device', 3)],
      (schema, name) => `${schema ?? 'public'}.${name}`,
    );
    expect(holds.map((h) => h.relation)).toEqual(['public.device']);
  });
});

describe('lockEvidence', () => {
  it('puts the inferred and the sampled side by side, and lists a sampled lock inference did not predict', async () => {
    const holds = await inferredHolds([st(7, 0, 'ALTER TABLE public.device ADD COLUMN c int', 300)]);
    const sampled = [
      {
        relation: 'public.device',
        mode: 'AccessExclusiveLock',
        granted: true,
        firstSeen: T0 + 5,
        lastSeen: T0 + 280,
        query: 'ALTER ...',
      },
      {
        relation: 'public.reading',
        mode: 'ShareLock',
        granted: true,
        firstSeen: T0 + 5,
        lastSeen: T0 + 55,
        query: 'CALL f()',
      },
      {
        relation: 'public.other',
        mode: 'AccessExclusiveLock',
        granted: false,
        firstSeen: T0,
        lastSeen: T0 + 10,
        query: 'x',
      },
    ];
    const ev = lockEvidence(holds, sampled);
    expect(ev).toEqual([
      {
        relation: 'public.device',
        mode: 'ACCESS EXCLUSIVE',
        held_ms: 300,
        statement: 'ALTER TABLE public.device ADD COLUMN c int',
        source: 'both',
      },
      { relation: 'public.reading', mode: 'SHARE', held_ms: 50, statement: 'CALL f()', source: 'sampled' },
    ]);
    expect(strongestPerRelation([...ev, { ...ev[0]!, mode: 'ACCESS SHARE' }]).map((e) => e.mode)).toEqual([
      'ACCESS EXCLUSIVE',
      'SHARE',
    ]);
  });
});
