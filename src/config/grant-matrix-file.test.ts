import { describe, expect, it } from 'vitest';
import { columnOf, GrantMatrixFile } from './grant-matrix-file.js';
import { InputFileError, parseYaml } from './yaml-file.js';

/** The issues parseYaml reports for a grant matrix text, one line each. */
function issuesOf(text: string): string[] {
  try {
    parseYaml(text, 'grant-matrix.yaml', GrantMatrixFile);
  } catch (err) {
    if (err instanceof InputFileError) return err.message.split('\n');
    throw err;
  }
  return [];
}

describe('GrantMatrixFile', () => {
  it('accepts table-level keys and schema.table(column) keys with column privileges', () => {
    const text = [
      'app:',
      '  ledger.batch: [SELECT, UPDATE]',
      '  ledger.cut_id_seq: [USAGE]',
      '  ledger.signer(name): [INSERT, UPDATE]',
      '  ledger.signer(key_id): [SELECT, REFERENCES]',
    ].join('\n');
    expect(parseYaml(text, 'grant-matrix.yaml', GrantMatrixFile)).toEqual({
      app: {
        'ledger.batch': ['SELECT', 'UPDATE'],
        'ledger.cut_id_seq': ['USAGE'],
        'ledger.signer(name)': ['INSERT', 'UPDATE'],
        'ledger.signer(key_id)': ['SELECT', 'REFERENCES'],
      },
    });
  });

  it('refuses a key that is neither schema.object nor schema.table(column), at its line', () => {
    expect(issuesOf('app:\n  ledger.signer(name: [INSERT]\n')).toEqual([
      'grant-matrix.yaml:2: app.ledger.signer(name: a key is schema.object or schema.table(column)',
    ]);
    expect(issuesOf('app:\n  ledger.signer(a)(b): [INSERT]\n  signer(a): [INSERT]\n')).toHaveLength(2);
  });

  it('refuses a table-only privilege on a column, naming the column privileges', () => {
    expect(issuesOf('app:\n  ledger.signer(name): [INSERT, DELETE]\n')).toEqual([
      'grant-matrix.yaml:2: app.ledger.signer(name)[1]: DELETE is not a column privilege (a column takes SELECT, INSERT, UPDATE, REFERENCES)',
    ]);
  });

  it('refuses a column privilege its table key already grants to the same role, and allows it under another role', () => {
    const text =
      'app:\n  ledger.signer: [SELECT]\n  ledger.signer(name): [SELECT, INSERT]\nother:\n  ledger.signer(name): [SELECT]\n';
    expect(issuesOf(text)).toEqual([
      'grant-matrix.yaml:3: app.ledger.signer(name)[0]: SELECT on ledger.signer already covers every column: drop it from ledger.signer(name)',
    ]);
  });

  it('still refuses an unknown privilege at its index', () => {
    expect(issuesOf('app:\n  ledger.account: [SELECT, OWN]\n')[0]).toMatch(
      /^grant-matrix\.yaml:2: app\.ledger\.account\[1\]: /,
    );
  });
});

describe('columnOf', () => {
  it('splits a column key into its table and column, and gives null for a table key', () => {
    expect(columnOf('ledger.signer(name)')).toEqual({ table: 'ledger.signer', column: 'name' });
    expect(columnOf('ledger.signer')).toBeNull();
  });
});
