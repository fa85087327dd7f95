// The lock modes inferred from the parse tree, proved against pg_locks on a real server: each
// statement runs in a transaction held open, and another session reads the table-level locks
// that transaction holds. On every relation inference names, the strongest mode held is the one
// inferred.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../pg/target.js';
import { throwawayServer, type ThrowawayServer } from '../test-support/throwaway-server.js';
import { inferLocks } from './lock-inference.js';
import { modeOfPgLocks, stronger, type LockMode } from './lock-modes.js';

const SCHEMA = `
  CREATE SCHEMA shop;
  CREATE TABLE shop.device (id int PRIMARY KEY, serial text NOT NULL, site text);
  CREATE TABLE shop.reading (device_id int NOT NULL, taken_on date NOT NULL, value numeric) PARTITION BY RANGE (taken_on);
  CREATE TABLE shop.reading_2024 PARTITION OF shop.reading FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
  CREATE TABLE shop.spare (device_id int NOT NULL, taken_on date NOT NULL, value numeric);
  CREATE TABLE shop.loose (device_id int);
  CREATE MATERIALIZED VIEW shop.per_site AS SELECT site, count(*) FROM shop.device GROUP BY site;
  CREATE UNIQUE INDEX per_site_site ON shop.per_site (site);
  INSERT INTO shop.device SELECT i, 'D' || i, 'north' FROM generate_series(1, 50) i;
  ALTER TABLE shop.device ADD CONSTRAINT serial_set CHECK (serial <> '') NOT VALID;
`;

let server: ThrowawayServer | null = null;

beforeAll(async () => {
  server = await throwawayServer({ prefix: 'pgr-locks', database: 'shop' });
  const sql = connect(server.target, 'pg-rehearse test');
  await sql.unsafe(SCHEMA).finally(() => sql.end());
});

afterAll(async () => {
  await server?.close();
});

/** The strongest table-level mode per relation a transaction holds after running `statement`, read from another session. */
async function heldBy(statement: string): Promise<Map<string, LockMode>> {
  const held = connect(server!.target, 'pg-rehearse test: holder');
  const reader = connect(server!.target, 'pg-rehearse test: reader');
  try {
    const [{ pid }] = (await held.unsafe('select pg_backend_pid() as pid')) as unknown as [{ pid: number }];
    await held.unsafe('begin');
    await held.unsafe(statement);
    const rows = (await reader.unsafe(
      `select n.nspname || '.' || c.relname as rel, l.mode from pg_locks l
         join pg_class c on c.oid = l.relation join pg_namespace n on n.oid = c.relnamespace
        where l.pid = $1 and l.locktype = 'relation' and l.granted`,
      [pid],
    )) as unknown as { rel: string; mode: string }[];
    const out = new Map<string, LockMode>();
    for (const r of rows) {
      const m = modeOfPgLocks(r.mode);
      if (m) out.set(r.rel, out.has(r.rel) ? stronger(out.get(r.rel)!, m) : m);
    }
    await held.unsafe('rollback');
    return out;
  } finally {
    await held.end();
    await reader.end();
  }
}

describe('inferred lock modes against pg_locks', () => {
  it.each([
    'ALTER TABLE shop.device ADD COLUMN firmware text',
    'ALTER TABLE shop.device ALTER COLUMN serial TYPE varchar(20)',
    'ALTER TABLE shop.device ALTER COLUMN site SET NOT NULL',
    'ALTER TABLE shop.loose ADD CONSTRAINT loose_device FOREIGN KEY (device_id) REFERENCES shop.device (id)',
    'ALTER TABLE shop.device VALIDATE CONSTRAINT serial_set',
    'ALTER TABLE shop.device SET (fillfactor = 80)',
    'ALTER TABLE shop.device ALTER COLUMN serial SET STATISTICS 200',
    'CREATE INDEX device_site ON shop.device (site)',
    "ALTER TABLE shop.reading ATTACH PARTITION shop.spare FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')",
    'TRUNCATE shop.loose',
    'LOCK TABLE shop.device IN SHARE ROW EXCLUSIVE MODE',
    'REFRESH MATERIALIZED VIEW shop.per_site',
    'CLUSTER shop.device USING device_pkey',
    'CREATE TRIGGER t AFTER INSERT ON shop.loose FOR EACH ROW EXECUTE FUNCTION suppress_redundant_updates_trigger()',
    'DELETE FROM shop.device WHERE id IN (SELECT device_id FROM shop.loose)',
    'SELECT * FROM shop.device FOR UPDATE',
  ])('%s', async (statement) => {
    const [claims = []] = await inferLocks(statement);
    expect(claims.length).toBeGreaterThan(0);
    const held = await heldBy(statement);
    const name = (c: (typeof claims)[number]) => `${c.relation.schema}.${c.relation.name}`;
    expect(claims.map((c) => `${name(c)} ${held.get(name(c))}`)).toEqual(claims.map((c) => `${name(c)} ${c.mode}`));
  });
});
