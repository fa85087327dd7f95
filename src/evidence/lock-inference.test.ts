import { describe, expect, it } from 'vitest';
import { inferLocks } from './lock-inference.js';
import { blocks, conflicts, LOCK_MODES, modeOfPgLocks, stronger } from './lock-modes.js';

/** `schema.table MODE` per claim of the one statement of `sql`. */
async function locks(sql: string): Promise<string[]> {
  const [claims = []] = await inferLocks(sql);
  return claims.map((c) => `${c.relation.schema ? `${c.relation.schema}.` : ''}${c.relation.name} ${c.mode}`);
}

describe('the lock each statement takes (the documented lock levels)', () => {
  it.each([
    ['ALTER TABLE a.t ADD COLUMN c int', ['a.t ACCESS EXCLUSIVE']],
    ['ALTER TABLE t ALTER COLUMN c TYPE bigint', ['t ACCESS EXCLUSIVE']],
    ['ALTER TABLE t ALTER COLUMN c SET NOT NULL', ['t ACCESS EXCLUSIVE']],
    ['ALTER TABLE t ALTER COLUMN c SET STATISTICS 500', ['t SHARE UPDATE EXCLUSIVE']],
    [
      'ALTER TABLE a.t ADD CONSTRAINT f FOREIGN KEY (x) REFERENCES b.u (id)',
      ['a.t SHARE ROW EXCLUSIVE', 'b.u SHARE ROW EXCLUSIVE'],
    ],
    ['ALTER TABLE t ADD CONSTRAINT c CHECK (x > 0) NOT VALID', ['t ACCESS EXCLUSIVE']],
    ['ALTER TABLE t VALIDATE CONSTRAINT c', ['t SHARE UPDATE EXCLUSIVE']],
    ['ALTER TABLE t VALIDATE CONSTRAINT c, ADD COLUMN d int', ['t ACCESS EXCLUSIVE']],
    ['ALTER TABLE t SET (fillfactor = 70)', ['t SHARE UPDATE EXCLUSIVE']],
    ['ALTER TABLE t SET (fillfactor = 70, user_catalog_table = true)', ['t ACCESS EXCLUSIVE']],
    ['ALTER INDEX i SET TABLESPACE pg_default', ['i ACCESS EXCLUSIVE']],
    ['REINDEX INDEX s.i', ['s.i ACCESS EXCLUSIVE']],
    ['WITH d AS (DELETE FROM s.t RETURNING *) SELECT * FROM d', ['s.t ROW EXCLUSIVE']],
    ['ALTER TABLE t DISABLE TRIGGER ALL', ['t SHARE ROW EXCLUSIVE']],
    ['ALTER TABLE p ATTACH PARTITION c FOR VALUES IN (1)', ['p SHARE UPDATE EXCLUSIVE', 'c ACCESS EXCLUSIVE']],
    ['ALTER TABLE p DETACH PARTITION c', ['p ACCESS EXCLUSIVE', 'c ACCESS EXCLUSIVE']],
    ['ALTER TABLE p DETACH PARTITION c CONCURRENTLY', ['p SHARE UPDATE EXCLUSIVE', 'c ACCESS EXCLUSIVE']],
    ['ALTER TABLE p DETACH PARTITION s.c FINALIZE', ['p SHARE UPDATE EXCLUSIVE', 's.c ACCESS EXCLUSIVE']],
    ['ALTER TABLE c INHERIT s.p', ['c ACCESS EXCLUSIVE', 's.p SHARE UPDATE EXCLUSIVE']],
    ['ALTER TABLE c NO INHERIT p', ['c ACCESS EXCLUSIVE', 'p ACCESS SHARE']],
    ['ALTER TABLE t DROP CONSTRAINT f', ['t ACCESS EXCLUSIVE']],
    ['CREATE INDEX i ON s.t (x)', ['s.t SHARE']],
    ['CREATE INDEX CONCURRENTLY i ON t (x)', ['t SHARE UPDATE EXCLUSIVE']],
    ['DROP INDEX CONCURRENTLY s.i', ['s.i SHARE UPDATE EXCLUSIVE']],
    ['DROP TABLE s.t, u', ['s.t ACCESS EXCLUSIVE', 'u ACCESS EXCLUSIVE']],
    ['REINDEX TABLE t', ['t SHARE']],
    ['REINDEX TABLE CONCURRENTLY t', ['t SHARE UPDATE EXCLUSIVE']],
    ['VACUUM FULL t', ['t ACCESS EXCLUSIVE']],
    ['VACUUM (FULL) t', ['t ACCESS EXCLUSIVE']],
    ['VACUUM t', ['t SHARE UPDATE EXCLUSIVE']],
    ['ANALYZE t', ['t SHARE UPDATE EXCLUSIVE']],
    ['CLUSTER t USING i', ['t ACCESS EXCLUSIVE']],
    ['REFRESH MATERIALIZED VIEW m', ['m ACCESS EXCLUSIVE']],
    ['REFRESH MATERIALIZED VIEW CONCURRENTLY m', ['m EXCLUSIVE']],
    ['TRUNCATE a, b', ['a ACCESS EXCLUSIVE', 'b ACCESS EXCLUSIVE']],
    ['LOCK TABLE t', ['t ACCESS EXCLUSIVE']],
    ['LOCK TABLE t, s.u IN SHARE ROW EXCLUSIVE MODE', ['t SHARE ROW EXCLUSIVE', 's.u SHARE ROW EXCLUSIVE']],
    ['LOCK TABLE t IN ROW SHARE MODE', ['t ROW SHARE']],
    ['CREATE TRIGGER g AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION f()', ['t SHARE ROW EXCLUSIVE']],
    ['CREATE TABLE c PARTITION OF p FOR VALUES IN (2)', ['p ACCESS EXCLUSIVE']],
    ['CREATE TABLE x (a int REFERENCES s.y (id))', ['s.y SHARE ROW EXCLUSIVE']],
    ['ALTER TABLE t RENAME TO u', ['t ACCESS EXCLUSIVE']],
    ['ALTER INDEX i RENAME TO j', ['i SHARE UPDATE EXCLUSIVE']],
    ['SELECT * FROM a JOIN s.b ON true', ['a ACCESS SHARE', 's.b ACCESS SHARE']],
    ['SELECT * FROM t FOR UPDATE', ['t ROW SHARE']],
    ['SELECT * FROM a x JOIN s.b ON true FOR UPDATE OF x', ['a ROW SHARE', 's.b ACCESS SHARE']],
    ['SELECT * FROM a, b FOR NO KEY UPDATE OF a FOR KEY SHARE OF b', ['a ROW SHARE', 'b ROW SHARE']],
    [
      'SELECT * FROM a, (SELECT * FROM b) s WHERE a.x IN (SELECT x FROM c) FOR SHARE',
      ['a ROW SHARE', 'b ROW SHARE', 'c ACCESS SHARE'],
    ],
    ['SELECT * FROM a, (SELECT * FROM b) s FOR UPDATE OF s', ['a ACCESS SHARE', 'b ROW SHARE']],
    ['WITH w AS (SELECT * FROM b) SELECT * FROM a, w FOR UPDATE', ['a ROW SHARE', 'b ACCESS SHARE']],
    ["COMMENT ON TABLE s.t IS 'x'", ['s.t SHARE UPDATE EXCLUSIVE']],
    ["COMMENT ON COLUMN s.t.c IS 'x'", ['s.t SHARE UPDATE EXCLUSIVE']],
    ["COMMENT ON COLUMN t.c IS 'x'", ['t SHARE UPDATE EXCLUSIVE']],
    ["COMMENT ON INDEX i IS 'x'", ['i SHARE UPDATE EXCLUSIVE']],
    ["COMMENT ON MATERIALIZED VIEW m IS 'x'", ['m SHARE UPDATE EXCLUSIVE']],
    ["COMMENT ON CONSTRAINT k ON s.t IS 'x'", ['s.t ACCESS SHARE']],
    ["COMMENT ON TRIGGER g ON t IS 'x'", ['t ACCESS SHARE']],
    ["COMMENT ON POLICY p ON s.t IS 'x'", ['s.t ACCESS SHARE']],
    ["COMMENT ON SCHEMA s IS 'x'", []],
    ["COMMENT ON FUNCTION f(int) IS 'x'", []],
    ['WITH x AS (SELECT 1) SELECT * FROM x, t', ['t ACCESS SHARE']],
    ['INSERT INTO t SELECT * FROM s.u', ['t ROW EXCLUSIVE', 's.u ACCESS SHARE']],
    ['UPDATE t SET a = 1 WHERE b IN (SELECT b FROM u)', ['t ROW EXCLUSIVE', 'u ACCESS SHARE']],
    ['DELETE FROM public.reading WHERE device_id = 7', ['public.reading ROW EXCLUSIVE']],
    ['UPDATE t SET a = 1 WHERE b IN (SELECT b FROM u FOR UPDATE)', ['t ROW EXCLUSIVE', 'u ROW SHARE']],
    ['SELECT * FROM a WHERE x IN (SELECT x FROM b FOR SHARE)', ['a ACCESS SHARE', 'b ROW SHARE']],
    ['COPY t FROM STDIN', ['t ROW EXCLUSIVE']],
    ['COPY t TO STDOUT', ['t ACCESS SHARE']],
    ['SET search_path = x', []],
  ])('%s', async (sql, want) => {
    expect(await locks(sql)).toEqual(want);
  });

  it('gives one list per statement, and none for a string the parser cannot read', async () => {
    expect((await inferLocks('ALTER TABLE t ADD COLUMN c int; SELECT 1')).map((l) => l.length)).toEqual([1, 0]);
    expect(await inferLocks('ALTER TABLE (')).toEqual([]);
  });

  it('names the statement shape that takes the lock', async () => {
    const claims = await inferLocks('ALTER TABLE t ALTER COLUMN c TYPE text');
    expect(claims[0]?.[0]?.why).toBe('ALTER COLUMN ... TYPE');
  });

  it('says, where the text cannot name a table the statement locks, that it is locked', async () => {
    // A dropped foreign key locks its referenced table (ACCESS EXCLUSIVE); the text names only the constraint.
    const [[drop] = []] = await inferLocks('ALTER TABLE t DROP CONSTRAINT f');
    expect(drop?.why).toBe('DROP CONSTRAINT (a foreign key: its referenced table too, ACCESS EXCLUSIVE)');
    const [[detach, partition] = []] = await inferLocks('ALTER TABLE p DETACH PARTITION c CONCURRENTLY');
    expect(detach?.why).toBe('DETACH PARTITION ... CONCURRENTLY');
    expect(partition?.why).toBe(
      'DETACH PARTITION ... CONCURRENTLY (the partition detached, in its second transaction)',
    );
  });
});

describe('lock modes', () => {
  it("reads pg_locks' names and orders modes by strength", () => {
    expect(modeOfPgLocks('ShareRowExclusiveLock')).toBe('SHARE ROW EXCLUSIVE');
    expect(modeOfPgLocks('AccessExclusiveLock')).toBe('ACCESS EXCLUSIVE');
    expect(modeOfPgLocks('SIReadLock')).toBeNull();
    expect(stronger('SHARE', 'ROW EXCLUSIVE')).toBe('SHARE');
  });

  it('knows what each mode blocks (the conflict table)', () => {
    expect(blocks('ACCESS EXCLUSIVE')).toEqual({ reads: true, writes: true });
    expect(blocks('SHARE')).toEqual({ reads: false, writes: true });
    expect(blocks('SHARE UPDATE EXCLUSIVE')).toEqual({ reads: false, writes: false });
    expect(conflicts('ROW EXCLUSIVE', 'ROW EXCLUSIVE')).toBe(false);
    expect(conflicts('SHARE UPDATE EXCLUSIVE', 'SHARE UPDATE EXCLUSIVE')).toBe(true);
  });

  it('is the docs\' conflict table (Table 13.2 "Conflicting Lock Modes"), which is symmetric', () => {
    // Documented pairs, both ways.
    for (const [a, b, want] of [
      ['ACCESS SHARE', 'ACCESS EXCLUSIVE', true],
      ['ACCESS SHARE', 'EXCLUSIVE', false],
      ['ROW SHARE', 'EXCLUSIVE', true],
      ['ROW SHARE', 'SHARE ROW EXCLUSIVE', false],
      ['ROW EXCLUSIVE', 'SHARE', true],
      ['ROW EXCLUSIVE', 'SHARE UPDATE EXCLUSIVE', false],
      ['SHARE', 'SHARE', false],
      ['SHARE', 'SHARE UPDATE EXCLUSIVE', true],
      ['SHARE ROW EXCLUSIVE', 'SHARE ROW EXCLUSIVE', true],
      ['EXCLUSIVE', 'ROW SHARE', true],
      ['ACCESS EXCLUSIVE', 'ACCESS SHARE', true],
    ] as const) {
      expect([a, b, conflicts(a, b)]).toEqual([a, b, want]);
      expect([b, a, conflicts(b, a)]).toEqual([b, a, want]);
    }
    // How many modes each conflicts with, weakest first, as the table's rows show.
    expect(LOCK_MODES.map((held) => LOCK_MODES.filter((wanted) => conflicts(held, wanted)).length)).toEqual([
      1, 2, 4, 5, 5, 6, 7, 8,
    ]);
    for (const a of LOCK_MODES) for (const b of LOCK_MODES) expect(conflicts(a, b)).toBe(conflicts(b, a));
  });
});
