import { describe, expect, it } from 'vitest';
import { ReadinessTimeoutError } from '../errors.js';
import { stableStreak, waitForReadiness, type ReadinessSample } from './readiness.js';

const up = (start: string): ReadinessSample => ({ ok: true, postmasterStart: start, serverVersion: '15.14' });
const down = (error = 'ECONNRESET'): ReadinessSample => ({ ok: false, error });

/** A scripted probe and a fake clock that advances by each sleep: no real waiting. */
function scripted(samples: ReadinessSample[]) {
  let t = 0;
  let i = 0;
  return {
    probe: async () => samples[Math.min(i++, samples.length - 1)]!,
    now: () => t,
    sleep: async (ms: number) => {
      t += ms;
    },
    calls: () => i,
  };
}

describe('stableStreak', () => {
  it('counts answered queries in a row with the same postmaster start time', () => {
    expect(stableStreak([down(), up('a'), up('a')])).toBe(2);
    expect(stableStreak([up('a'), up('a'), up('b')])).toBe(1);
    expect(stableStreak([up('a'), down()])).toBe(0);
    expect(stableStreak([])).toBe(0);
  });
});

describe('waitForReadiness', () => {
  const settings = { consecutive: 3, intervalMs: 200, timeoutMs: 10_000 };

  it('is ready only after the configured number of answers in a row, and records the retries', async () => {
    const s = scripted([down('ECONNRESET'), down('ECONNREFUSED'), up('t1'), up('t1'), up('t1')]);
    const r = await waitForReadiness(settings, s);
    expect(r.attempts).toBe(5);
    expect(r.postmasterStart).toBe('t1');
    expect(r.retries.map((x) => x.reason)).toEqual(['ECONNRESET', 'ECONNREFUSED']);
    expect(r.ms).toBe(4 * 200);
  });

  it('starts the streak again when the postmaster start time changes (a bootstrap server was answering)', async () => {
    const s = scripted([up('boot'), up('boot'), down(), up('real'), up('real'), up('real')]);
    const r = await waitForReadiness(settings, s);
    expect(r.postmasterStart).toBe('real');
    expect(r.attempts).toBe(6);
  });

  it('does not count a changed start time as part of the streak', async () => {
    const s = scripted([up('a'), up('a'), up('b'), up('b'), up('b')]);
    const r = await waitForReadiness(settings, s);
    expect(r.postmasterStart).toBe('b');
    expect(r.attempts).toBe(5);
    expect(r.retries.some((x) => x.reason.includes('restarted'))).toBe(true);
  });

  it('tells each retry as it happens, in the order the result records them', async () => {
    const told: { attempt: number; reason: string; calls: number }[] = [];
    const s = scripted([down('ECONNRESET'), up('a'), up('b'), up('b'), up('b')]);
    const r = await waitForReadiness(settings, {
      ...s,
      onRetry: (x) => told.push({ attempt: x.attempt, reason: x.reason, calls: s.calls() }),
    });
    expect(told.map((x) => x.attempt)).toEqual(r.retries.map((x) => x.attempt));
    expect(told.map((x) => x.reason)).toEqual(['ECONNRESET', 'postmaster start time changed: the server restarted']);
    // Told at the probe that saw it, not at the end.
    expect(told.map((x) => x.calls)).toEqual([1, 3]);
  });

  it('gives up with an environment error naming the last error after the timeout', async () => {
    const s = scripted([down('the database system is starting up')]);
    await expect(waitForReadiness({ ...settings, timeoutMs: 1000 }, s)).rejects.toThrow(ReadinessTimeoutError);
    await expect(waitForReadiness({ ...settings, timeoutMs: 1000 }, scripted([down('boom')]))).rejects.toThrow(/boom/);
  });

  it('stops when the environment reports it can no longer become ready', async () => {
    const s = scripted([down()]);
    await expect(
      waitForReadiness(settings, {
        ...s,
        alive: async () => {
          throw new Error('container exited');
        },
      }),
    ).rejects.toThrow('container exited');
  });
});
