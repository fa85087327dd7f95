import { describe, expect, it } from 'vitest';
import { blockedReads, withHolders, type ProbedRead } from './blocked-reads.js';

const read = (at: number, ms: number, blocked: boolean, by: string | null = null): ProbedRead => ({
  relation: 'ledger.entry',
  at,
  ms,
  blocked,
  by,
  by_cut: false,
});

describe('blockedReads', () => {
  it('is 0 for a table whose every read went through', () => {
    expect(blockedReads([read(0, 0, false), read(50, 1, false)])).toEqual([
      { relation: 'ledger.entry', blocked_read_ms: 0, statement: null },
    ]);
  });

  it('spans a stretch of timed-out reads, plus the wait of the read that then got its lock, naming the holder', () => {
    const alter = 'alter table ledger.entry alter column id type bigint';
    const reads = [read(0, 0, false), read(50, 100, true, alter), read(200, 100, true, alter), read(350, 30, false)];
    expect(blockedReads(reads)).toEqual([{ relation: 'ledger.entry', blocked_read_ms: 280, statement: alter }]);
  });

  it('keeps the longest of two stretches, per table', () => {
    const reads = [
      read(0, 100, true, 'a'),
      read(150, 0, false),
      read(200, 100, true, 'b'),
      read(350, 100, true, 'b'),
      read(500, 0, false),
      { ...read(0, 100, true, 'c'), relation: 'ledger.batch' },
    ];
    expect(blockedReads(reads)).toEqual([
      { relation: 'ledger.batch', blocked_read_ms: 100, statement: 'c' },
      { relation: 'ledger.entry', blocked_read_ms: 250, statement: 'b' },
    ]);
  });
});

describe('withHolders', () => {
  it('names the statement that took ACCESS EXCLUSIVE on the table, not what its backend ran later', () => {
    const blocked = blockedReads([
      read(0, 100, true, 'select pg_sleep(0.4)'),
      { ...read(0, 0, false), relation: 'ledger.batch' },
    ]);
    const evidence = [
      {
        relation: 'ledger.entry',
        mode: 'ROW EXCLUSIVE' as const,
        held_ms: 900,
        statement: 'update ...',
        source: 'inferred' as const,
      },
      {
        relation: 'ledger.entry',
        mode: 'ACCESS EXCLUSIVE' as const,
        held_ms: 400,
        statement: 'lock table ledger.entry',
        source: 'both' as const,
      },
    ];
    expect(withHolders(blocked, evidence)).toEqual([
      { relation: 'ledger.batch', blocked_read_ms: 0, statement: null },
      { relation: 'ledger.entry', blocked_read_ms: 100, statement: 'lock table ledger.entry' },
    ]);
    expect(withHolders(blocked, [])[1]!.statement).toBe('select pg_sleep(0.4)');
  });
});
