// SIGINT, SIGTERM and SIGHUP end a run the orderly way: the first one aborts what is in progress,
// and the run's own finally-path tears down. An engine call already in flight completes first, so
// nothing it creates is missed. A hangup (a closed terminal, a CI runner's session ending) is
// treated as SIGTERM. Every signal is recorded with its time; only the first one counts, later ones
// (while tearing down) are kept for the report and change nothing. Once the run's verdict is
// decided (`decide`), a signal is told as such and aborts nothing: the report is written as decided.
import { InterruptedError } from '../errors.js';

export type StopSignal = 'SIGINT' | 'SIGTERM' | 'SIGHUP';
export const STOP_SIGNALS: readonly StopSignal[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

export interface ReceivedSignal {
  signal: StopSignal;
  at: Date;
}

/** A signal's place: the first (it interrupts the run), one again (while tearing down), or one after the verdict. */
export type SignalPlace = 'first' | 'again' | 'after-verdict';

export class Interruption implements Disposable {
  private readonly controller = new AbortController();
  private readonly listeners = new Map<StopSignal, () => void>();
  /** Every signal received before the verdict, in order; the first is the one that interrupted the run. */
  readonly log: ReceivedSignal[] = [];
  /** Every signal received after it, which changed nothing. */
  readonly afterVerdict: ReceivedSignal[] = [];
  /** When the verdict was decided; null until then. */
  decidedAt: Date | null = null;

  private constructor(
    signals: readonly StopSignal[],
    private readonly onSignal: (s: StopSignal, place: SignalPlace, at: Date) => void,
    private readonly now: () => Date,
  ) {
    for (const s of signals) {
      const listener = () => this.receive(s);
      this.listeners.set(s, listener);
      process.on(s, listener);
    }
  }

  static install(
    onSignal: (s: StopSignal, place: SignalPlace, at: Date) => void = () => {},
    signals: readonly StopSignal[] = STOP_SIGNALS,
    now: () => Date = () => new Date(),
  ): Interruption {
    return new Interruption(signals, onSignal, now);
  }

  /** What a signal does; an in-process test calls it to interrupt a run at an exact point. */
  receive(s: StopSignal): void {
    const at = this.now();
    if (this.decidedAt) {
      this.afterVerdict.push({ signal: s, at });
      return this.onSignal(s, 'after-verdict', at);
    }
    const first = this.log.length === 0;
    this.log.push({ signal: s, at });
    if (first) this.controller.abort(new InterruptedError(s));
    this.onSignal(s, first ? 'first' : 'again', at);
  }

  /**
   * The verdict is decided now, from the signals received until now: later ones are recorded in
   * `afterVerdict` and abort nothing. Called in the same synchronous step that reads the log.
   */
  decide(at: Date): void {
    this.decidedAt ??= at;
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
