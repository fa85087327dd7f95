import { describe, expect, it } from 'vitest';
import { tablesOf, writesOf, type WritesOfText } from './sql-writes.js';

const pairs = (w: WritesOfText) =>
  w.writes.map((x) => `${x.verb} ${x.table.schema === null ? '' : `${x.table.schema}.`}${x.table.table}`);

describe('writesOf', () => {
  it('gives the target of INSERT, UPDATE and DELETE, qualified or not, quoted names unquoted', async () => {
    expect(
      pairs(
        await writesOf(
          `insert into ledger.mark values (1); update entry set a = 1; delete from "Odd, s"."Ta""b" where true`,
        ),
      ),
    ).toEqual(['INSERT ledger.mark', 'UPDATE entry', 'DELETE Odd, s.Ta"b']);
  });

  it('gives UPDATE too for INSERT ... ON CONFLICT DO UPDATE, and not for DO NOTHING', async () => {
    expect(pairs(await writesOf('insert into t values (1) on conflict (id) do update set v = excluded.v'))).toEqual([
      'INSERT t',
      'UPDATE t',
    ]);
    expect(pairs(await writesOf('insert into t values (1) on conflict do nothing'))).toEqual(['INSERT t']);
  });

  it("gives a MERGE's actions, COPY FROM as INSERT, TRUNCATE's tables, and nothing for COPY TO", async () => {
    expect(
      pairs(
        await writesOf(
          'merge into s.t x using u on x.id = u.id when matched then delete when not matched then insert values (1)',
        ),
      ),
    ).toEqual(['DELETE s.t', 'INSERT s.t']);
    expect(pairs(await writesOf('merge into t using u on true when matched then do nothing'))).toEqual([]);
    expect(pairs(await writesOf('copy ledger.note (id) from stdin'))).toEqual(['INSERT ledger.note']);
    expect(pairs(await writesOf('copy ledger.note to stdout'))).toEqual([]);
    expect(pairs(await writesOf('truncate a, b.c'))).toEqual(['TRUNCATE a', 'TRUNCATE b.c']);
  });

  it('finds writes inside CTEs, EXPLAIN ANALYZE, PREPARE and COPY (...), never the tables only read', async () => {
    expect(
      pairs(
        await writesOf(
          'with gone as (delete from ledger.note returning *) update ledger.mark m set note = null from gone where gone.mark_id = m.id',
        ),
      ),
    ).toEqual(['UPDATE ledger.mark', 'DELETE ledger.note']);
    expect(pairs(await writesOf('explain analyze delete from t using u where t.a = u.a'))).toEqual(['DELETE t']);
    expect(pairs(await writesOf('prepare p(int) as delete from ledger.mark where id = $1'))).toEqual([
      'DELETE ledger.mark',
    ]);
    expect(pairs(await writesOf('copy (delete from t returning *) to stdout'))).toEqual(['DELETE t']);
    expect(pairs(await writesOf('select * from ledger.mark join ledger.note on true'))).toEqual([]);
  });

  it("reads a DO block's static SQL, and says when it runs dynamic SQL", async () => {
    const stat = await writesOf(
      'DO $$ BEGIN DELETE FROM ledger.cut WHERE false; INSERT INTO ledger.log SELECT 1; END $$',
    );
    expect(pairs(stat)).toEqual(['DELETE ledger.cut', 'INSERT ledger.log']);
    expect(stat.dynamic).toBe(false);
    const dyn = await writesOf(`DO $$ BEGIN EXECUTE 'delete from ledger.mark where id = ' || 3; END $$`);
    expect(dyn).toEqual({ writes: [], unparsed: false, dynamic: true });
  });

  it('says a part it could not read is unparsed, and still reads the others', async () => {
    expect(await writesOf('delete from a; selec 1; insert into b values (1)')).toEqual({
      writes: [
        { verb: 'DELETE', table: { schema: null, table: 'a' } },
        { verb: 'INSERT', table: { schema: null, table: 'b' } },
      ],
      unparsed: true,
      dynamic: false,
    });
    expect((await writesOf('DO LANGUAGE plpython3u $$ plpy.execute("delete from t") $$')).unparsed).toBe(true);
  });

  it('gives each verb and table once', async () => {
    expect(pairs(await writesOf('delete from t where a = 1; delete from t where a = 2; delete from s.t'))).toEqual([
      'DELETE t',
      'DELETE s.t',
    ]);
  });
});

describe('tablesOf', () => {
  it('names every relation a statement refers to, once each, CTE names included', async () => {
    expect(
      (
        await tablesOf(
          'with gone as (delete from ledger.note returning *) select * from gone join ledger.mark m on true, "Odd, s"."Ta""b" join gone g2 on true',
        )
      ).sort(),
    ).toEqual(['Odd, s.Ta"b', 'gone', 'ledger.mark', 'ledger.note']);
    expect(await tablesOf('insert into a select * from b where exists (select 1 from c.d)')).toEqual(['a', 'b', 'c.d']);
    expect(await tablesOf('select 1')).toEqual([]);
    expect(await tablesOf('selec 1')).toEqual([]);
  });
});
