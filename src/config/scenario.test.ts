import { describe, expect, it } from 'vitest';
import { parseYaml } from './yaml-file.js';
import { Scenario, scenarioNumber } from './scenario.js';

const minimal = `id: S4
title: MARK
steps:
  - name: mark
    run: [node, dist/cli.js, mark]
    role: cutter_app
`;

const parse = (text: string) => parseYaml(text, 'S.yaml', Scenario);

describe('Scenario schema', () => {
  it('fills every default of a minimal scenario', () => {
    expect(parse(minimal)).toEqual({
      id: 'S4',
      title: 'MARK',
      negative: false,
      steps: [
        {
          name: 'mark',
          run: ['node', 'dist/cli.js', 'mark'],
          cwd: '.',
          role: 'cutter_app',
          env: {},
          timeout_ms: 60_000,
          expect: { exit_code: 0, stdout: [], stderr: [], error: null, sql: [] },
        },
      ],
      deltas: {},
    });
  });

  it('keeps forbidden_verbs when given, and leaves it out otherwise', () => {
    expect(parse(`${minimal}forbidden_verbs: [DELETE, DROP]\n`).forbidden_verbs).toEqual(['DELETE', 'DROP']);
    expect(parse(minimal)).not.toHaveProperty('forbidden_verbs');
    expect(() => parse(`${minimal}forbidden_verbs: [delete]\n`)).toThrow(
      /S\.yaml:7: forbidden_verbs\[0\]: an upper-case SQL verb/,
    );
  });

  it('refuses ids outside ^S[0-9]+(-[a-z0-9]+)?$', () => {
    for (const id of ['S', 's4', 'S4_neg', 'S4-Neg', 'T4', 'S4-']) {
      expect(() => parse(minimal.replace('S4', id)), id).toThrow(/S\.yaml:1: id: an id such as/);
    }
    for (const id of ['S0', 'S12', 'S3-neg', 'S3-2b']) expect(parse(minimal.replace('S4', id)).id).toBe(id);
  });

  it('refuses unknown keys at every level, naming their line', () => {
    expect(() => parse(`${minimal}colour: red\n`)).toThrow(/S\.yaml:7: colour: unknown key `colour`/);
    expect(() => parse(minimal.replace('    role: cutter_app\n', '    role: cutter_app\n    retries: 3\n'))).toThrow(
      /S\.yaml:7: steps\[0\]\.retries: unknown key `retries`/,
    );
    expect(() => parse(`${minimal}    expect: { exit: 0 }\n`)).toThrow(
      /S\.yaml:7: steps\[0\]\.expect\.exit: unknown key `exit`/,
    );
  });

  it('names the key of a regex that does not compile', () => {
    const text = `${minimal}    expect:\n      stdout: ['^ok', '(unclosed']\n`;
    expect(() => parse(text)).toThrow(
      /S\.yaml:8: steps\[0\]\.expect\.stdout\[1\]: not a valid regular expression: .*Unterminated group/,
    );
    expect(() => parse(`${minimal}    expect:\n      stderr: ['[z-a]']\n`)).toThrow(
      /steps\[0\]\.expect\.stderr\[0\]: not a valid regular expression/,
    );
  });

  it('refuses a negative scenario with a non-zero delta, at that delta', () => {
    const text = `${minimal}negative: true\ndeltas:\n  ledger.mark: 0\n  ledger.cut: 3\n`;
    expect(() => parse(text)).toThrow(/S\.yaml:10: deltas\.ledger\.cut: a negative scenario expects no change, got 3/);
    expect(parse(`${minimal}negative: true\ndeltas: { ledger.mark: 0 }\n`).deltas).toEqual({ 'ledger.mark': 0 });
  });

  it('refuses a delta table that is not schema.table, and a fractional delta', () => {
    expect(() => parse(`${minimal}deltas: { mark: 1 }\n`)).toThrow(
      /S\.yaml:7: deltas\.mark: `mark` is not a table as `schema\.table`/,
    );
    expect(() => parse(`${minimal}deltas: { ledger.mark: 1.5 }\n`)).toThrow(/deltas\.ledger\.mark: /);
  });

  it('refuses an empty argv, a bad role, a cwd outside the system under test and a timeout over an hour', () => {
    expect(() => parse(minimal.replace('[node, dist/cli.js, mark]', '[]'))).toThrow(
      /steps\[0\]\.run: a non-empty argv/,
    );
    expect(() => parse(minimal.replace('role: cutter_app', 'role: Cutter-App'))).toThrow(
      /steps\[0\]\.role: a dry-run role name/,
    );
    for (const cwd of ['/etc', '..', 'sub/../..', '../other']) {
      expect(() => parse(`${minimal}    cwd: ${cwd}\n`), cwd).toThrow(/steps\[0\]\.cwd: /);
    }
    expect(parse(`${minimal}    cwd: sub/../tools\n`).steps[0]!.cwd).toBe('sub/../tools');
    expect(() => parse(`${minimal}    timeout_ms: 3600001\n`)).toThrow(/steps\[0\]\.timeout_ms: /);
  });

  it('takes env values as strings only, so a number must be quoted', () => {
    expect(() => parse(`${minimal}    env: { PORT: 5432 }\n`)).toThrow(/steps\[0\]\.env\.PORT: /);
    expect(parse(`${minimal}    env: { PORT: '5432' }\n`).steps[0]!.env).toEqual({ PORT: '5432' });
    expect(() => parse(`${minimal}    env: { 'BAD-NAME': x }\n`)).toThrow(
      /steps\[0\]\.env\.BAD-NAME: `BAD-NAME` is not an environment variable name/,
    );
  });

  it('reads sql expectations with their rows', () => {
    const text = `${minimal}    expect:\n      sql:\n        - query: select 1 as n\n          rows: [{ n: 1 }]\n`;
    expect(parse(text).steps[0]!.expect.sql).toEqual([{ query: 'select 1 as n', rows: [{ n: 1 }] }]);
  });

  it('numbers ids by their digits', () => {
    expect(scenarioNumber('S3-neg')).toBe(3);
    expect(scenarioNumber('S12')).toBe(12);
    expect(() => scenarioNumber('X1')).toThrow(TypeError);
  });
});
