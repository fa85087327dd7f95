import { describe, expect, it } from 'vitest';
import type { ContainerState } from '../engine/index.js';
import { EnvironmentError, InterruptedError } from '../errors.js';
import { environmentBaseline, runningServer } from '../test-support/environment-fixture.js';
import { ENGINE_SILENT_READINGS, guardWork, watchdogFault, type ContainerReading } from './environment-watchdog.js';
import { failureOf, StoppedByGate } from './gate-failure.js';

const baseline = environmentBaseline([
  { role: "the runner's network holder", name: 'pgr-env-holder', id: 'c'.repeat(64), startedAt: 'T0' },
]);
const server = runningServer(baseline);
const runner: ContainerState = { ...server, id: 'c'.repeat(64), name: 'pgr-env-holder', startedAt: 'T0' };
const at = '2026-12-01T21:05:00.000Z';
const reading = (o: Partial<ContainerReading>): ContainerReading => ({
  at,
  server,
  holders: [runner],
  engineError: null,
  ...o,
});

describe('watchdogFault', () => {
  it('finds nothing while the same containers run', () => {
    expect(watchdogFault(baseline, reading({}))).toBeNull();
  });

  it('says what paused, died, went or was replaced, and when', () => {
    expect(watchdogFault(baseline, reading({ server: { ...server, paused: true } }))).toBe(
      `the dry-run server's container pgr-env (aaaaaaaaaaaa) is paused (seen at ${at})`,
    );
    expect(
      watchdogFault(
        baseline,
        reading({ server: { ...server, running: false, exitCode: 137, finishedAt: '2026-12-01T21:04:59.9Z' } }),
      ),
    ).toBe(
      `the dry-run server's container pgr-env (aaaaaaaaaaaa) died: it exited with code 137 at 2026-12-01T21:04:59.9Z`,
    );
    expect(watchdogFault(baseline, reading({ server: null }))).toBe(
      `the dry-run server's container pgr-env (aaaaaaaaaaaa) is gone (seen at ${at})`,
    );
    expect(watchdogFault(baseline, reading({ server: { ...server, startedAt: '2026-12-01T21:04:00Z' } }))).toContain(
      'restarted at 2026-12-01T21:04:00Z',
    );
    expect(watchdogFault(baseline, reading({ server: { ...server, id: 'b'.repeat(64) } }))).toContain(
      'was replaced by another container bbbbbbbbbbbb',
    );
    expect(watchdogFault(baseline, reading({ holders: [{ ...runner, paused: true }] }))).toBe(
      `the runner's network holder pgr-env-holder (cccccccccccc) is paused (seen at ${at})`,
    );
    expect(watchdogFault({ ...baseline, holders: [] }, reading({ holders: [] }))).toBeNull();
  });

  it('an engine that does not answer is a fault only once it stayed silent', () => {
    const silent = reading({
      server: undefined,
      holders: undefined,
      engineError: 'connect ENOENT /var/run/docker.sock',
    });
    expect(watchdogFault(baseline, silent, 1)).toBeNull();
    expect(watchdogFault(baseline, silent, ENGINE_SILENT_READINGS - 1)).toBeNull();
    expect(watchdogFault(baseline, silent, ENGINE_SILENT_READINGS)).toBe(
      `the Docker engine did not answer ${ENGINE_SILENT_READINGS} times in a row (last at ${at}): connect ENOENT /var/run/docker.sock`,
    );
  });
});

describe('guardWork', () => {
  const fault = new EnvironmentError('E_ENVIRONMENT_LOST', 'the dry-run server is paused');
  const never = () => new Promise<never>(() => {});
  const after = <T>(ms: number, v: () => T) =>
    new Promise<T>((resolve, reject) =>
      setTimeout(() => {
        try {
          resolve(v());
        } catch (e) {
          reject(e);
        }
      }, ms),
    );

  it('passes the work through while nothing is seen', async () => {
    const c = new AbortController();
    await expect(guardWork(() => after(5, () => 42), c.signal, 50)).resolves.toBe(42);
    const err = new Error('own failure');
    await expect(
      guardWork(
        () =>
          after(5, () => {
            throw err;
          }),
        c.signal,
        50,
      ),
    ).rejects.toBe(err);
  });

  it('work that waits forever ends with the fault after the grace', async () => {
    const c = new AbortController();
    const t0 = Date.now();
    setTimeout(() => c.abort(fault), 10);
    const left: Promise<unknown>[] = [];
    await expect(guardWork(never, c.signal, 50, (settled) => left.push(settled))).rejects.toBe(fault);
    expect(Date.now() - t0).toBeLessThan(1_000);
    // The work left behind is handed over, for the watchdog to let it end before teardown.
    expect(left).toHaveLength(1);
  });

  it('work that ends by itself in the grace still ends with the fault, whatever it gave (a step killed by the abort is no result)', async () => {
    const c = new AbortController();
    const work = () =>
      new Promise<string>((_, reject) =>
        c.signal.addEventListener('abort', () => reject(new InterruptedError('cancel'))),
      );
    setTimeout(() => c.abort(fault), 5);
    const left: Promise<unknown>[] = [];
    await expect(guardWork(work, c.signal, 1_000, (settled) => left.push(settled))).rejects.toBe(fault);
    expect(left).toEqual([]);
    const c2 = new AbortController();
    setTimeout(() => c2.abort(fault), 5);
    await expect(guardWork(() => after(20, () => 'done'), c2.signal, 1_000)).rejects.toBe(fault);
  });

  it('a gate stopped by its inner gate stays stopped: the inner gate carries the fault', async () => {
    const c = new AbortController();
    const stopped = new StoppedByGate('G2', 'the backup streaming into this restore failed');
    setTimeout(() => c.abort(fault), 5);
    await expect(
      guardWork(
        () =>
          after(20, () => {
            throw stopped;
          }),
        c.signal,
        1_000,
      ),
    ).rejects.toBe(stopped);
  });

  it('work started after the fault (a closing gate) runs unwatched', async () => {
    const c = new AbortController();
    c.abort(fault);
    await expect(guardWork(() => after(5, () => 'log read'), c.signal, 10)).resolves.toBe('log read');
  });

  it("the fault is the environment's, INCONCLUSIVE, never an interruption by a signal", () => {
    const { status, failure } = failureOf(fault, 'G4', null);
    expect(status).toBe('INCONCLUSIVE');
    expect(failure.classification).toBe('environment');
    expect(failure.message).toBe('the dry-run server is paused');
    expect(failure.message).not.toMatch(/interrupted|SIG/);
  });
});
