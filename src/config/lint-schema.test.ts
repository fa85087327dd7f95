import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { LintConfig } from './lint-schema.js';
import { parseYaml } from './yaml-file.js';

const Holder = z.strictObject({
  lint: LintConfig.default({ mode: 'report', exclude: [], assume_in_transaction: false }),
});
const parse = (text: string) => parseYaml(text, 'rehearse.yaml', Holder).lint;

describe('the lint key of the config', () => {
  it('is report by default, and takes a mode alone', () => {
    expect(parse('{}\n')).toEqual({ mode: 'report', exclude: [], assume_in_transaction: false });
    expect(parse('lint: fail\n')).toEqual({ mode: 'fail', exclude: [], assume_in_transaction: false });
    expect(parse('lint: off\n').mode).toBe('off');
  });

  it('takes a mode, rules to leave out and whether the migration tool wraps each file in a transaction', () => {
    expect(parse('lint:\n  mode: fail\n  exclude: [prefer-bigint-over-int]\n  assume_in_transaction: true\n')).toEqual({
      mode: 'fail',
      exclude: ['prefer-bigint-over-int'],
      assume_in_transaction: true,
    });
    expect(parse('lint:\n  exclude: [ban-drop-table]\n').mode).toBe('report');
  });

  it('refuses another mode, a rule name that is not one, and an unknown key, naming its line', () => {
    expect(() => parse('lint: warn\n')).toThrow(/rehearse\.yaml:1: lint/);
    expect(() => parse('lint:\n  exclude: ["Ban Drop"]\n')).toThrow(/rehearse\.yaml:2: lint\.exclude\[0\]/);
    expect(() => parse('lint:\n  mode: fail\n  rules: []\n')).toThrow(/rehearse\.yaml:3/);
  });
});
