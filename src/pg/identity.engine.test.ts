// Reading a real server: its identity (the 64-bit system identifier kept exact), exact row counts
// of the fixture in one snapshot, and the rows of one read-only query.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { execIn } from '../test-support/docker.js';
import { throwawayServer, type ThrowawayServer } from '../test-support/throwaway-server.js';
import { PgQueryError, queryRows, rowCounts, serverIdentity } from './identity.js';
import { runSqlFile, setRolePasswords } from './restore.js';
import { connect, type PgTarget } from './target.js';

let throwaway: ThrowawayServer | null = null;
let containerId: string;
let readyStart: string;
let server: PgTarget;

beforeAll(async () => {
  throwaway = await throwawayServer({ prefix: 'pgr-identity', database: 'ledger' });
  containerId = throwaway.containerId;
  readyStart = throwaway.readiness.postmasterStart;
  server = throwaway.target;
  for (const file of ['fixtures/production/schema.sql', 'fixtures/production/data.sql'])
    await runSqlFile(server, file, { singleTransaction: true });
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

describe('serverIdentity', () => {
  it('gives the system identifier exactly as pg_controldata prints it, the start time readiness saw, and the version', async () => {
    const id = await serverIdentity(server);
    const control = await execIn(containerId, [
      'sh',
      '-c',
      'pg_controldata "$PGDATA" 2>&1 || /usr/lib/postgresql/*/bin/pg_controldata "$PGDATA"',
    ]);
    const sysid = /Database system identifier:\s+(\d+)/.exec(control.output)?.[1];
    expect(sysid).toMatch(/^\d{16,20}$/);
    expect(id.systemIdentifier).toBe(sysid);
    expect(id.postmasterStart).toBe(readyStart);
    expect(id.serverVersion).toMatch(/^15\.\d+/);
    expect(id.serverVersionNum).toBeGreaterThanOrEqual(150000);
    expect(Math.floor(id.serverVersionNum / 10000)).toBe(15);
  });

  it("answers for an ordinary login role: no superuser or pg_monitor is needed to read production's identity", async () => {
    await exec('create role identity_reader login nosuperuser');
    await setRolePasswords(server, { identity_reader: 'reader-P@ss:w/rd' });
    const id = await serverIdentity({ ...server, user: 'identity_reader', password: 'reader-P@ss:w/rd' });
    expect(id.systemIdentifier).toBe((await serverIdentity(server)).systemIdentifier);
  });

  it('fails with a PgQueryError naming the target, never its password, when it cannot connect', async () => {
    const err = await serverIdentity({ ...server, password: 'wrong-password-1' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PgQueryError);
    expect((err as PgQueryError).message).toContain(`${server.host}:${server.port}/ledger`);
    expect((err as PgQueryError).sqlState).toBe('28P01');
    expect((err as PgQueryError).message).not.toContain('wrong-password-1');
  });
});

describe('rowCounts', () => {
  it('counts every watched table exactly', async () => {
    expect(await rowCounts(server, ['ledger.account', 'ledger.batch', 'ledger.entry'])).toEqual({
      'ledger.account': 40,
      'ledger.batch': 26,
      'ledger.entry': 980,
    });
  });

  it('quotes identifiers, so a table name with quotes, spaces and capitals is counted and nothing is injected', async () => {
    await exec(
      `create schema "Odd ""schema"""; create table "Odd ""schema"""."Mixed Case; drop table x" (id int); insert into "Odd ""schema"""."Mixed Case; drop table x" values (1), (2)`,
    );
    expect(await rowCounts(server, ['Odd "schema".Mixed Case; drop table x'])).toEqual({
      'Odd "schema".Mixed Case; drop table x': 2,
    });
  });

  it('refuses a name that is not schema.table, and reports a missing table with its SQLSTATE', async () => {
    await expect(rowCounts(server, ['account'])).rejects.toBeInstanceOf(UsageError);
    await expect(rowCounts(server, ['ledger.nope'])).rejects.toMatchObject({ code: 'E_PG_QUERY', sqlState: '42P01' });
  });
});

describe('queryRows', () => {
  it('returns rows as plain objects (bigint as a decimal string)', async () => {
    const rows = await queryRows(
      server,
      `select id, state, count(*) over () as total from ledger.batch where id like 'B-2026-%' order by id`,
    );
    expect(rows).toEqual([
      { id: 'B-2026-001', state: 'open', total: '2' },
      { id: 'B-2026-002', state: 'open', total: '2' },
    ]);
    expect(Object.getPrototypeOf(rows[0])).toBe(Object.prototype);
  });

  it('runs read-only: a write is refused and changes nothing', async () => {
    await expect(queryRows(server, `delete from ledger.verify_log`)).rejects.toMatchObject({ sqlState: '25006' });
    expect((await rowCounts(server, ['ledger.verify_log']))['ledger.verify_log']).toBeGreaterThan(0);
  });

  it('runs one statement only', async () => {
    await expect(queryRows(server, 'select 1; select 2')).rejects.toMatchObject({ sqlState: '42601' });
  });
});
