// The environment watchdog: from the moment the dry-run server is started (G3) until teardown
// begins (G7), the run looks at the containers it stands on every second, through the engine.
// A paused server (`docker pause`), a gone or stopped one, or one that is not the same container
// any more (id, StartedAt) would leave a client waiting forever: the watchdog aborts the work in
// progress with an EnvironmentError saying what it saw and when. That is not a signal of the
// user's: the gate in progress is INCONCLUSIVE (environment) with the watchdog's message, never
// "interrupted by SIGINT", never the system under test's. Teardown then removes everything.
import { unpauseIfPaused, type DockerClient } from '../engine/index.js';
import { EnvironmentError } from '../errors.js';
import {
  environmentFaults,
  readWatched,
  type EnvironmentBaseline,
  type EnvironmentObservation,
} from './environment-health.js';
import { StoppedByGate } from './gate-failure.js';

/** One look at the watched containers through the engine (the server is not asked). */
export type ContainerReading = Pick<EnvironmentObservation, 'at' | 'server' | 'holders' | 'engineError'>;

/** How long a gate's work gets to end by itself once a fault is seen. */
export const WATCHDOG_GRACE_MS = 2_000;

/** How many readings in a row the engine may fail to answer before that is a fault of its own. */
export const ENGINE_SILENT_READINGS = 10;

/**
 * What is wrong, given the baseline and a reading; null when the containers are as they were.
 * An engine that did not answer is a fault only once it stayed silent for `silentReadings` in a row
 * (a slow answer now and then is not a dead environment).
 */
export function watchdogFault(
  baseline: EnvironmentBaseline,
  reading: ContainerReading,
  silentReadings = 0,
): string | null {
  if (reading.engineError !== null) {
    return silentReadings >= ENGINE_SILENT_READINGS
      ? `the Docker engine did not answer ${silentReadings} times in a row (last at ${reading.at}): ${reading.engineError}`
      : null;
  }
  const faults = environmentFaults(baseline, { ...reading, answer: null });
  return faults.length > 0 ? faults.join('; ') : null;
}

/** Read the watched containers now. */
export async function readContainers(
  docker: DockerClient,
  baseline: EnvironmentBaseline,
  now: () => Date,
): Promise<ContainerReading> {
  const at = now().toISOString();
  return { at, ...(await readWatched(docker, baseline)) };
}

export interface WatchdogOptions {
  intervalMs?: number | undefined;
  now?: () => Date;
}

/**
 * A gate's work, watched: when `signal` aborts while it runs, the work is given `graceMs` to end by
 * itself (what takes the run's signal ends promptly), then the abort's reason is thrown in its
 * place, whatever the work gave; work that does not end is left behind (teardown removes the
 * container it waits on). A gate stopped by its inner gate (StoppedByGate) stays so: the inner gate
 * carries the fault. Work started after the abort (a closing gate) runs unwatched.
 */
export async function guardWork<T>(
  work: () => Promise<T>,
  signal: AbortSignal,
  graceMs: number,
  onAbandon: (settled: Promise<unknown>) => void = () => {},
): Promise<T> {
  if (signal.aborted) return work();
  const running = work();
  const settled = running.then(
    () => true,
    () => true,
  );
  let onAbort = () => {};
  const faulted = new Promise<false>((resolve) => {
    onAbort = () => resolve(false);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  const ended = await Promise.race([settled, faulted]);
  signal.removeEventListener('abort', onAbort);
  if (ended && !signal.aborted) return running;
  let timer: NodeJS.Timeout | undefined;
  const endedInGrace = await Promise.race([
    settled,
    new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), graceMs))),
  ]);
  clearTimeout(timer);
  if (endedInGrace) {
    const err = await running.then(
      () => null,
      (e: unknown) => e,
    );
    if (err instanceof StoppedByGate) throw err;
  } else {
    onAbandon(settled);
  }
  throw signal.reason;
}

/** The polling handle: start once the server runs, dispose (idempotent) before teardown. */
export class EnvironmentWatchdog implements Disposable {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | null = null;
  private baseline: (() => EnvironmentBaseline | null) | null = null;
  private disposed = false;
  private ownPauses = 0;
  private silent = 0;
  private readonly abandoned: Promise<unknown>[] = [];
  private readonly intervalMs: number;
  private readonly now: () => Date;

  constructor(
    private readonly docker: DockerClient,
    opts: WatchdogOptions = {},
  ) {
    this.intervalMs = opts.intervalMs ?? 1_000;
    this.now = opts.now ?? (() => new Date());
  }

  /** Aborted, with the EnvironmentError that says what was seen, once a fault is seen. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Start watching (a second call changes nothing); the baseline is read at each look, so the runner's holder joins it once it runs. */
  start(baseline: () => EnvironmentBaseline | null): void {
    if (this.baseline || this.disposed) return;
    this.baseline = baseline;
    this.schedule();
  }

  /** The run pauses the server itself meanwhile (a cache snapshot's commit): no look is taken until it is done. */
  async ownPause<T>(work: () => Promise<T>): Promise<T> {
    this.ownPauses++;
    try {
      return await work();
    } finally {
      this.ownPauses--;
    }
  }

  /** A gate's work, watched by this watchdog (see guardWork); a gate that starts after the fault or after dispose runs unwatched. */
  guard<T>(work: () => Promise<T>, graceMs: number): Promise<T> {
    return this.disposed
      ? work()
      : guardWork(work, this.controller.signal, graceMs, (settled) => this.abandoned.push(settled));
  }

  /**
   * Stop looking, then, when work was left waiting on a paused container, unpause it (it is the
   * run's, removed next by teardown) and give that work up to `settleMs` to end: its connections
   * then end the ordinary way instead of being reset under a client in the middle of a handshake.
   */
  async stop(settleMs = 5_000): Promise<void> {
    this.dispose();
    const baseline = this.baseline?.() ?? null;
    if (this.abandoned.length === 0 || !baseline) return;
    for (const c of [baseline.server, ...baseline.holders]) await unpauseIfPaused(this.docker, c.id).catch(() => false);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(this.abandoned),
      new Promise((resolve) => (timer = setTimeout(resolve, settleMs))),
    ]);
    clearTimeout(timer);
  }

  /** Stop looking; idempotent. */
  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  [Symbol.dispose](): void {
    this.dispose();
  }

  private schedule(): void {
    if (this.disposed || this.controller.signal.aborted) return;
    this.timer = setTimeout(() => void this.look(), this.intervalMs);
    // The watchdog never keeps the process alive by itself.
    this.timer.unref();
  }

  private async look(): Promise<void> {
    const baseline = this.baseline?.() ?? null;
    if (!baseline || this.ownPauses > 0) return this.schedule();
    const reading = await readContainers(this.docker, baseline, this.now);
    if (this.disposed || this.ownPauses > 0) return this.schedule();
    this.silent = reading.engineError === null ? 0 : this.silent + 1;
    const fault = watchdogFault(baseline, reading, this.silent);
    if (fault) {
      this.controller.abort(
        new EnvironmentError('E_ENVIRONMENT_LOST', `${fault}: the environment watchdog stopped the work in progress`, {
          hint: 'find what paused or stopped the container (`docker events`), then run again',
        }),
      );
      return;
    }
    this.schedule();
  }
}
