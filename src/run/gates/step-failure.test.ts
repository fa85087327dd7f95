import { describe, expect, it } from 'vitest';
import { limitOf, stepFailureMessage } from './step-failure.js';

const exitCheck = (actual: string) => ({ what: 'exit code', ok: false, expected: '0', actual });

describe('stepFailureMessage', () => {
  it('says a failed check as before when the step did not time out', () => {
    const record = { name: 'migrate', timed_out: false, timeout_ms: 60_000, stdout_tail: ['ok'], stderr_tail: [] };
    expect(
      stepFailureMessage(record, exitCheck('1'), { name: 'TypeError', location: 'src/a.ts:3:1' }, 'read-only'),
    ).toBe('step "migrate": exit code: expected 0, got 1 (TypeError at src/a.ts:3:1); read-only');
  });

  it("says a timeout's limit and the last line of each stream it printed", () => {
    const record = {
      name: 'backfill',
      timed_out: true,
      timeout_ms: 30_000,
      stdout_tail: ['batch 1 done', 'batch 2 done'],
      stderr_tail: ['waiting for lock on ledger.mark'],
    };
    expect(stepFailureMessage(record, exitCheck('timed out (killed by SIGTERM)'), null, null)).toBe(
      'step "backfill" timed out at its limit of 30 s (timeout_ms 30000): exit code: expected 0, got timed out (killed by SIGTERM); last line of stdout: "batch 2 done"; last line of stderr: "waiting for lock on ledger.mark"',
    );
  });

  it('says a timed-out step printed nothing, and a limit that is not whole seconds in ms', () => {
    const record = { name: 'sleep', timed_out: true, timeout_ms: 1500, stdout_tail: [], stderr_tail: [] };
    expect(stepFailureMessage(record, exitCheck('timed out'), null, null)).toBe(
      'step "sleep" timed out at its limit of 1500 ms (timeout_ms 1500): exit code: expected 0, got timed out; it printed nothing',
    );
    expect(limitOf(60_000)).toBe('60 s (timeout_ms 60000)');
  });
});
