import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

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
});
