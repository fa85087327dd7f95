// The per-table write counters of the cumulative statistics system (pg_stat_user_tables'
// n_tup_ins, n_tup_upd, n_tup_del): they count every row a statement inserted, updated or deleted,
// wherever it ran (a function, a DO block's EXECUTE, a trigger, a cascade), and in transactions
// that rolled back too. Read at each checkpoint and compared with the logged statements
// (evidence/write-explain.ts), they show writes that no logged statement explains.
//
// PostgreSQL 15 keeps a backend's counts in the backend until it flushes them: when it exits
// (forced), and otherwise when it goes idle, at most once per PGSTAT_MIN_INTERVAL (1 s); an idle
// backend that flushed less than a second ago waits PGSTAT_IDLE_INTERVAL (10 s) before the next
// flush (measured here: a DELETE of a still-connected idle session appeared after 10.05 s, and
// at once when the session closed). So the counters are only complete once every backend that
// wrote has exited: a backend leaves pg_stat_activity after its exit flush (pgstat's shutdown
// hook runs before the backend-status one), so "no backend left" plus two equal reads is the signal.
import type { Sql } from 'postgres';
import { parseTableName, withConnection } from './identity.js';
import type { PgTarget } from './target.js';

/** Rows a table's counters say were inserted, updated (HOT updates included) and deleted. */
export interface WriteCounts {
  inserted: number;
  updated: number;
  deleted: number;
}

/** A client backend still connected while the counters were read: its pending counts may be missing. */
export interface LingeringBackend {
  pid: number;
  user: string;
  app: string;
  state: string;
}

export interface WriteCounterReading {
  /** By `schema.table`, as asked (or every user table of the database for 'all'). */
  counters: Record<string, WriteCounts>;
  /** Tables asked for that pg_stat_user_tables does not have (dropped, renamed, never existed). */
  missing: string[];
  /** No backend was left and the last two reads agreed: the counters are complete. */
  settled: boolean;
  /** Reads made (each after pg_stat_clear_snapshot()). */
  reads: number;
  ms: number;
  /** Backends still connected at the last read; empty when settled. */
  lingering: LingeringBackend[];
  /**
   * Each partition or inheritance child of a user table -> its parent (the first one, for multiple
   * inheritance) and whether it is a declarative partition: a write through a parent is counted on
   * the children it reached, so the counters are summed into the parent to explain it.
   */
  parents: Record<string, { parent: string; partition: boolean }>;
}

export interface ReadWriteCountersOptions {
  /** How long to wait for the counters to settle before giving the last read unsettled (3000). */
  settleMs?: number;
  /** Between reads (250). */
  intervalMs?: number;
  /**
   * Wait only for backends of these roles (the system under test's). Default: every other client
   * backend of the database, the tool's own included.
   */
  roles?: readonly string[];
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export const DEFAULT_SETTLE_MS = 3_000;
export const DEFAULT_COUNTER_INTERVAL_MS = 250;

const key = (schema: string, table: string) => `${schema}.${table}`;

interface Read {
  counters: Map<string, WriteCounts>;
  lingering: LingeringBackend[];
  parents: Record<string, { parent: string; partition: boolean }>;
}

async function readOnce(sql: Sql, roles: string[] | null): Promise<Read> {
  // Each statement is its own transaction, so no snapshot outlives it; clearing it first still
  // makes sure the reads below see what was flushed up to now (stats_fetch_consistency = cache).
  await sql`select pg_stat_clear_snapshot()`;
  // Backends first: when none is left, every count they made was flushed before the read below.
  const lingering = await sql<{ pid: number; user: string | null; app: string | null; state: string | null }[]>`
    select pid, usename::text as user, application_name as app, state
      from pg_stat_activity
     where pid <> pg_backend_pid()
       and datname = current_database()
       and backend_type in ('client backend', 'parallel worker')
       ${roles === null ? sql`` : sql`and usename = any(${sql.array(roles)}::text[])`}
     order by pid`;
  const rows = await sql<{ schema: string; table: string; ins: string; upd: string; del: string }[]>`
    select schemaname::text as schema, relname::text as table,
           n_tup_ins::text as ins, n_tup_upd::text as upd, n_tup_del::text as del
      from pg_stat_user_tables
     where schemaname not like 'pg\\_temp\\_%'`;
  const links = await sql<{ cs: string; ct: string; ps: string; pt: string; partition: boolean }[]>`
    select cn.nspname::text as cs, c.relname::text as ct, pn.nspname::text as ps, p.relname::text as pt, c.relispartition as partition
      from pg_inherits i
      join pg_class c on c.oid = i.inhrelid join pg_namespace cn on cn.oid = c.relnamespace
      join pg_class p on p.oid = i.inhparent join pg_namespace pn on pn.oid = p.relnamespace
     where i.inhseqno = 1 and c.relkind in ('r', 'p', 'f') and p.relkind in ('r', 'p', 'f')
       and cn.nspname not in ('pg_catalog', 'information_schema') and cn.nspname not like 'pg\\_temp\\_%'`;
  const counters = new Map<string, WriteCounts>();
  for (const r of rows)
    counters.set(key(r.schema, r.table), { inserted: Number(r.ins), updated: Number(r.upd), deleted: Number(r.del) });
  const parents: Read['parents'] = {};
  for (const l of links) parents[key(l.cs, l.ct)] = { parent: key(l.ps, l.pt), partition: l.partition };
  return {
    counters,
    lingering: lingering.map((b) => ({ pid: b.pid, user: b.user ?? '', app: b.app ?? '', state: b.state ?? '' })),
    parents,
  };
}

function sameCounts(a: Map<string, WriteCounts>, b: Map<string, WriteCounts>, names: readonly string[]): boolean {
  return names.every((n) => {
    const x = a.get(n);
    const y = b.get(n);
    if (!x || !y) return x === y;
    return x.inserted === y.inserted && x.updated === y.updated && x.deleted === y.deleted;
  });
}

/**
 * The write counters of each `schema.table` (or of every user table for 'all'), read in one
 * session, every `intervalMs` until no backend (of `roles`) is left and two reads in a row agree,
 * or `settleMs` passed; the result says which.
 */
export async function readWriteCounters(
  target: PgTarget,
  tables: readonly string[] | 'all',
  opts: ReadWriteCountersOptions = {},
): Promise<WriteCounterReading> {
  const settleMs = opts.settleMs ?? DEFAULT_SETTLE_MS;
  const intervalMs = opts.intervalMs ?? DEFAULT_COUNTER_INTERVAL_MS;
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  // Validate the names before connecting: a bad one is a usage error naming it.
  if (tables !== 'all') for (const t of tables) parseTableName(t);
  const roles = opts.roles ? [...opts.roles] : null;
  return withConnection(target, 'write counters', async (sql) => {
    const started = now();
    let previous: Read | null = null;
    let reads = 0;
    for (;;) {
      const read = await readOnce(sql, roles);
      reads += 1;
      const names = tables === 'all' ? [...read.counters.keys()].sort() : [...tables];
      const settled =
        previous !== null &&
        previous.lingering.length === 0 &&
        read.lingering.length === 0 &&
        // For 'all', a table that appeared or went between reads is a change too.
        (tables !== 'all' ||
          (previous.counters.size === read.counters.size && names.every((n) => previous!.counters.has(n)))) &&
        sameCounts(previous.counters, read.counters, names);
      if (settled || now() - started >= settleMs) {
        const counters: Record<string, WriteCounts> = {};
        const missing: string[] = [];
        for (const n of names) {
          const c = read.counters.get(n);
          if (c) counters[n] = c;
          else missing.push(n);
        }
        return {
          counters,
          missing,
          settled,
          reads,
          ms: now() - started,
          lingering: read.lingering,
          parents: read.parents,
        };
      }
      previous = read;
      await sleep(intervalMs);
    }
  });
}

/**
 * Per table of `after`, what was written since `before` (`after` minus `before`). A table `before`
 * does not have was created in between: its counters started at zero, so all of them count.
 */
export function counterDeltas(
  before: Record<string, WriteCounts>,
  after: Record<string, WriteCounts>,
): Record<string, WriteCounts> {
  const deltas: Record<string, WriteCounts> = {};
  for (const [table, a] of Object.entries(after)) {
    const b = before[table] ?? { inserted: 0, updated: 0, deleted: 0 };
    deltas[table] = {
      inserted: a.inserted - b.inserted,
      updated: a.updated - b.updated,
      deleted: a.deleted - b.deleted,
    };
  }
  return deltas;
}
