import { describe, expect, it } from 'vitest';
import { lintFileName, parseSquawkOutput, squawkVersionOf } from './squawk-output.js';

const entry = (file: string, rule: string, line = 0) => ({
  file,
  line,
  column: 0,
  level: 'Warning',
  message: `message of ${rule}`,
  help: null,
  rule_name: rule,
  column_end: 10,
  line_end: line,
});

describe("squawk's JSON report", () => {
  it('gives each finding to the text whose numbered file it names, with its rule and 0-based position', () => {
    const out = JSON.stringify([entry('0002.sql', 'ban-drop-table', 3), entry('./0001.sql', 'prefer-robust-stmts')]);
    const found = parseSquawkOutput(out, 3);
    expect(found).toEqual([
      [
        {
          rule: 'prefer-robust-stmts',
          level: 'Warning',
          message: 'message of prefer-robust-stmts',
          help: null,
          line: 0,
          column: 0,
        },
      ],
      [
        {
          rule: 'ban-drop-table',
          level: 'Warning',
          message: 'message of ban-drop-table',
          help: null,
          line: 3,
          column: 0,
        },
      ],
      [],
    ]);
  });

  it('reads nothing from output that is not its report, or that names a file it was not given', () => {
    expect(parseSquawkOutput('Failed to find files for provided patterns', 1)).toBeNull();
    expect(parseSquawkOutput(JSON.stringify([{ file: '0001.sql' }]), 1)).toBeNull();
    expect(parseSquawkOutput(JSON.stringify([entry('0009.sql', 'ban-drop-table')]), 2)).toBeNull();
    expect(parseSquawkOutput('[]', 2)).toEqual([[], []]);
  });

  it('numbers files from 0001 and reads the version line', () => {
    expect(lintFileName(0)).toBe('0001.sql');
    expect(lintFileName(41)).toBe('0042.sql');
    expect(squawkVersionOf('squawk 2.66.0\n')).toBe('2.66.0');
    expect(squawkVersionOf('something else 1.0')).toBeNull();
  });
});
