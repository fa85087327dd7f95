// G2's footprint on production: pg_dump runs with a lock wait timeout and a name of its own, while
// a read-only session of the tool samples who waits on it (pg/dump-sampler.ts); the samples become
// report.json's `production.dump_footprint`, its statement joins the statements sent to
// production, and a dump that gave up at its lock wait timeout becomes an INCONCLUSIVE
// `environment` failure naming the table and, when the sampler saw it, the session holding it.
import { randomBytes } from 'node:crypto';
import type { DumpFootprint } from '../config/index.js';
import { messageOf } from '../errors.js';
import { redactStatement, sampledQuery } from '../evidence/index.js';
import {
  DUMP_SAMPLE_INTERVAL_MS,
  DUMP_SAMPLER_SETTINGS,
  DumpError,
  DumpFootprintTracker,
  DumpLockWaitError,
  dumpSamplerQuery,
  lockWaitTimeoutTables,
  sampleDump,
  type DumpFootprintFacts,
  type PgTarget,
} from '../pg/index.js';

export interface DumpWatchInput {
  production: PgTarget;
  lockWaitTimeoutMs: number;
  /** For the waiters' queries and the holder's. */
  secrets: readonly string[];
  /** The statements sent to production: the sampler's is added. */
  statements: string[];
  /** Called with the footprint once the dump has ended, whether it succeeded or not. */
  record: (footprint: DumpFootprint) => void;
  signal?: AbortSignal;
  intervalMs?: number;
}

/** What the dump must be run with: its name on production, its lock wait timeout, and the call at its process's end. */
export interface DumpWatch {
  applicationName: string;
  lockWaitTimeoutMs: number;
  onExit: () => void;
}

/** Run `dump` while its footprint on production is sampled; see the file's header. */
export async function withDumpFootprint<T>(input: DumpWatchInput, dump: (watch: DumpWatch) => Promise<T>): Promise<T> {
  const intervalMs = input.intervalMs ?? DUMP_SAMPLE_INTERVAL_MS;
  // Unique to this dump: a session of another run, or of anyone, is never taken for it.
  const identity = {
    applicationName: `pg-rehearse backup ${randomBytes(6).toString('hex')}`,
    user: input.production.user,
  };
  const tracker = new DumpFootprintTracker();
  const unread: string[] = [];
  input.statements.push(
    'BEGIN READ ONLY',
    `${dumpSamplerQuery(identity)} (with the BEGIN before it and the COMMIT after it, every ${intervalMs / 1000} s while pg_dump ran, from a psql session opened with PGOPTIONS=${DUMP_SAMPLER_SETTINGS})`,
    'COMMIT',
  );
  const sampling = sampleDump(input.production, identity, (s) => tracker.sample(s), {
    intervalMs,
    ...(input.signal ? { signal: input.signal } : {}),
  });
  await sampling.started.catch((err: unknown) => unread.push(`the sampler did not start: ${messageOf(err)}`));
  let endedAt: number | null = null;
  const onExit = () => {
    endedAt ??= Date.now();
    void sampling.stop();
  };
  let facts: DumpFootprintFacts | null = null;
  try {
    return await dump({
      applicationName: identity.applicationName,
      lockWaitTimeoutMs: input.lockWaitTimeoutMs,
      onExit,
    });
  } catch (err) {
    facts = await finish();
    throw lockWaitFailure(err, input.lockWaitTimeoutMs, facts, input.secrets) ?? err;
  } finally {
    facts ??= await finish();
  }

  async function finish(): Promise<DumpFootprintFacts> {
    endedAt ??= Date.now();
    const end = await sampling.stop();
    if (end.failure && unread.length === 0) unread.push(`sampling ended before the dump did: ${end.failure}`);
    const f = tracker.end(endedAt);
    if (f.other_backends.length > 0)
      unread.push(
        `other sessions carried the dump's application name and were left out: pid ${f.other_backends.join(', ')}`,
      );
    input.record(footprintOf(f, input.lockWaitTimeoutMs, intervalMs, unread, input.secrets));
    return f;
  }
}

/** The report's section from the facts: every query redacted and cut to 300 characters. */
function footprintOf(
  f: DumpFootprintFacts,
  lockWaitTimeoutMs: number,
  intervalMs: number,
  unread: readonly string[],
  secrets: readonly string[],
): DumpFootprint {
  return {
    lock_wait_timeout_ms: lockWaitTimeoutMs,
    sample_interval_ms: intervalMs,
    samples: f.samples,
    backend_pid: f.pid,
    locks_held_ms: roundOrNull(f.locks_held_ms),
    relations_locked: f.relations_locked,
    xmin_held_ms: roundOrNull(f.xmin_held_ms),
    xmin_age_max: f.xmin_age_max,
    waiters: f.waiters.map((w) => ({
      pid: w.pid,
      role: w.role,
      relation: w.relation,
      mode: w.mode,
      waited_ms: Math.round(w.waited_ms),
      blocked_by: w.blocked_by,
      query:
        w.query === null ? null : redactStatement(sampledQuery({ query: w.query, query_cut: w.query_cut }), secrets),
    })),
    unread: [...unread],
  };
}

const roundOrNull = (n: number | null) => (n === null ? null : Math.round(n));

/** A DumpError that is pg_dump's lock wait timeout, told as such (the table, who held it); null for any other error. */
export function lockWaitFailure(
  err: unknown,
  lockWaitTimeoutMs: number,
  facts: Pick<DumpFootprintFacts, 'own_waits'>,
  secrets: readonly string[],
): DumpLockWaitError | null {
  if (!(err instanceof DumpError)) return null;
  const named = lockWaitTimeoutTables(err.stderrTail);
  if (named === null) return null;
  // pg_dump names what its cancelled LOCK TABLE named (maybe several); the sampler saw which one it waited for.
  const last = facts.own_waits.at(-1);
  // A wait the sampler saw on a table the LOCK TABLE did not name is another one: its holder is not this one's.
  const seen = last && named.map(unquoted).includes(last.relation) ? last : null;
  const tables = seen ? [seen.relation] : named;
  const heldBy = seen?.blockers.length
    ? seen.blockers
        .slice(0, 3)
        .map((b) => {
          const q =
            b.query === null
              ? ''
              : `: \`${redactStatement(sampledQuery({ query: b.query, query_cut: b.query_cut }), secrets, 200)}\``;
          return `held by pid ${b.pid}${b.role ? `, role ${b.role}` : ''}${q}`;
        })
        .join('; ')
    : null;
  return new DumpLockWaitError(err, tables, lockWaitTimeoutMs, heldBy);
}

/** `public."Odd"` as pg_stat_activity's names read: `public.Odd`. */
const unquoted = (name: string) => name.replace(/"((?:[^"]|"")*)"/g, (_m, inner: string) => inner.replace(/""/g, '"'));
