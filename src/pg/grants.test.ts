import { describe, expect, it } from 'vitest';
import { diffGrantMatrix, normaliseMatrix, type GrantMatrix } from './grants.js';

describe('diffGrantMatrix', () => {
  const expected: GrantMatrix = {
    app: { 'ledger.batch': ['SELECT', 'UPDATE'], 'ledger.cut_id_seq': ['USAGE'] },
    auditor: { 'ledger.history': ['SELECT'] },
  };

  it('is empty when the matrices hold the same privileges, whatever their order', () => {
    const actual: GrantMatrix = {
      auditor: { 'ledger.history': ['SELECT'] },
      app: { 'ledger.cut_id_seq': ['USAGE'], 'ledger.batch': ['UPDATE', 'SELECT'] },
    };
    expect(diffGrantMatrix(expected, actual)).toEqual([]);
  });

  it('names each privilege missing or extra, sorted by role, object, privilege', () => {
    const actual: GrantMatrix = {
      app: { 'ledger.batch': ['SELECT', 'DELETE', 'TRUNCATE'], 'ledger.account': ['INSERT'] },
      auditor: { 'ledger.history': ['SELECT'] },
    };
    expect(diffGrantMatrix(expected, actual)).toEqual([
      { role: 'app', object: 'ledger.account', privilege: 'INSERT', expected: false, actual: true },
      { role: 'app', object: 'ledger.batch', privilege: 'DELETE', expected: false, actual: true },
      { role: 'app', object: 'ledger.batch', privilege: 'TRUNCATE', expected: false, actual: true },
      { role: 'app', object: 'ledger.batch', privilege: 'UPDATE', expected: true, actual: false },
      { role: 'app', object: 'ledger.cut_id_seq', privilege: 'USAGE', expected: true, actual: false },
    ]);
  });

  it('compares a role absent on one side as a role with no privileges', () => {
    expect(diffGrantMatrix(expected, { app: expected.app! })).toEqual([
      { role: 'auditor', object: 'ledger.history', privilege: 'SELECT', expected: true, actual: false },
    ]);
    expect(diffGrantMatrix({}, { intruder: { 'ledger.entry': ['DELETE'] } })).toEqual([
      { role: 'intruder', object: 'ledger.entry', privilege: 'DELETE', expected: false, actual: true },
    ]);
  });

  it('compares a schema.table(column) key as an object of its own, apart from its table', () => {
    const withColumn: GrantMatrix = { ...expected, app: { ...expected.app, 'ledger.batch(note)': ['INSERT'] } };
    expect(diffGrantMatrix(withColumn, withColumn)).toEqual([]);
    // A column-level grant in force that a table-level matrix does not list is a difference.
    expect(diffGrantMatrix(expected, withColumn)).toEqual([
      { role: 'app', object: 'ledger.batch(note)', privilege: 'INSERT', expected: false, actual: true },
    ]);
    expect(diffGrantMatrix(withColumn, expected)).toEqual([
      { role: 'app', object: 'ledger.batch(note)', privilege: 'INSERT', expected: true, actual: false },
    ]);
    // The table-level INSERT is not the column's: each names its own object.
    const tableLevel: GrantMatrix = {
      ...expected,
      app: { ...expected.app, 'ledger.batch': ['INSERT', 'SELECT', 'UPDATE'] },
    };
    expect(diffGrantMatrix(withColumn, tableLevel)).toEqual([
      { role: 'app', object: 'ledger.batch', privilege: 'INSERT', expected: false, actual: true },
      { role: 'app', object: 'ledger.batch(note)', privilege: 'INSERT', expected: true, actual: false },
    ]);
  });

  it('treats an object listed with no privileges as absent', () => {
    expect(diffGrantMatrix({ app: { 'ledger.x': [] } }, {})).toEqual([]);
  });
});

describe('normaliseMatrix', () => {
  it('sorts roles, objects and privileges and drops empty entries and duplicates', () => {
    const m = normaliseMatrix({ b: { 'ledger.z': ['UPDATE', 'SELECT', 'SELECT'], 'ledger.a': [] }, a: {} });
    expect(m).toEqual({ b: { 'ledger.z': ['SELECT', 'UPDATE'] } });
    expect(Object.keys(m.b!)).toEqual(['ledger.z']);
  });

  it('sorts a column key right after its table, before a longer table name', () => {
    const m = normaliseMatrix({ a: { 'ledger.t_x': ['SELECT'], 'ledger.t(b)': ['INSERT'], 'ledger.t': ['SELECT'] } });
    expect(Object.keys(m.a!)).toEqual(['ledger.t', 'ledger.t(b)', 'ledger.t_x']);
  });
});
