// Locks seen, not only inferred: while a step runs, a session of the tool reads pg_locks joined
// with pg_stat_activity every ~25 ms for the backends of the system under test's roles (by role,
// never by application name, which the system sets itself), on tables, partitioned tables and
// materialized views (not their indexes and sequences), and keeps, per backend, relation and
// mode, when it was first and last seen and the query that backend was running. The session is a
// psql child repeating one read (`\watch`), one JSON line a sample, its statements out of the
// server's log (psql-read.ts). A lock shorter than the interval can be missed: inference covers that.
import { watchPsql } from './psql-watch.js';
import { quoteLiteral, type PgTarget } from './target.js';

export interface SampledLock {
  pid: number;
  role: string;
  /** `schema.relation`. */
  relation: string;
  /** As pg_locks names it, e.g. `AccessExclusiveLock`. */
  mode: string;
  granted: boolean;
  firstSeen: number;
  lastSeen: number;
  /** The query its backend ran when first seen holding (or waiting for) it. */
  query: string;
  /** The server kept only the start of that query (track_activity_query_size): its end may be inside a secret. */
  query_cut: boolean;
}

export interface SamplerEnd {
  locks: SampledLock[];
  samples: number;
  /** Why sampling ended before it was stopped (the server went away, a read failed); null: it did not. */
  failure: string | null;
}

export interface LockSampling {
  /** Settles once the first sample is read, or rejects with why sampling could not start. */
  readonly started: Promise<void>;
  /** Stop sampling (at any time, also while it starts): every lock seen and how many samples were read. */
  stop(): Promise<SamplerEnd>;
}

const LOCKS = `
  select l.pid, a.usename as role, n.nspname || '.' || c.relname as relation, l.mode, l.granted, a.query,
         -- The server keeps track_activity_query_size bytes less one, cut at a character's boundary.
         octet_length(a.query) >= (select setting::int from pg_settings where name = 'track_activity_query_size') - 4
           as query_cut
    from pg_locks l
    join pg_stat_activity a on a.pid = l.pid
    join pg_class c on c.oid = l.relation
    join pg_namespace n on n.oid = c.relnamespace
   where l.locktype = 'relation' and c.relkind in ('r', 'p', 'm') and a.usename in (ROLES)
     and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname !~ '^pg_toast'`;

type Row = Omit<SampledLock, 'firstSeen' | 'lastSeen'>;
type Sample = { t: number; locks: Row[] };

/** The psql script of the sampler: one read, repeated every `intervalMs` until psql is stopped. */
export function samplerScript(roles: readonly string[], intervalMs: number): string {
  // The roles as literals; the time is the server's (the same clock as this host's for a local container).
  const locks = LOCKS.replace('ROLES', roles.length ? roles.map(quoteLiteral).join(', ') : 'NULL');
  return `select json_build_object('t', round(extract(epoch from clock_timestamp()) * 1000),
    'locks', coalesce((select json_agg(s) from (${locks}) s), '[]'::json)) \\watch ${intervalMs / 1000}\n`;
}

/** Start sampling the locks of `roles`' backends on the server; `stop` ends it, as the run's abort does. */
export function sampleLocks(
  target: PgTarget,
  roles: readonly string[],
  intervalMs = 25,
  signal?: AbortSignal,
): LockSampling {
  const spans = new LockSpans();
  const watch = watchPsql(target, samplerScript(roles, intervalMs), {
    applicationName: 'pg-rehearse lock sampler',
    from: { stream: 'stdout' },
    onRecord: (line) => {
      const s = JSON.parse(line) as Sample;
      spans.sample(s.locks, s.t);
      return true;
    },
    ...(signal ? { signal } : {}),
  });
  return {
    started: watch.started,
    async stop() {
      const { records, failure } = await watch.stop();
      return { locks: spans.all(), samples: records, failure };
    },
  };
}

/** Each lock as one span per stretch of samples that saw it: one that went and came back is two. */
export class LockSpans {
  private readonly open = new Map<string, SampledLock>();
  private readonly done: SampledLock[] = [];

  sample(rows: readonly Row[], t: number): void {
    const now = new Set<string>();
    for (const r of rows) {
      const key = `${r.pid} ${r.relation} ${r.mode} ${r.granted}`;
      now.add(key);
      const had = this.open.get(key);
      if (had) had.lastSeen = t;
      else this.open.set(key, { ...r, firstSeen: t, lastSeen: t });
    }
    for (const [key, lock] of this.open)
      if (!now.has(key)) {
        this.done.push(lock);
        this.open.delete(key);
      }
  }

  all(): SampledLock[] {
    return [...this.done, ...this.open.values()].sort((a, b) => a.firstSeen - b.firstSeen);
  }
}
