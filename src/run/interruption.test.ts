import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { Interruption } from './interruption.js';

describe('Interruption', () => {
  it('keeps a waiting process alive until the signal, then resolves with its name', () => {
    // A child process waits; we signal it after a moment. Without a keep-alive it would exit at once (code 13).
    const script = `
      const { Interruption } = await import(${JSON.stringify(new URL('../../dist/run/interruption.js', import.meta.url).href)});
      const i = Interruption.install();
      setTimeout(() => process.kill(process.pid, 'SIGTERM'), 300);
      const s = await i.wait();
      process.stdout.write(s + ' ' + (i.signal.reason?.name ?? ''));
    `;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { timeout: 10_000 });
    expect(r.status).toBe(0);
    expect(r.stdout.toString()).toBe('SIGTERM InterruptedError');
  });

  it('takes SIGHUP as SIGTERM: the process stays up, the run is interrupted and told which signal it was', () => {
    const script = `
      const { Interruption } = await import(${JSON.stringify(new URL('../../dist/run/interruption.js', import.meta.url).href)});
      const i = Interruption.install();
      setTimeout(() => process.kill(process.pid, 'SIGHUP'), 300);
      const s = await i.wait();
      process.stdout.write(s + ' ' + i.signal.reason?.message);
    `;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { timeout: 10_000 });
    expect(r.status).toBe(0);
    expect(r.stdout.toString()).toBe('SIGHUP interrupted by SIGHUP');
  });

  it('records every signal with its time; only the first aborts and counts as first', () => {
    const seen: [string, string][] = [];
    let t = 0;
    const i = Interruption.install(
      (s, place) => seen.push([s, place]),
      [],
      () => new Date(++t),
    );
    try {
      expect(i.received).toBeNull();
      i.receive('SIGINT');
      const reason = i.signal.reason;
      i.receive('SIGTERM');
      expect(i.received).toBe('SIGINT');
      expect(i.signal.reason).toBe(reason);
      expect(i.log).toEqual([
        { signal: 'SIGINT', at: new Date(1) },
        { signal: 'SIGTERM', at: new Date(2) },
      ]);
      expect(seen).toEqual([
        ['SIGINT', 'first'],
        ['SIGTERM', 'again'],
      ]);
    } finally {
      i[Symbol.dispose]();
    }
  });

  it('once the verdict is decided, records a signal apart and aborts nothing', () => {
    const seen: [string, string, number][] = [];
    let t = 0;
    const i = Interruption.install(
      (s, place, at) => seen.push([s, place, at.getTime()]),
      [],
      () => new Date(++t),
    );
    try {
      i.decide(new Date(100));
      i.receive('SIGINT');
      i.decide(new Date(200));
      expect(i.decidedAt).toEqual(new Date(100));
      expect(i.signal.aborted).toBe(false);
      expect(i.received).toBeNull();
      expect(i.log).toEqual([]);
      expect(i.afterVerdict).toEqual([{ signal: 'SIGINT', at: new Date(1) }]);
      expect(seen).toEqual([['SIGINT', 'after-verdict', 1]]);
    } finally {
      i[Symbol.dispose]();
    }
  });
});
