// SIGINT and SIGTERM end a run the orderly way: the first one aborts what is in progress, and
// the run's own finally-path tears down. An engine call already in flight completes first, so
// nothing it creates is missed. Further signals while tearing down are ignored.
import { InterruptedError } from '../errors.js';

export type StopSignal = 'SIGINT' | 'SIGTERM';

export class Interruption implements Disposable {
  private readonly controller = new AbortController();
  private readonly listeners = new Map<StopSignal, () => void>();
  received: StopSignal | null = null;

  private constructor(signals: readonly StopSignal[], onSignal: (s: StopSignal, first: boolean) => void) {
    for (const s of signals) {
      const listener = () => {
        const first = this.received === null;
        if (first) {
          this.received = s;
          this.controller.abort(new InterruptedError(s));
        }
        onSignal(s, first);
      };
      this.listeners.set(s, listener);
      process.on(s, listener);
    }
  }

  static install(onSignal: (s: StopSignal, first: boolean) => void = () => {}, signals: readonly StopSignal[] = ['SIGINT', 'SIGTERM']): Interruption {
    return new Interruption(signals, onSignal);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Resolves with the signal's name once one arrives; keeps the process alive until then. */
  wait(): Promise<StopSignal> {
    return new Promise((resolve) => {
      if (this.received) return resolve(this.received);
      // Signal listeners do not keep Node's event loop alive; without a timer a held process would just exit.
      const keepAlive = setInterval(() => {}, 1 << 30);
      this.controller.signal.addEventListener(
        'abort',
        () => {
          clearInterval(keepAlive);
          resolve(this.received!);
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
