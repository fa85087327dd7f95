// G2's footprint on a real production: a dump that meets a table locked by another session gives up
// at its lock wait timeout, INCONCLUSIVE `environment` naming the table and its holder, with nothing
// of the tool left queued; a session made to wait behind the dump (an ALTER TABLE of a table it
// holds, and a reader queued behind that ALTER) is recorded as a waiter, for about as long as it waited;
// and all of it works for a production role that is no superuser.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DumpFootprint } from '../config/index.js';
import { connect, dumpDatabase, dumpIntoRestore, DumpLockWaitError, type PgTarget } from '../pg/index.js';
import { holdInTransaction } from '../test-support/held-transaction.js';
import { throwawayServer, type ThrowawayServer } from '../test-support/throwaway-server.js';
import { withDumpFootprint } from './dump-footprint.js';
import { failureOf } from './gate-failure.js';

let server: ThrowawayServer | null = null;
let production: PgTarget;
let work: string;

beforeAll(async () => {
  server = await throwawayServer({ prefix: 'pgr-footprint', database: 'shop' });
  production = server.target;
  const sql = connect(production, 'pg-rehearse test');
  await sql
    .unsafe(
      `CREATE TABLE public.account (id int PRIMARY KEY, name text);
       CREATE TABLE public.ledger (id int PRIMARY KEY, amount int);
       INSERT INTO public.account SELECT i, 'a' || i FROM generate_series(1, 100) i;
       INSERT INTO public.ledger SELECT i, i FROM generate_series(1, 100) i;
       CREATE ROLE shop_backup LOGIN PASSWORD 'backup-pw-7f3a9c';
       GRANT pg_read_all_data TO shop_backup;`,
    )
    .then(() => sql.unsafe('CREATE DATABASE shop_copy'))
    .finally(() => sql.end());
  work = await mkdtemp(join(tmpdir(), 'pgr-footprint-'));
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
  await server?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Sessions of the tool (its application names) still on production, and every lock not granted there. */
async function leftBehind(): Promise<{ sessions: string[]; waiting: number }> {
  const sql = connect(production, 'pg-rehearse test check');
  try {
    const sessions = await sql<{ application_name: string }[]>`
      select application_name from pg_stat_activity
       where application_name like 'pg-rehearse backup%' or application_name = 'pg-rehearse dump footprint sampler'`;
    const [w] = await sql<{ n: number }[]>`select count(*)::int as n from pg_locks where not granted`;
    return { sessions: sessions.map((s) => s.application_name), waiting: w!.n };
  } finally {
    await sql.end();
  }
}

describe('withDumpFootprint', () => {
  it('stops a dump at its lock wait timeout on a table another session holds: INCONCLUSIVE environment naming the table and its holder, nothing left queued', async () => {
    const holder = connect(production, 'migration holding the ledger');
    const held = holdInTransaction(holder, 'LOCK TABLE public.ledger IN ACCESS EXCLUSIVE MODE');
    const statements: string[] = [];
    let footprint: DumpFootprint | null = null;
    const t0 = Date.now();
    try {
      await sleep(200);
      const dumping = withDumpFootprint(
        {
          production,
          lockWaitTimeoutMs: 2500,
          secrets: [production.password],
          statements,
          record: (f) => (footprint = f),
        },
        (watch) => dumpDatabase({ target: production, file: join(work, 'timeout.sql'), format: 'plain', ...watch }),
      );
      const err = await dumping.then(
        () => null,
        (e: unknown) => e,
      );
      const ms = Date.now() - t0;
      expect(err).toBeInstanceOf(DumpLockWaitError);
      expect((err as DumpLockWaitError).tables).toEqual(['public.ledger']);
      // It waited for its timeout, not for the holder (held until released below).
      expect(ms).toBeGreaterThanOrEqual(2500);
      expect(ms).toBeLessThan(15_000);
      const { status, failure } = failureOf(err, 'G2', null);
      expect(status).toBe('INCONCLUSIVE');
      expect(failure.classification).toBe('environment');
      expect(failure.message).toContain('lock wait timeout of 2500 ms');
      expect(failure.message).toContain('ACCESS SHARE on table public.ledger');
      expect(failure.message).toMatch(
        /held by pid \d+, role \w+: `LOCK TABLE public\.ledger IN ACCESS EXCLUSIVE MODE`/,
      );
      expect(failure.message).not.toContain(production.password);

      // While the holder still holds its lock: neither the dump nor the sampler is left, nothing waits.
      expect(await leftBehind()).toEqual({ sessions: [], waiting: 0 });
      const f = footprint as DumpFootprint | null;
      expect(f).not.toBeNull();
      expect(f!.lock_wait_timeout_ms).toBe(2500);
      expect(f!.samples).toBeGreaterThanOrEqual(2);
      expect(f!.backend_pid).not.toBeNull();
      expect(f!.waiters).toEqual([]);
      expect(f!.unread).toEqual([]);
      expect(statements).toHaveLength(3);
      expect([statements[0], statements[2]]).toEqual(['BEGIN READ ONLY', 'COMMIT']);
      expect(statements[1]).toMatch(/^with dump as \(/);
      expect(statements[1]).toContain('default_transaction_read_only=on');
    } finally {
      await held.release();
      await holder.end();
    }
  });

  it('records an ALTER TABLE made to wait behind the dump, and a reader queued behind that ALTER, with how long each waited', async () => {
    const holder = connect(production, 'pauses the dump');
    const alter = connect(production, 'migration');
    const reader = connect(production, 'application');
    const held = holdInTransaction(holder, 'LOCK TABLE public.ledger IN ACCESS EXCLUSIVE MODE');
    let footprint: DumpFootprint | null = null;
    try {
      const [{ pid: alterPid }] = (await alter`select pg_backend_pid() as pid`) as unknown as [{ pid: number }];
      const [{ pid: readerPid }] = (await reader`select pg_backend_pid() as pid`) as unknown as [{ pid: number }];
      const dumping = withDumpFootprint(
        {
          production,
          lockWaitTimeoutMs: 30_000,
          secrets: [production.password],
          statements: [],
          record: (f) => (footprint = f),
        },
        (watch) =>
          dumpIntoRestore(
            { target: production, file: join(work, 'paused.sql'), ...watch },
            { target: { ...production, database: 'shop_copy' } },
          ),
      );
      // The dump holds public.account and waits for public.ledger: an ALTER of account now queues behind it.
      await until(async () => {
        const sql = connect(production, 'pg-rehearse test check');
        const rows = await sql`select 1 from pg_locks l join pg_stat_activity a using (pid)
           where a.application_name like 'pg-rehearse backup %' and l.relation = 'public.account'::regclass and l.granted`.finally(
          () => sql.end(),
        );
        return rows.length > 0;
      });
      const altering = alter.unsafe('ALTER TABLE public.account ADD COLUMN note text').execute();
      await sleep(300);
      const reading = reader.unsafe('SELECT count(*) FROM public.account').execute();
      await sleep(2500);
      const released = Date.now();
      await held.release();
      const out = await dumping;
      await Promise.all([altering, reading]);
      expect(out.restore.ok).toBe(true);
      expect(Date.now() - released).toBeLessThan(10_000);

      const f = footprint as DumpFootprint | null;
      expect(f).not.toBeNull();
      const dumpPid = f!.backend_pid!;
      expect(dumpPid).toBeGreaterThan(0);
      const altered = f!.waiters.find((w) => w.pid === alterPid);
      expect(altered).toMatchObject({
        relation: 'public.account',
        mode: 'AccessExclusiveLock',
        blocked_by: [dumpPid],
        query: 'ALTER TABLE public.account ADD COLUMN note text',
      });
      // It waited ~2.8 s; the last sample that saw it was at most one interval before it ended.
      expect(altered!.waited_ms).toBeGreaterThanOrEqual(1500);
      expect(altered!.waited_ms).toBeLessThanOrEqual(4000);
      const queued = f!.waiters.find((w) => w.pid === readerPid);
      expect(queued).toMatchObject({ relation: 'public.account', mode: 'AccessShareLock' });
      expect(queued!.blocked_by).toContain(alterPid);
      expect(queued!.waited_ms).toBeGreaterThanOrEqual(1000);
      expect(f!.relations_locked).toBeGreaterThanOrEqual(1);
      // The dump held them ~3 s: from the first sample that saw it (up to an interval after its start) to its end.
      expect(f!.locks_held_ms).toBeGreaterThanOrEqual(1500);
      expect(f!.locks_held_ms).toBeLessThanOrEqual(6000);
      expect(f!.xmin_held_ms).toBeGreaterThanOrEqual(1500);
      expect(f!.xmin_age_max).toBeGreaterThanOrEqual(0);
      expect(await leftBehind()).toEqual({ sessions: [], waiting: 0 });
    } finally {
      await held.release();
      await Promise.all([holder.end(), alter.end(), reader.end()]);
    }
  });
});

describe('withDumpFootprint as a role that is no superuser (as production usually gives)', () => {
  it("samples the dump's backend with the role's own rights; another role's query, which it may not read, is left out", async () => {
    const backup = { ...production, user: 'shop_backup', password: 'backup-pw-7f3a9c' };
    const holder = connect(production, 'migration holding the ledger');
    const held = holdInTransaction(holder, 'LOCK TABLE public.ledger IN ACCESS EXCLUSIVE MODE');
    let footprint: DumpFootprint | null = null;
    try {
      await sleep(200);
      const err = await withDumpFootprint(
        {
          production: backup,
          lockWaitTimeoutMs: 2500,
          secrets: [backup.password],
          statements: [],
          record: (f) => (footprint = f),
        },
        (watch) => dumpDatabase({ target: backup, file: join(work, 'weak.sql'), format: 'plain', ...watch }),
      ).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(DumpLockWaitError);
      const { failure } = failureOf(err, 'G2', null);
      expect(failure.classification).toBe('environment');
      expect(failure.message).toMatch(
        /ACCESS SHARE on table public\.ledger: .*\(held by pid \d+, role rehearse_tool\);/,
      );
      const f = footprint as DumpFootprint | null;
      expect(f!.backend_pid).not.toBeNull();
      expect(f!.samples).toBeGreaterThanOrEqual(2);
      expect(f!.unread).toEqual([]);
      expect(await leftBehind()).toEqual({ sessions: [], waiting: 0 });
    } finally {
      await held.release();
      await holder.end();
    }
  });
});

async function until(ok: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`not so after ${timeoutMs} ms`);
    await sleep(100);
  }
}
