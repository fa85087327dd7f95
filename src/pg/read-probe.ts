// What a concurrent reader would have waited: while a step runs, a probe session of the tool
// reads one row of each watched table every ~50 ms, each read in a transaction of its own (locks
// let go at once) with a short lock_timeout, so the probe never queues long behind the system's
// locks (its own waiting request would make the system's next ACCESS EXCLUSIVE wait behind it).
// A read that timed out was blocked; the tool then asks, once, which statement holds or awaits
// ACCESS EXCLUSIVE on that table. Each round is one DO block repeated with `\watch`, which tells
// its reads as one NOTICE line (psql-watch.ts); its statements stay out of the server's log.
import { watchPsql } from './psql-watch.js';
import { quoteIdent, quoteLiteral, type PgTarget } from './target.js';

export interface ProbeRead {
  /** `schema.table`. */
  relation: string;
  /** When the read started (the server's clock, ms since the epoch). */
  at: number;
  /** How long it took: to its row, or to its lock_timeout when blocked. */
  ms: number;
  blocked: boolean;
  /** What held or awaited ACCESS EXCLUSIVE on the table when a blocked read gave up; null when none was seen. */
  by: string | null;
  /** The server kept only the start of that statement (track_activity_query_size). */
  by_cut: boolean;
}

export interface ReadProbing {
  readonly started: Promise<void>;
  /** Stop probing: every read, and why probing ended first when it did. */
  stop(): Promise<{ reads: ProbeRead[]; failure: string | null }>;
}

export const PROBE_INTERVAL_MS = 50;
export const PROBE_LOCK_TIMEOUT_MS = 100;
const PREFIX = 'NOTICE:  pg-rehearse probe ';

/** One round: each table read in its own transaction, what a blocked read waited behind, one NOTICE. */
export function probeScript(tables: readonly string[], intervalMs: number): string {
  const names = tables.map((t) => {
    const [schema, name] = t.split('.');
    return quoteLiteral(`${quoteIdent(schema!)}.${quoteIdent(name!)}`);
  });
  const relations = tables.map(quoteLiteral);
  return `\\set VERBOSITY terse
\\set SHOW_CONTEXT never
do $probe$
declare
  names text[] := array[${names.join(', ')}]::text[];
  relations text[] := array[${relations.join(', ')}]::text[];
  reads jsonb := '[]';
  t0 timestamptz;
  blocked boolean;
  by_text text;
  by_cut boolean;
begin
  for i in 1 .. coalesce(array_length(names, 1), 0) loop
    t0 := clock_timestamp();
    blocked := false;
    by_text := null;
    by_cut := false;
    begin
      execute 'select 1 from ' || names[i] || ' limit 1';
    exception when lock_not_available then
      blocked := true;
      select a.query,
             octet_length(a.query) >= (select setting::int from pg_settings where name = 'track_activity_query_size') - 4
        into by_text, by_cut
        from pg_locks l join pg_stat_activity a on a.pid = l.pid
       where l.locktype = 'relation' and l.relation = names[i]::regclass and l.mode = 'AccessExclusiveLock'
         and l.pid <> pg_backend_pid()
       order by l.granted desc limit 1;
    end;
    reads := reads || jsonb_build_object('relation', relations[i], 'at', round(extract(epoch from t0) * 1000),
      'ms', round(extract(epoch from clock_timestamp() - t0) * 1000), 'blocked', blocked,
      'by', by_text, 'by_cut', coalesce(by_cut, false));
    commit;
  end loop;
  raise notice 'pg-rehearse probe %', reads::text;
end
$probe$ \\watch ${intervalMs / 1000}
`;
}

/** Start probing reads of `tables` on the server; `stop` ends it, as the run's abort does. */
export function probeReads(
  target: PgTarget,
  tables: readonly string[],
  intervalMs = PROBE_INTERVAL_MS,
  signal?: AbortSignal,
): ReadProbing {
  const reads: ProbeRead[] = [];
  const watch = watchPsql(target, probeScript(tables, intervalMs), {
    applicationName: 'pg-rehearse read probe',
    settings: `-c lock_timeout=${PROBE_LOCK_TIMEOUT_MS}ms`,
    from: { stream: 'stderr', prefix: PREFIX },
    onRecord: (text) => {
      reads.push(...(JSON.parse(text) as ProbeRead[]));
      return true;
    },
    ...(signal ? { signal } : {}),
  });
  return {
    started: watch.started,
    async stop() {
      const { failure } = await watch.stop();
      return { reads, failure };
    },
  };
}
