// Locks seen, not only inferred: while a step runs, a session of the tool reads pg_locks joined
// with pg_stat_activity every ~25 ms for the backends of the system under test's roles (by role,
// never by application name, which the system sets itself), on tables, partitioned tables and
// materialized views (not their indexes and sequences), and keeps, per backend, relation and
// mode, when it was first and last seen and the query that backend was running. The session turns
// its own statement logging off, so its thousands of reads stay out of the statement log the
// trace reads. A lock shorter than the interval can be missed: inference covers that.
import { messageOf } from '../errors.js';
import { connect, quoteLiteral, type PgTarget } from './target.js';

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
}

export interface LockSampling {
  /** Stop sampling: every lock seen, how many samples were read, and the first read that failed (null: none). */
  stop(): Promise<{ locks: SampledLock[]; samples: number; failure: string | null }>;
}

const SAMPLE = `
  select l.pid, a.usename as role, n.nspname || '.' || c.relname as relation, l.mode, l.granted, a.query
    from pg_locks l
    join pg_stat_activity a on a.pid = l.pid
    join pg_class c on c.oid = l.relation
    join pg_namespace n on n.oid = c.relnamespace
   where l.locktype = 'relation' and c.relkind in ('r', 'p', 'm') and a.usename in (ROLES)
     and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname !~ '^pg_toast'`;

type Row = { pid: number; role: string; relation: string; mode: string; granted: boolean; query: string };

/** Start sampling the locks of `roles`' backends on the server; `stop` ends it and closes the session. */
export async function sampleLocks(target: PgTarget, roles: readonly string[], intervalMs = 25): Promise<LockSampling> {
  // The sampler's own reads are the tool's: out of the statement log (the tool's role is a superuser),
  // set at connection start so that a session the client opens again after a drop has them too.
  const sql = connect(target, 'pg-rehearse lock sampler', {
    sessionOptions: '-c log_statement=none -c log_min_duration_statement=-1 -c log_min_error_statement=panic',
    fetchTypes: false,
  });
  try {
    await sql.unsafe('select 1');
  } catch (err) {
    await sql.end({ timeout: 1 }).catch(() => {});
    throw err;
  }
  // The roles as literals: one text, read the same way every time (no parameter types to look up).
  const query = SAMPLE.replace('ROLES', roles.length ? roles.map(quoteLiteral).join(', ') : 'NULL');
  const spans = new LockSpans();
  let samples = 0;
  let failure: string | null = null;
  let running = true;
  const loop = (async () => {
    while (running) {
      const t = Date.now();
      try {
        spans.sample((await sql.unsafe(query)) as unknown as Row[], t);
        samples++;
      } catch (err) {
        // A read that failed saw nothing: it is not a sample. Sampling ends there and says why (a new
        // session would lack the settings that keep its reads out of the statement log).
        failure = messageOf(err);
        running = false;
      }
      await new Promise((r) => setTimeout(r, Math.max(0, intervalMs - (Date.now() - t))));
    }
  })();
  return {
    async stop() {
      running = false;
      // A read that hangs (a paused server) does not hold the step up: the session is closed under it.
      await Promise.race([loop, new Promise((r) => setTimeout(r, 2000).unref())]);
      await sql.end({ timeout: 1 }).catch(() => {});
      return { locks: spans.all(), samples, failure };
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
