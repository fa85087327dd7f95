import { describe, expect, it } from 'vitest';
import { hasLockBudgets, scenarioLocksConfig } from './locks-config.js';
import { Scenario } from './scenario.js';
import { parseYaml } from './yaml-file.js';

const scenario = (locks: string) => `id: S4
title: MARK
steps:
  - name: mark
    run: [node, dist/cli.js, mark]
    role: cutter_app
locks:
${locks}`;
const parse = (text: string) => parseYaml(text, 'S.yaml', Scenario);

describe('lock budgets in a scenario', () => {
  it('reads each budget, and refuses a table that is not schema.table, schema.* or *, naming its line', () => {
    expect(parse(scenario('  max_exclusive_ms: 2000\n  forbid_rewrite: [ledger.entry, audit.*, "*"]\n')).locks).toEqual(
      {
        max_exclusive_ms: 2000,
        forbid_rewrite: ['ledger.entry', 'audit.*', '*'],
      },
    );
    expect(() => parse(scenario('  forbid_rewrite: [entry]\n'))).toThrow(
      /S\.yaml:8: locks\.forbid_rewrite\[0\]: a table as `schema\.table`, `schema\.\*` or `\*`/,
    );
    expect(() => parse(scenario('  max_exclusive_ms: -1\n'))).toThrow(/S\.yaml:8: locks\.max_exclusive_ms/);
    expect(() => parse(scenario('  max_exclusive: 10\n'))).toThrow(/S\.yaml:8: locks\.max_exclusive: unknown/);
  });
});

describe('scenarioLocksConfig', () => {
  it("replaces each of the run's keys the scenario gives, and keeps the others", () => {
    const run = { max_exclusive_ms: 5000, forbid_invalid_indexes: true };
    expect(scenarioLocksConfig(run, undefined)).toEqual(run);
    expect(scenarioLocksConfig(run, { max_exclusive_ms: 60_000, forbid_rewrite: ['*'] })).toEqual({
      max_exclusive_ms: 60_000,
      forbid_invalid_indexes: true,
      forbid_rewrite: ['*'],
    });
    expect(scenarioLocksConfig(run, { forbid_invalid_indexes: false })).toEqual({
      max_exclusive_ms: 5000,
      forbid_invalid_indexes: false,
    });
  });

  it('counts a budget only when it can fail something', () => {
    expect(hasLockBudgets({})).toBe(false);
    expect(hasLockBudgets({ forbid_invalid_indexes: false })).toBe(false);
    expect(hasLockBudgets({ max_exclusive_ms: 0 })).toBe(true);
  });
});
