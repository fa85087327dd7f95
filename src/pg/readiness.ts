// Readiness of a dry-run server. The image's temporary bootstrap server listens on the unix
// socket only, and docker-proxy accepts TCP connections before anything listens (they are then
// reset), so an open port, pg_isready through `docker exec` or the first "ready to accept
// connections" line all pass too early. Ready means: a real query over TCP answered `consecutive`
// times in a row, `intervalMs` apart, with the same postmaster start time.
import postgres from 'postgres';
import { InterruptedError, ReadinessTimeoutError, messageOf } from '../errors.js';

export const READINESS_SIGNAL = 'tcp-query-stable-postmaster-start';

export interface ReadinessSettings {
  consecutive: number;
  intervalMs: number;
  timeoutMs: number;
}

export const DEFAULT_READINESS: ReadinessSettings = { consecutive: 3, intervalMs: 200, timeoutMs: 90_000 };

export type ReadinessSample =
  { ok: true; postmasterStart: string; serverVersion: string } | { ok: false; error: string };

/** How many of the latest samples are answered queries with the same postmaster start time. */
export function stableStreak(samples: readonly ReadinessSample[]): number {
  const last = samples.at(-1);
  if (!last?.ok) return 0;
  let n = 0;
  for (let i = samples.length - 1; i >= 0; i--) {
    const s = samples[i]!;
    if (!s.ok || s.postmasterStart !== last.postmasterStart) break;
    n++;
  }
  return n;
}

export interface ReadinessRetry {
  attempt: number;
  at: string;
  reason: string;
}

export interface ReadinessResult {
  signal: typeof READINESS_SIGNAL;
  attempts: number;
  ms: number;
  postmasterStart: string;
  serverVersion: string;
  /** Every attempt that did not count toward the streak: retries of environment readiness, recorded. */
  retries: ReadinessRetry[];
}

export interface ServerAddress {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

/** One readiness probe: a fresh TCP connection and a real query. */
export async function probe(address: ServerAddress): Promise<ReadinessSample> {
  const sql = postgres({
    host: address.host,
    port: address.port,
    user: address.user,
    pass: address.password,
    database: address.database,
    max: 1,
    connect_timeout: 2,
    idle_timeout: 1,
    onnotice: () => {},
    connection: { application_name: 'pg-rehearse readiness' },
  });
  try {
    const [row] = await sql<{ started: string; version: string }[]>`
      select pg_postmaster_start_time()::text as started, current_setting('server_version') as version`;
    return { ok: true, postmasterStart: row!.started, serverVersion: row!.version };
  } catch (err) {
    return { ok: false, error: messageOf(err) || String((err as { code?: string }).code ?? 'error') };
  } finally {
    await sql.end({ timeout: 1 }).catch(() => {});
  }
}

export interface ReadinessDeps {
  probe: () => Promise<ReadinessSample>;
  /** Throws when the environment can no longer become ready (its container exited). */
  alive?: () => Promise<void>;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  signal?: AbortSignal;
  /** Told of each retry as it happens (the result lists them all). */
  onRetry?: (retry: ReadinessRetry) => void;
}

const abortableSleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

/** Probe until the streak is reached or the timeout passes; retries are recorded, never hidden. */
export async function waitForReadiness(settings: ReadinessSettings, deps: ReadinessDeps): Promise<ReadinessResult> {
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? abortableSleep;
  const t0 = now();
  const samples: ReadinessSample[] = [];
  const retries: ReadinessRetry[] = [];
  const retry = (r: ReadinessRetry) => (retries.push(r), deps.onRetry?.(r));
  for (let attempt = 1; ; attempt++) {
    if (deps.signal?.aborted) throw new InterruptedError(String(deps.signal.reason ?? 'signal'));
    const sample = await deps.probe();
    samples.push(sample);
    if (!sample.ok) retry({ attempt, at: new Date(now()).toISOString(), reason: sample.error });
    else if (samples.length > 1 && stableStreak(samples) === 1 && samples.at(-2)?.ok) {
      retry({
        attempt,
        at: new Date(now()).toISOString(),
        reason: 'postmaster start time changed: the server restarted',
      });
    }
    const last = samples.at(-1)!;
    if (last.ok && stableStreak(samples) >= settings.consecutive) {
      return {
        signal: READINESS_SIGNAL,
        attempts: attempt,
        ms: now() - t0,
        postmasterStart: last.postmasterStart,
        serverVersion: last.serverVersion,
        retries,
      };
    }
    if (now() - t0 >= settings.timeoutMs) {
      const lastError = [...samples].reverse().find((s): s is Extract<ReadinessSample, { ok: false }> => !s.ok);
      throw new ReadinessTimeoutError(
        `the dry-run server was not ready after ${settings.timeoutMs} ms (${attempt} attempts; last error: ${lastError?.error ?? 'none'})`,
        {
          hint: 'check the engine and the container log; raise the readiness timeout for a very large restore (`environment.readiness.timeout_ms` in the config for `run`, `--ready-timeout-ms` for `provision`)',
        },
      );
    }
    if (deps.alive && attempt % 5 === 0) await deps.alive();
    await sleep(settings.intervalMs, deps.signal);
  }
}
