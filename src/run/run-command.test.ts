import { describe, expect, it } from 'vitest';
import { signalMessage } from './run-command.js';

describe('signalMessage', () => {
  const at = new Date('2026-12-03T12:00:01.000Z');
  const decided = new Date('2026-12-03T12:00:00.500Z');

  it('says the first signal stops the run, which then cannot PASS, and a second changes nothing', () => {
    expect(signalMessage('SIGINT', 'first', at, null)).toBe(
      'SIGINT received: stopping at the current step, then the closing gates and teardown; this run cannot PASS',
    );
    expect(signalMessage('SIGTERM', 'again', at, null)).toBe(
      'SIGTERM received again: recorded; teardown is in progress and finishes first',
    );
  });

  it('says a signal after the verdict changes nothing, with both times, never that the run cannot PASS', () => {
    const m = signalMessage('SIGINT', 'after-verdict', at, decided);
    expect(m).toBe(
      'SIGINT received at 2026-12-03T12:00:01.000Z, after the verdict was decided at 2026-12-03T12:00:00.500Z: it changes nothing; the report is written as decided',
    );
    expect(m).not.toContain('cannot PASS');
  });
});
