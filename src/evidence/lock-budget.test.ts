import { describe, expect, it } from 'vitest';
import { breachMessage, lockBudgetBreaches, matchesTablePattern, type StepLockFacts } from './lock-budget.js';

const facts = (over: Partial<StepLockFacts> = {}): StepLockFacts => ({
  relations: [
    {
      relation: 'ledger.entry',
      mode: 'ACCESS EXCLUSIVE',
      held_ms: 1200,
      statement: 'alter table ledger.entry ...',
      source: 'both',
    },
    { relation: 'ledger.batch', mode: 'EXCLUSIVE', held_ms: 700, statement: 'refresh ...', source: 'inferred' },
    { relation: 'ledger.mark', mode: 'ROW EXCLUSIVE', held_ms: 9000, statement: 'insert ...', source: 'inferred' },
  ],
  rewrites: [{ relation: 'ledger.entry', bytes: 5 * 1024 * 1024 }],
  invalidIndexes: ['ledger.entry_state on ledger.entry'],
  ...over,
});

describe('lockBudgetBreaches', () => {
  it('finds nothing without budgets, whatever was locked', () => {
    expect(lockBudgetBreaches({}, facts())).toEqual([]);
  });

  it('max_exclusive_ms counts ACCESS EXCLUSIVE and EXCLUSIVE held longer than it, longest first; weaker modes never', () => {
    const b = lockBudgetBreaches({ max_exclusive_ms: 500 }, facts());
    expect(b.map((x) => [x.relation, x.mode, x.held_ms])).toEqual([
      ['ledger.entry', 'ACCESS EXCLUSIVE', 1200],
      ['ledger.batch', 'EXCLUSIVE', 700],
    ]);
    expect(lockBudgetBreaches({ max_exclusive_ms: 1200 }, facts())).toEqual([]);
  });

  it('forbid_rewrite matches a table, a schema.* or *, and names the pattern that matched', () => {
    expect(lockBudgetBreaches({ forbid_rewrite: ['ledger.batch'] }, facts())).toEqual([]);
    for (const p of ['ledger.entry', 'ledger.*', '*'])
      expect(lockBudgetBreaches({ forbid_rewrite: [p] }, facts())).toEqual([
        expect.objectContaining({ budget: 'forbid_rewrite', limit: p, relation: 'ledger.entry', bytes: 5242880 }),
      ]);
  });

  it('forbid_invalid_indexes names each index left invalid; false forbids nothing', () => {
    expect(lockBudgetBreaches({ forbid_invalid_indexes: false }, facts())).toEqual([]);
    expect(lockBudgetBreaches({ forbid_invalid_indexes: true }, facts())).toEqual([
      expect.objectContaining({ budget: 'forbid_invalid_indexes', relation: 'ledger.entry_state on ledger.entry' }),
    ]);
  });
});

describe('breachMessage', () => {
  it('says what, where, how much and which budget', () => {
    const [held, rewrite, index] = [
      ...lockBudgetBreaches({ max_exclusive_ms: 1000 }, facts()),
      ...lockBudgetBreaches({ forbid_rewrite: ['ledger.*'], forbid_invalid_indexes: true }, facts()),
    ];
    expect(breachMessage(held!, 'alter table ledger.entry ...')).toBe(
      'ACCESS EXCLUSIVE on ledger.entry held 1200 ms (both), over locks.max_exclusive_ms 1000: `alter table ledger.entry ...`',
    );
    expect(breachMessage(rewrite!, null)).toBe(
      'ledger.entry was rewritten whole (5.0 MiB), which locks.forbid_rewrite `ledger.*` forbids',
    );
    expect(breachMessage(index!, null)).toBe(
      'the index ledger.entry_state on ledger.entry was left invalid, which locks.forbid_invalid_indexes forbids',
    );
  });
});

describe('matchesTablePattern', () => {
  it('does not match another schema or a prefix of a name', () => {
    expect(matchesTablePattern('ledger.*', 'public.entry')).toBe(false);
    expect(matchesTablePattern('ledger.ent', 'ledger.entry')).toBe(false);
  });
});
