import { describe, expect, it } from 'vitest';
import { addedLines, DEFAULT_HARDCODE_PATTERNS, findHardcodes } from './hardcode-scan.js';

const diff = [
  'diff --git a/src/db.ts b/src/db.ts',
  '--- a/src/db.ts',
  '+++ b/src/db.ts',
  '@@ -10,0 +11,3 @@ export function connect() {',
  "+  const host = '10.20.30.40';",
  "+  const url = 'postgres://app:hunter2@db.internal:5432/ledger';",
  '+  const ok = process.env.DATABASE_URL;',
  '@@ -40 +43 @@',
  "+  const cfg = { password: 'swordfish' };",
  'diff --git a/old.ts b/old.ts',
  '--- a/old.ts',
  '+++ /dev/null',
].join('\n');

describe('the hardcode scan', () => {
  it('reads each added line with its file and new line number', () => {
    expect(addedLines(diff).map((l) => `${l.file}:${l.line}`)).toEqual([
      'src/db.ts:11',
      'src/db.ts:12',
      'src/db.ts:13',
      'src/db.ts:43',
    ]);
  });

  it('finds a literal IP, a DSN with a password and a password assignment, with file and line', () => {
    const found = findHardcodes(addedLines(diff), DEFAULT_HARDCODE_PATTERNS);
    expect(found.map((f) => `${f.file}:${f.line} ${f.pattern}`)).toEqual([
      'src/db.ts:11 literal IPv4 address',
      'src/db.ts:12 DSN with a password',
      'src/db.ts:43 password assignment',
    ]);
  });

  it('leaves lines an allow pattern matches, and takes patterns of the config', () => {
    expect(
      findHardcodes(addedLines(diff), DEFAULT_HARDCODE_PATTERNS, ['10\\.20\\.30\\.40', 'hunter2', 'swordfish']),
    ).toEqual([]);
    expect(findHardcodes(addedLines(diff), [{ name: 'env read', regex: 'process\\.env' }]).map((f) => f.line)).toEqual([
      13,
    ]);
  });
});
