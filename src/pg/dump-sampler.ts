// The dump's footprint, seen on production while G2's pg_dump runs: a read-only psql session of
// the tool reads, every 50 ms (`\watch 0.05`: a dump of a small production ends in a few hundred ms, and one every 200 ms
// missed the demo's now and then), the dump's backend (its application name, set
// by the tool and unique to the dump, and the tool's own role: never another session's), how old
// its snapshot's xmin is, how many relations it holds ACCESS SHARE on, the sessions waiting for a
// lock on a relation it holds, and a lock it waits for itself. pg_blocking_pids, which PostgreSQL's
// documentation advises against calling often, is only called for such a waiting lock (a hit).
// Production's log is not the tool's: the session's statements stay in it, and the report lists
// them among the statements sent to production.
import { READ_ONLY_PGOPTIONS } from './dump.js';
import { watchPsql } from './psql-watch.js';
import { quoteLiteral, type PgTarget } from './target.js';

/** How the dump's backend is told from every other session: the name the tool gave pg_dump, and the tool's role. */
export interface DumpBackendIdentity {
  applicationName: string;
  user: string;
}

/** A session of production as a sample names it; role and query are null where the sampler's role may not read them. */
export interface SampledSession {
  pid: number;
  role: string | null;
  query: string | null;
  /** The server kept only the start of that query (track_activity_query_size). */
  query_cut: boolean;
}

/** A lock not granted on a relation the dump holds, and whom the server says it waits for. */
export interface SampledWaiter extends SampledSession {
  /** `schema.relation`. */
  relation: string;
  /** As pg_locks names it, e.g. `AccessExclusiveLock`. */
  mode: string;
  /** When it began to wait (pg_locks.waitstart, PostgreSQL 14+; the server's clock, epoch ms), else null. */
  waitstart: number | null;
  blocked_by: number[];
}

/** A backend carrying the dump's application name and the tool's role. */
export interface SampledDumpBackend {
  pid: number;
  /** age(backend_xmin) in transactions; null while it holds no snapshot. */
  xmin_age: number | null;
  /** Relations outside the catalog it holds ACCESS SHARE on (pg_dump's LOCK TABLE of each table it dumps). */
  share_locks: number;
  /** A lock it waits for, and the sessions holding it (pg_blocking_pids). */
  waits: { relation: string; mode: string; blockers: SampledSession[] }[];
}

export interface DumpSample {
  /** The server's clock, epoch ms. */
  t: number;
  /** This host's clock when the sample was read, epoch ms. */
  at: number;
  dumps: SampledDumpBackend[];
  waiters: SampledWaiter[];
}

export interface DumpSampling {
  /** Settles once the first sample is read, or rejects with why sampling could not start. */
  readonly started: Promise<void>;
  /** Stop sampling: how many samples were read, and why it ended early (null: it did not). */
  stop(): Promise<{ samples: number; failure: string | null }>;
}

export const DUMP_SAMPLE_INTERVAL_MS = 50;

// The server keeps track_activity_query_size bytes less one, cut at a character's boundary.
const CUT = `octet_length(a.query) >= (select setting::int from pg_settings where name = 'track_activity_query_size') - 4`;
const RELATION = `coalesce(n.nspname || '.' || c.relname, l.relation::text)`;
// Another role's query reads `<insufficient privilege>` to a role without pg_read_all_stats: not read, so null.
const SESSION = `'pid', a.pid, 'role', a.usename, 'query', nullif(a.query, '<insufficient privilege>'), 'query_cut', coalesce(${CUT}, false)`;

/** The sampler's one read, sent to production inside `BEGIN READ ONLY` ... `COMMIT`. */
export function dumpSamplerQuery(identity: DumpBackendIdentity): string {
  return `with dump as (
  select a.pid, age(a.backend_xmin) as xmin_age from pg_stat_activity a
   where a.application_name = ${quoteLiteral(identity.applicationName)} and a.usename = ${quoteLiteral(identity.user)}
     and a.backend_type = 'client backend' and a.datname = current_database() and a.pid <> pg_backend_pid()
), held as (
  select distinct l.database, l.relation from pg_locks l join dump d on d.pid = l.pid
   where l.locktype = 'relation' and l.granted
), waiting as (
  select l.pid, l.relation, l.mode, (to_jsonb(l) ->> 'waitstart')::timestamptz as waitstart from pg_locks l
   where l.locktype = 'relation' and not l.granted and l.pid not in (select pid from dump)
     and (l.database, l.relation) in (select database, relation from held)
)
select json_build_object('t', round(extract(epoch from clock_timestamp()) * 1000),
  'dumps', coalesce((select json_agg(json_build_object('pid', d.pid, 'xmin_age', d.xmin_age,
      'share_locks', (select count(*) from pg_locks l join pg_class c on c.oid = l.relation
          join pg_namespace n on n.oid = c.relnamespace
         where l.pid = d.pid and l.locktype = 'relation' and l.granted and l.mode = 'AccessShareLock'
           and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname !~ '^pg_toast'),
      'waits', coalesce((select json_agg(json_build_object('relation', ${RELATION}, 'mode', l.mode,
          'blockers', (select coalesce(json_agg(json_build_object(${SESSION})), '[]'::json)
                         from unnest(pg_blocking_pids(d.pid)) b(pid) left join pg_stat_activity a on a.pid = b.pid)))
        from pg_locks l left join pg_class c on c.oid = l.relation left join pg_namespace n on n.oid = c.relnamespace
       where l.pid = d.pid and l.locktype = 'relation' and not l.granted), '[]'::json))) from dump d), '[]'::json),
  'waiters', coalesce((select json_agg(json_build_object(${SESSION.replace("'pid', a.pid", "'pid', l.pid")},
      'relation', ${RELATION}, 'mode', l.mode, 'waitstart', round(extract(epoch from l.waitstart) * 1000),
      'blocked_by', pg_blocking_pids(l.pid)))
    from waiting l left join pg_stat_activity a on a.pid = l.pid
    left join pg_class c on c.oid = l.relation left join pg_namespace n on n.oid = c.relnamespace), '[]'::json))`;
}

/** The sampler's psql script: its read in a read-only transaction, the three sent as one, every `intervalMs` (`\watch`). */
export function dumpSamplerScript(identity: DumpBackendIdentity, intervalMs = DUMP_SAMPLE_INTERVAL_MS): string {
  return `BEGIN READ ONLY \\; ${dumpSamplerQuery(identity)} \\; COMMIT \\watch ${intervalMs / 1000}\n`;
}

/** Startup settings of the sampler's session: read-only, and never waiting long for anything itself. */
export const DUMP_SAMPLER_SETTINGS = `${READ_ONLY_PGOPTIONS} -c lock_timeout=1000 -c statement_timeout=10000`;

/** Start sampling production for the dump's backend; each sample goes to `onSample`; `stop` ends it. */
export function sampleDump(
  target: PgTarget,
  identity: DumpBackendIdentity,
  onSample: (sample: DumpSample) => void,
  opts: { intervalMs?: number; signal?: AbortSignal; now?: () => number } = {},
): DumpSampling {
  const now = opts.now ?? Date.now;
  const watch = watchPsql(target, dumpSamplerScript(identity, opts.intervalMs), {
    applicationName: 'pg-rehearse dump footprint sampler',
    settings: DUMP_SAMPLER_SETTINGS,
    unlogged: false,
    from: { stream: 'stdout' },
    onRecord: (line) => {
      onSample({ ...(JSON.parse(line) as Omit<DumpSample, 'at'>), at: now() });
      return true;
    },
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  return {
    started: watch.started,
    async stop() {
      const { records, failure } = await watch.stop();
      return { samples: records, failure };
    },
  };
}
