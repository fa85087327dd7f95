// SIGINT, SIGTERM and SIGHUP end a run the orderly way: the first one aborts what is in progress,
// and the run's own finally-path tears down. An engine call already in flight completes first, so
// nothing it creates is missed. A hangup (a closed terminal, a CI runner's session ending) is
// treated as SIGTERM. Every signal is recorded with its time; only the first one counts, later ones
// (while tearing down) are kept for the report and change nothing.
import { InterruptedError } from '../errors.js';

export type StopSignal = 'SIGINT' | 'SIGTERM' | 'SIGHUP';
export const STOP_SIGNALS: readonly StopSignal[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

export interface ReceivedSignal {
  signal: StopSignal;
  at: Date;
}

export class Interruption implements Disposable {
  private readonly controller = new AbortController();
  private readonly listeners = new Map<StopSignal, () => void>();
  /** Every signal received, in order; the first is the one that interrupted the run. */
  readonly log: ReceivedSignal[] = [];

  private constructor(
    signals: readonly StopSignal[],
    private readonly onSignal: (s: StopSignal, first: boolean) => void,
    private readonly now: () => Date,
  ) {
    for (const s of signals) {
      const listener = () => this.receive(s);
      this.listeners.set(s, listener);
      process.on(s, listener);
    }
  }

  static install(
    onSignal: (s: StopSignal, first: boolean) => void = () => {},
    signals: readonly StopSignal[] = STOP_SIGNALS,
    now: () => Date = () => new Date(),
  ): Interruption {
    return new Interruption(signals, onSignal, now);
  }

  /** What a signal does; an in-process test calls it to interrupt a run at an exact point. */
  receive(s: StopSignal): void {
    const first = this.log.length === 0;
    this.log.push({ signal: s, at: this.now() });
    if (first) this.controller.abort(new InterruptedError(s));
    this.onSignal(s, first);
  }

  /** The signal that interrupted the run, or null. */
  get received(): StopSignal | null {
    return this.log[0]?.signal ?? null;
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Resolves with the signal's name once one arrives; keeps the process alive until then. */
  wait(): Promise<StopSignal> {
    return new Promise((resolve) => {
      const first = this.log[0];
      if (first) return resolve(first.signal);
      // Signal listeners do not keep Node's event loop alive; without a timer a held process would just exit.
      const keepAlive = setInterval(() => {}, 1 << 30);
      this.controller.signal.addEventListener(
        'abort',
        () => {
          clearInterval(keepAlive);
          resolve(this.log[0]!.signal);
        },
        { once: true },
      );
    });
  }

  [Symbol.dispose](): void {
    for (const [s, listener] of this.listeners) process.off(s, listener);
    this.listeners.clear();
  }
}
