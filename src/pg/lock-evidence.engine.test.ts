// What a step locked, seen by sampling pg_locks for the system's role while it runs, and what it
// rewrote or left invalid, read from the catalog before and after: on a real server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containerLogs, docker } from '../test-support/docker.js';
import { holdInTransaction } from '../test-support/held-transaction.js';
import { throwawayServer, type ThrowawayServer } from '../test-support/throwaway-server.js';
import { inferredHolds, lockEvidence } from '../evidence/lock-timeline.js';
import { parseServerLog } from '../evidence/sql-trace.js';
import { sampleLocks } from './lock-sampler.js';
import { probeReads } from './read-probe.js';
import { blockedReads } from '../evidence/blocked-reads.js';
import { LOG_SETTINGS } from './server-settings.js';
import { leftoversOf, readRelationState } from './relation-state.js';
import { connect, type PgTarget } from './target.js';

let server: ThrowawayServer | null = null;
let tool: PgTarget;
let app: PgTarget;

beforeAll(async () => {
  server = await throwawayServer({
    prefix: 'pgr-lock-evidence',
    database: 'shop',
    settings: { ...LOG_SETTINGS, log_min_duration_statement: '0' },
  });
  tool = server.target;
  app = { ...tool, user: 'shop_migrator', password: 'migrator-pw' };
  const sql = connect(tool, 'pg-rehearse test');
  await sql
    .unsafe(
      `CREATE ROLE shop_migrator LOGIN PASSWORD 'migrator-pw';
       CREATE TABLE public.device (id int PRIMARY KEY, serial text NOT NULL);
       INSERT INTO public.device SELECT i, 'D' || i FROM generate_series(1, 2000) i;
       ALTER TABLE public.device OWNER TO shop_migrator;
       GRANT CREATE ON SCHEMA public TO shop_migrator;
       CREATE TABLE public.other (id int);`,
    )
    .finally(() => sql.end());
});

afterAll(async () => {
  await server?.close();
});

describe('sampleLocks', () => {
  it("sees the ACCESS EXCLUSIVE lock an ALTER TABLE held open takes, for about as long as it was held, and not the tool's own", async () => {
    const sampling = sampleLocks(tool, ['shop_migrator']);
    await sampling.started;
    const migrator = connect(app, 'whatever the system calls itself');
    const ownRead = connect(tool, 'pg-rehearse test');
    try {
      await ownRead.unsafe('begin');
      await ownRead.unsafe('lock table public.other in access exclusive mode');
      await migrator.unsafe('begin');
      await migrator.unsafe('alter table public.device add column firmware text');
      await new Promise((r) => setTimeout(r, 400));
      await migrator.unsafe('rollback');
      await ownRead.unsafe('rollback');
    } finally {
      await migrator.end();
      await ownRead.end();
    }
    const { locks, samples } = await sampling.stop();
    expect(samples).toBeGreaterThan(5);
    const held = locks.filter((l) => l.relation === 'public.device' && l.mode === 'AccessExclusiveLock' && l.granted);
    expect(held).toHaveLength(1);
    expect(held[0]!.role).toBe('shop_migrator');
    expect(held[0]!.query).toMatch(/alter table public\.device/);
    expect(held[0]!.lastSeen - held[0]!.firstSeen).toBeGreaterThanOrEqual(300);
    expect(locks.every((l) => l.role === 'shop_migrator' && l.relation !== 'public.other')).toBe(true);
  });

  it('says when the server kept only the start of a long query (track_activity_query_size)', async () => {
    const sampling = sampleLocks(tool, ['shop_migrator']);
    await sampling.started;
    const migrator = connect(app, 'migrator');
    try {
      await migrator.unsafe('begin');
      await migrator.unsafe(`lock table public.device in share mode /* ${'x'.repeat(1500)} */`);
      await new Promise((r) => setTimeout(r, 150));
      await migrator.unsafe('rollback');
      await migrator.unsafe('select 1 from public.device limit 1');
    } finally {
      await migrator.end();
    }
    const { locks } = await sampling.stop();
    const share = locks.find((l) => l.mode === 'ShareLock');
    expect(share?.query_cut).toBe(true);
    expect(Buffer.byteLength(share!.query)).toBeLessThan(1024);
    expect(locks.filter((l) => l.mode !== 'ShareLock').every((l) => !l.query_cut)).toBe(true);
  });

  it('keeps its own reads out of the statement log, which logs every other statement', async () => {
    const sampling = sampleLocks(tool, ['shop_migrator']);
    await sampling.started;
    const sql = connect(tool, 'pg-rehearse test');
    await sql.unsafe('select 4242 as marker').finally(() => sql.end());
    await new Promise((r) => setTimeout(r, 200));
    expect((await sampling.stop()).samples).toBeGreaterThan(3);
    const log = await containerLogs(server!.containerId);
    expect(log).toMatch(/statement: select 4242 as marker/);
    expect(log).not.toMatch(/from pg_locks/);
  });
});

describe('sampleLocks on a server killed under it', () => {
  it('ends with the samples read so far and why it ended, with nothing thrown outside the call', async () => {
    const dying = await throwawayServer({ prefix: 'pgr-lock-dying', database: 'shop' });
    const unhandled: unknown[] = [];
    const onUnhandled = (err: unknown) => unhandled.push(err);
    process.on('unhandledRejection', onUnhandled);
    process.on('uncaughtException', onUnhandled);
    try {
      const sampling = sampleLocks(dying.target, ['shop_migrator']);
      await sampling.started;
      await docker.getContainer(dying.containerId).kill();
      await new Promise((r) => setTimeout(r, 500));
      const end = await sampling.stop();
      expect(end.samples).toBeGreaterThan(0);
      expect(end.failure).toMatch(/server closed the connection|terminat|connection/i);
      const again = await readRelationState(dying.target).catch((e: Error) => e);
      expect(String(again)).toMatch(/psql|connection|server/i);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      process.off('uncaughtException', onUnhandled);
      await dying.close();
    }
  });
});

describe('probeReads', () => {
  it('measures how long a plain read was blocked behind an ALTER TABLE held open, and by which statement', async () => {
    const probing = probeReads(tool, ['public.device', 'public.other']);
    await probing.started;
    const migrator = connect(app, 'migrator');
    try {
      await migrator.unsafe('begin');
      await migrator.unsafe('alter table public.device add column probed text');
      await new Promise((r) => setTimeout(r, 600));
      await migrator.unsafe('rollback');
      await new Promise((r) => setTimeout(r, 150));
    } finally {
      await migrator.end();
    }
    const { reads, failure } = await probing.stop();
    expect(failure).toBeNull();
    const [device, other] = blockedReads(reads);
    expect(device).toMatchObject({
      relation: 'public.device',
      statement: 'alter table public.device add column probed text',
    });
    expect(device!.blocked_read_ms).toBeGreaterThanOrEqual(450);
    expect(device!.blocked_read_ms).toBeLessThan(1500);
    expect(other).toEqual({ relation: 'public.other', blocked_read_ms: 0, statement: null });
    const log = await containerLogs(server!.containerId);
    expect(log).not.toMatch(/pg-rehearse probe|lock_not_available|canceling statement due to lock timeout/);
  });
});

describe('the time a lock was held, inferred from the statement log and sampled', () => {
  it('agree on an ALTER TABLE held open in a transaction for 600 ms', async () => {
    const sampling = sampleLocks(tool, ['shop_migrator']);
    await sampling.started;
    const migrator = connect(app, 'migrator');
    try {
      await migrator.unsafe('begin');
      await migrator.unsafe('alter table public.device add column held_open text');
      await new Promise((r) => setTimeout(r, 600));
      await migrator.unsafe('commit');
    } finally {
      await migrator.end();
    }
    const { locks } = await sampling.stop();
    const logged = parseServerLog(await containerLogs(server!.containerId)).filter((s) => s.user === 'shop_migrator');
    const alter = logged.find((s) => s.text.includes('held_open'));
    expect(alter?.duration_ms).toBeGreaterThanOrEqual(0);
    const ev = lockEvidence(await inferredHolds(logged), locks).find((e) => e.relation === 'public.device');
    expect(ev).toMatchObject({ mode: 'ACCESS EXCLUSIVE', source: 'both' });
    expect(ev!.held_ms).toBeGreaterThanOrEqual(590);
    expect(ev!.held_ms).toBeLessThan(2000);
  });
});

describe('the session and transaction ids of the statement log (%c %x %v)', () => {
  it("give BEGIN, a write and COMMIT one vxid, the xid from the write on, and the COMMIT's duration line the ended N/0", async () => {
    const migrator = connect(app, 'migrator');
    try {
      await migrator.unsafe('begin');
      await migrator.unsafe('update public.device set serial = serial where id = 1');
      await migrator.unsafe('commit');
    } finally {
      await migrator.end();
    }
    const lines = (await containerLogs(server!.containerId)).split('\n');
    const at = lines.findLastIndex((l) => l.includes('statement: update public.device set serial = serial'));
    const prefix = /\] ([0-9a-f]+\.[0-9a-f]+) (\d+) (\d+\/\d+) app=migrator user=shop_migrator db=shop LOG: {2}(.*)$/;
    const read = (l: string) => prefix.exec(l)!.slice(1);
    const [begin, beginTook, update, updateTook, commit, commitTook] = lines.slice(at - 2, at + 4).map(read);
    const [session, , vxid] = begin!;
    expect(begin).toEqual([session, '0', vxid, 'statement: begin']);
    expect(beginTook!.slice(0, 3)).toEqual([session, '0', vxid]);
    // The xid is assigned while the write runs: its own line shows 0, its duration line the xid.
    expect(update).toEqual([session, '0', vxid, 'statement: update public.device set serial = serial where id = 1']);
    const xid = updateTook![1]!;
    expect(Number(xid)).toBeGreaterThan(0);
    expect(updateTook!.slice(0, 3)).toEqual([session, xid, vxid]);
    expect(commit).toEqual([session, xid, vxid, 'statement: commit']);
    // Logged once the transaction ended: no xid, and the vxid's local part is 0.
    expect(commitTook!.slice(0, 3)).toEqual([session, '0', vxid!.replace(/\/\d+$/, '/0')]);
    expect(commitTook![3]).toMatch(/^duration: /);
    const logged = parseServerLog(lines.join('\n')).filter((s) => s.vxid === vxid && s.session === session);
    expect(logged.map((s) => s.text)).toEqual([
      'begin',
      'update public.device set serial = serial where id = 1',
      'commit',
    ]);
  });

  it('hold a lock taken in a string that opens the block (`BEGIN; ALTER TABLE ...`) until its later COMMIT', async () => {
    const migrator = connect(app, 'migrator');
    try {
      await migrator.unsafe('BEGIN; ALTER TABLE public.device ADD COLUMN opened_in_string text; ');
      await new Promise((r) => setTimeout(r, 500));
      await migrator.unsafe('COMMIT');
    } finally {
      await migrator.end();
    }
    const logged = parseServerLog(await containerLogs(server!.containerId)).filter((s) => s.user === 'shop_migrator');
    const holds = (await inferredHolds(logged)).filter((h) => h.statement.includes('opened_in_string'));
    expect(holds.map((h) => [h.relation, h.mode, h.until])).toEqual([['public.device', 'ACCESS EXCLUSIVE', 'commit']]);
    expect(holds[0]!.to - holds[0]!.from).toBeGreaterThanOrEqual(490);
    expect(holds[0]!.to - holds[0]!.from).toBeLessThan(2000);
  });
});

describe('readRelationState and leftoversOf', () => {
  it('names a table rewritten by ALTER COLUMN ... TYPE, with its size, and not one only altered', async () => {
    const before = await readRelationState(tool);
    const sql = connect(app, 'migrator');
    await sql.unsafe('alter table public.device alter column id type bigint').finally(() => sql.end());
    const after = await readRelationState(tool);
    const left = leftoversOf(before, after);
    expect(left.rewrites.map((r) => r.relation)).toEqual(['public.device']);
    expect(left.rewrites[0]!.bytes).toBeGreaterThan(50_000);
    const sql2 = connect(app, 'migrator');
    await sql2.unsafe('alter table public.device add column site text').finally(() => sql2.end());
    expect(leftoversOf(after, await readRelationState(tool)).rewrites).toEqual([]);
  });

  it('finds the invalid index a cancelled CREATE INDEX CONCURRENTLY leaves, and a constraint left NOT VALID', async () => {
    const before = await readRelationState(tool);
    const holder = connect(tool, 'pg-rehearse test holder');
    // An open transaction that wrote to the table: CREATE INDEX CONCURRENTLY waits for it, and is cancelled by its timeout.
    const held = holdInTransaction(holder, 'update public.device set serial = serial where id = 1');
    const sql = connect(app, 'migrator');
    try {
      await new Promise((r) => setTimeout(r, 200));
      await sql.unsafe("set statement_timeout = '700ms'");
      const err = await sql
        .unsafe('create index concurrently device_serial on public.device (serial)')
        .catch((e: Error) => e);
      await sql.unsafe('reset statement_timeout');
      expect(String(err)).toMatch(/statement timeout/);
      await held.release();
      await sql.unsafe("alter table public.device add constraint serial_set check (serial <> '') not valid");
    } finally {
      await held.release();
      await holder.end();
      await sql.end();
    }
    const left = leftoversOf(before, await readRelationState(tool));
    expect(left.invalidIndexes).toEqual(['public.device_serial on public.device']);
    expect(left.notValidConstraints).toEqual(['public.device serial_set']);
    expect(left.rewrites).toEqual([]);
  });
});
