// The lock modes inferred from the parse tree, proved against pg_locks on a real server: each
// statement runs in a transaction held open, and another session reads the table-level locks
// that transaction holds. On every relation inference names, the strongest mode held is the one
// inferred. A statement that cannot run in a transaction block is read while it waits.
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
  CREATE INDEX loose_device ON shop.loose (device_id);
  CREATE TABLE shop.fitted (device_id int CONSTRAINT fitted_device REFERENCES shop.device (id));
  CREATE TABLE shop.base (device_id int);
  CREATE TABLE shop.stray (device_id int);
  CREATE TRIGGER stray_kept AFTER INSERT ON shop.stray FOR EACH ROW EXECUTE FUNCTION suppress_redundant_updates_trigger();
  CREATE TABLE shop.heir (device_id int) INHERITS (shop.base);
  CREATE TABLE shop.event (taken_on date NOT NULL) PARTITION BY RANGE (taken_on);
  CREATE TABLE shop.event_2024 PARTITION OF shop.event FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
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

const LOCKS_OF = `select n.nspname || '.' || c.relname as rel, l.mode, l.granted from pg_locks l
    join pg_class c on c.oid = l.relation join pg_namespace n on n.oid = c.relnamespace
   where l.pid = $1 and l.locktype = 'relation'`;

/** The strongest table-level mode per relation backend `pid` holds, or (`waiting`) holds or waits for. */
async function locksOf(pid: number, waiting = false): Promise<Map<string, LockMode>> {
  const reader = connect(server!.target, 'pg-rehearse test: reader');
  try {
    const rows = (await reader.unsafe(LOCKS_OF, [pid])) as unknown as { rel: string; mode: string; granted: boolean }[];
    const out = new Map<string, LockMode>();
    for (const r of rows) {
      const m = modeOfPgLocks(r.mode);
      if (m && (r.granted || waiting)) out.set(r.rel, out.has(r.rel) ? stronger(out.get(r.rel)!, m) : m);
    }
    return out;
  } finally {
    await reader.end();
  }
}

const backendPid = async (sql: ReturnType<typeof connect>): Promise<number> =>
  ((await sql.unsafe('select pg_backend_pid() as pid')) as unknown as [{ pid: number }])[0].pid;

/** The strongest table-level mode per relation a transaction holds after running `statement`, read from another session. */
async function heldBy(statement: string): Promise<Map<string, LockMode>> {
  const held = connect(server!.target, 'pg-rehearse test: holder');
  try {
    const pid = await backendPid(held);
    await held.unsafe('begin');
    await held.unsafe(statement);
    const out = await locksOf(pid);
    await held.unsafe('rollback');
    return out;
  } finally {
    await held.end();
  }
}

/** What backend `pid` holds or waits for once it waits for a lock on `relation` (polled, up to 10 s). */
async function onceWaitingFor(pid: number, relation: string): Promise<Map<string, LockMode>> {
  const reader = connect(server!.target, 'pg-rehearse test: reader');
  try {
    for (let i = 0; i < 200; i++) {
      const rows = await reader.unsafe(`${LOCKS_OF} and not l.granted and c.relname = $2`, [
        pid,
        relation.split('.')[1]!,
      ]);
      if (rows.length > 0) return await locksOf(pid, true);
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`backend ${pid} never waited for a lock on ${relation}`);
  } finally {
    await reader.end();
  }
}

const named = (c: { relation: { schema: string | null; name: string | null } }) =>
  `${c.relation.schema}.${c.relation.name}`;

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
    'SELECT * FROM shop.device d JOIN shop.loose ON true WHERE d.id IN (SELECT device_id FROM shop.fitted) FOR UPDATE OF d',
    'SELECT * FROM shop.device, (SELECT * FROM shop.loose) l WHERE true IN (SELECT true FROM shop.fitted) FOR SHARE',
    'SELECT * FROM shop.device, shop.loose FOR KEY SHARE OF loose',
    'SELECT * FROM shop.device, shop.loose FOR NO KEY UPDATE OF device',
    'ALTER TABLE shop.reading DETACH PARTITION shop.reading_2024',
    'ALTER TABLE shop.stray INHERIT shop.base',
    'ALTER TABLE shop.heir NO INHERIT shop.base',
    'ALTER TABLE shop.fitted DROP CONSTRAINT fitted_device',
    "COMMENT ON TABLE shop.device IS 'x'",
    "COMMENT ON COLUMN shop.device.site IS 'x'",
    "COMMENT ON INDEX shop.loose_device IS 'x'",
    "COMMENT ON MATERIALIZED VIEW shop.per_site IS 'x'",
    "COMMENT ON CONSTRAINT fitted_device ON shop.fitted IS 'x'",
    "COMMENT ON TRIGGER stray_kept ON shop.stray IS 'x'",
    'UPDATE shop.loose SET device_id = 1 WHERE device_id IN (SELECT id FROM shop.device FOR KEY SHARE)',
  ])('%s', async (statement) => {
    const [claims = []] = await inferLocks(statement);
    expect(claims.length).toBeGreaterThan(0);
    const held = await heldBy(statement);
    expect(claims.map((c) => `${named(c)} ${held.get(named(c))}`)).toEqual(claims.map((c) => `${named(c)} ${c.mode}`));
  });

  it('a dropped foreign key locks its referenced table too, which the text does not name', async () => {
    const statement = 'ALTER TABLE shop.fitted DROP CONSTRAINT fitted_device';
    const held = await heldBy(statement);
    expect(held.get('shop.device')).toBe('ACCESS EXCLUSIVE');
    const [claims = []] = await inferLocks(statement);
    expect(claims.map(named)).toEqual(['shop.fitted']);
    expect(claims[0]?.why).toMatch(/referenced table too, ACCESS EXCLUSIVE/);
  });
});

// DETACH PARTITION ... CONCURRENTLY cannot run in a transaction block: its backend is read while it
// waits. One session holding SHARE on the partition stops its first transaction (which asks for
// SHARE UPDATE EXCLUSIVE on the partition); another holding ACCESS SHARE on it stops its second
// (which asks for ACCESS EXCLUSIVE). Cancelled there, the partition is left pending, for FINALIZE.
describe('DETACH PARTITION ... CONCURRENTLY against pg_locks', () => {
  it('takes SHARE UPDATE EXCLUSIVE on the parent, and on the partition ACCESS EXCLUSIVE in its second transaction', async () => {
    const statement = 'ALTER TABLE shop.event DETACH PARTITION shop.event_2024 CONCURRENTLY';
    const first = connect(server!.target, 'pg-rehearse test: first blocker');
    const second = connect(server!.target, 'pg-rehearse test: second blocker');
    const detacher = connect(server!.target, 'pg-rehearse test: detacher');
    try {
      const pid = await backendPid(detacher);
      await first.unsafe('begin');
      await first.unsafe('LOCK TABLE shop.event_2024 IN SHARE MODE');
      await second.unsafe('begin');
      await second.unsafe('LOCK TABLE shop.event_2024 IN ACCESS SHARE MODE');
      const detach = detacher.unsafe(statement).then(
        () => 'detached',
        (e: Error) => e.message,
      );
      const phase1 = await onceWaitingFor(pid, 'shop.event_2024');
      expect(Object.fromEntries(phase1)).toEqual({
        'shop.event': 'SHARE UPDATE EXCLUSIVE',
        'shop.event_2024': 'SHARE UPDATE EXCLUSIVE',
      });
      await first.unsafe('rollback');
      await new Promise((r) => setTimeout(r, 200));
      const phase2 = await onceWaitingFor(pid, 'shop.event_2024');
      expect(Object.fromEntries(phase2)).toEqual({
        'shop.event': 'SHARE UPDATE EXCLUSIVE',
        'shop.event_2024': 'ACCESS EXCLUSIVE',
      });
      const [claims = []] = await inferLocks(statement);
      expect(claims.map((c) => `${named(c)} ${c.mode}`)).toEqual([
        `shop.event ${phase2.get('shop.event')}`,
        `shop.event_2024 ${phase2.get('shop.event_2024')}`,
      ]);
      await first.unsafe('select pg_cancel_backend($1)', [pid]);
      expect(await detach).toMatch(/cancel/);
      await second.unsafe('rollback');
    } finally {
      await Promise.all([first.end(), second.end(), detacher.end()]);
    }
    const finalize = 'ALTER TABLE shop.event DETACH PARTITION shop.event_2024 FINALIZE';
    const held = await heldBy(finalize);
    const [claims = []] = await inferLocks(finalize);
    expect(claims.map((c) => `${named(c)} ${held.get(named(c))}`)).toEqual(claims.map((c) => `${named(c)} ${c.mode}`));
  });
});
