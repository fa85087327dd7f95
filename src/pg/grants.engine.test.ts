// The privileges in force on a real server loaded with the production fixture, roles and grants:
// exactly sql/grant-matrix.yaml; a REVOKE, an extra GRANT, a grant through membership and a
// column-level GRANT each show up as exactly that difference.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { throwawayServer, type ThrowawayServer } from '../test-support/throwaway-server.js';
import { diffGrantMatrix, normaliseMatrix, readGrantsInForce, type GrantMatrix } from './grants.js';
import { runSqlFile } from './restore.js';
import { connect, type PgTarget } from './target.js';

const FIXTURE = ['fixtures/production/schema.sql', 'fixtures/production/data.sql', 'sql/roles.sql', 'sql/grants.sql'];
const ROLES = ['cutter_app', 'cutter_readonly', 'cutter_auditor', 'cutter_migrator'];

let throwaway: ThrowawayServer | null = null;
let server: PgTarget;
let expected: GrantMatrix;

beforeAll(async () => {
  throwaway = await throwawayServer({ prefix: 'pgr-grants', database: 'ledger' });
  server = throwaway.target;
  for (const file of FIXTURE) await runSqlFile(server, file, { singleTransaction: true });
  expected = parse(await readFile('sql/grant-matrix.yaml', 'utf8')) as GrantMatrix;
});

afterAll(async () => {
  await throwaway?.close();
});

async function exec(statement: string): Promise<void> {
  const sql = connect(server, 'pg-rehearse test');
  try {
    await sql.unsafe(statement);
  } finally {
    await sql.end();
  }
}

describe('readGrantsInForce', () => {
  it('reads exactly the expected grant matrix after roles, the fixture and grants.sql, sorted', async () => {
    const actual = await readGrantsInForce(server, ROLES, ['ledger']);
    expect(diffGrantMatrix(expected, actual)).toEqual([]);
    expect(actual).toEqual(normaliseMatrix(expected));
    expect(Object.keys(actual.cutter_app!)).toEqual([...Object.keys(actual.cutter_app!)].sort());
  });

  it('shows a REVOKE as exactly that privilege, expected and not in force', async () => {
    await exec('revoke insert on ledger.cut from cutter_app');
    try {
      const diff = diffGrantMatrix(expected, await readGrantsInForce(server, ROLES, ['ledger']));
      expect(diff).toEqual([
        { role: 'cutter_app', object: 'ledger.cut', privilege: 'INSERT', expected: true, actual: false },
      ]);
    } finally {
      await exec('grant insert on ledger.cut to cutter_app');
    }
  });

  it('counts a grant in force through role membership and an extra sequence grant', async () => {
    await exec(
      'create role ledger_cleaner nologin; grant delete on ledger.entry to ledger_cleaner; grant ledger_cleaner to cutter_readonly; grant update on sequence ledger.cut_id_seq to cutter_auditor',
    );
    try {
      const diff = diffGrantMatrix(expected, await readGrantsInForce(server, ROLES, ['ledger']));
      expect(diff).toEqual([
        { role: 'cutter_auditor', object: 'ledger.cut_id_seq', privilege: 'UPDATE', expected: false, actual: true },
        { role: 'cutter_readonly', object: 'ledger.entry', privilege: 'DELETE', expected: false, actual: true },
      ]);
    } finally {
      await exec(
        'revoke update on sequence ledger.cut_id_seq from cutter_auditor; revoke ledger_cleaner from cutter_readonly; drop owned by ledger_cleaner; drop role ledger_cleaner',
      );
    }
  });

  it('shows a column-level INSERT grant the matrix omits as a difference on schema.table(column), and none once the matrix lists it', async () => {
    // cutter_app may not add signers; a column grant gives it that without any table-level INSERT.
    await exec(
      'grant insert (name, key_fingerprint) on ledger.signer to cutter_app; grant select (name) on ledger.signer to cutter_app',
    );
    try {
      const actual = await readGrantsInForce(server, ROLES, ['ledger']);
      // Its table-level SELECT covers every column: the column SELECT grant is no column privilege of its own.
      expect(actual.cutter_app!['ledger.signer']).toEqual(['SELECT']);
      expect(diffGrantMatrix(expected, actual)).toEqual([
        {
          role: 'cutter_app',
          object: 'ledger.signer(key_fingerprint)',
          privilege: 'INSERT',
          expected: false,
          actual: true,
        },
        { role: 'cutter_app', object: 'ledger.signer(name)', privilege: 'INSERT', expected: false, actual: true },
      ]);
      const listed: GrantMatrix = {
        ...expected,
        cutter_app: {
          ...expected.cutter_app,
          'ledger.signer(key_fingerprint)': ['INSERT'],
          'ledger.signer(name)': ['INSERT'],
        },
      };
      expect(diffGrantMatrix(listed, actual)).toEqual([]);
    } finally {
      await exec(
        'revoke insert (name, key_fingerprint) on ledger.signer from cutter_app; revoke select (name) on ledger.signer from cutter_app',
      );
    }
    expect(diffGrantMatrix(expected, await readGrantsInForce(server, ROLES, ['ledger']))).toEqual([]);
  });

  it('counts a column grant in force through role membership, and a listed column privilege not in force', async () => {
    await exec(
      'create role ledger_marker nologin; grant update (marked_by) on ledger.mark to ledger_marker; grant ledger_marker to cutter_auditor',
    );
    try {
      const listed: GrantMatrix = {
        ...expected,
        cutter_readonly: { ...expected.cutter_readonly, 'ledger.mark(marked_by)': ['UPDATE'] },
      };
      expect(diffGrantMatrix(listed, await readGrantsInForce(server, ROLES, ['ledger']))).toEqual([
        {
          role: 'cutter_auditor',
          object: 'ledger.mark(marked_by)',
          privilege: 'UPDATE',
          expected: false,
          actual: true,
        },
        {
          role: 'cutter_readonly',
          object: 'ledger.mark(marked_by)',
          privilege: 'UPDATE',
          expected: true,
          actual: false,
        },
      ]);
    } finally {
      await exec('revoke ledger_marker from cutter_auditor; drop owned by ledger_marker; drop role ledger_marker');
    }
  });

  it('leaves out a role that does not exist, so the diff shows all it was expected to hold', async () => {
    const actual = await readGrantsInForce(server, ['cutter_auditor', 'no_such_role'], ['ledger', 'no_such_schema']);
    expect(actual).toEqual({ cutter_auditor: { 'ledger.history': ['SELECT'], 'ledger.verify_log': ['SELECT'] } });
    expect(
      diffGrantMatrix({ no_such_role: { 'ledger.cut': ['SELECT'] } }, actual).filter((d) => d.role === 'no_such_role'),
    ).toEqual([{ role: 'no_such_role', object: 'ledger.cut', privilege: 'SELECT', expected: true, actual: false }]);
  });
});
