import { describe, expect, it } from 'vitest';
import { statementAt } from './statement-at.js';

const file = [
  "SET lock_timeout = '1s';",
  'ALTER TABLE ledger.entry',
  '  ADD COLUMN note text NOT NULL; -- a comment; with a semicolon',
  'CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;',
  'CREATE INDEX entry_note ON ledger.entry (note)',
].join('\n');

describe('the statement at a position', () => {
  it('is the whole statement around a 0-based line and column, across lines', async () => {
    expect(await statementAt(file, 2, 2)).toBe('ALTER TABLE ledger.entry\n  ADD COLUMN note text NOT NULL;');
    expect(await statementAt(file, 0, 0)).toBe("SET lock_timeout = '1s';");
  });

  it('is not cut by a semicolon inside a dollar-quoted body, and the last one needs no semicolon', async () => {
    expect(await statementAt(file, 3, 40)).toBe('CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;');
    expect(await statementAt(file, 4, 0)).toBe('CREATE INDEX entry_note ON ledger.entry (note)');
  });

  it('counts characters, not bytes, after a multi-byte name', async () => {
    const text = "COMMENT ON TABLE t IS 'größe'; DROP TABLE t;";
    expect(await statementAt(text, 0, 32)).toBe('DROP TABLE t;');
  });
});

describe('the statement at a position in a text that does not scan', () => {
  it('is the line of the position', async () => {
    expect(await statementAt("SELECT 1;\nSELECT 'unterminated\nx", 1, 0)).toBe("SELECT 'unterminated");
  });
});
