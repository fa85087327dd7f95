import { describe, expect, it } from 'vitest';
import { scenarioPolicy } from '../config/index.js';
import { budgetLines, policyLines } from './plan.js';

describe("plan's policy lines", () => {
  const run = {
    forbidden_verbs: ['DELETE', 'CREATE'],
    sql_policy: { allow: [{ kinds: ['CREATE TABLE'], tables: ['public.pgmigrations'] }], forbid: [] },
  };

  it('prints the forbidden verbs, then each allow and forbid rule', () => {
    expect(policyLines('the run', scenarioPolicy(run, {}))).toEqual([
      'the run: forbidden verbs DELETE, CREATE',
      '    allow[0]: kinds CREATE TABLE; on public.pgmigrations',
    ]);
  });

  it("prints a scenario's effective policy: what it gives replaces the run's", () => {
    expect(
      policyLines(
        'S1',
        scenarioPolicy(run, {
          forbidden_verbs: [],
          sql_policy: { forbid: [{ schemas: ['audit'], verbs: ['DELETE'] }] },
        }),
      ),
    ).toEqual([
      'S1: forbidden verbs none',
      '    allow[0]: kinds CREATE TABLE; on public.pgmigrations',
      '    forbid[0]: verbs DELETE; in schema audit',
    ]);
  });
});

describe("plan's lock budget lines", () => {
  it("prints the run's budgets, then each scenario's own with the run's keys it keeps", () => {
    const pack = [{ scenario: { id: 'S1' } }, { scenario: { id: 'S4', locks: { forbid_rewrite: ['ledger.*'] } } }];
    expect(budgetLines({ max_exclusive_ms: 2000 }, pack)).toEqual([
      'lock budgets: max_exclusive_ms 2000',
      '  S4 (its own): max_exclusive_ms 2000; forbid_rewrite ledger.*',
    ]);
    expect(budgetLines({}, [pack[0]!])).toEqual([
      'lock budgets: none (the lock evidence is reported; nothing fails on it)',
    ]);
  });
});
