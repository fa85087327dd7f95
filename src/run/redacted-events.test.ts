import { describe, expect, it } from 'vitest';
import { silentProgress, type Progress } from './progress.js';
import { redactedEvents, redactEvent } from './redacted-events.js';
import type { RunEvent } from './run-events.js';

const SECRET = 'S3cr3t-p4ssw0rd-of-the-run';

describe('redacted events', () => {
  it('redacts every text of an event, argv and its forms included, and keeps its shape', () => {
    const e: RunEvent = {
      type: 'step_start',
      scenario: 'S1',
      step: `login ${encodeURIComponent(SECRET)}`,
      argv: ['psql', `postgres://app:${SECRET}@127.0.0.1/db`, Buffer.from(SECRET).toString('base64')],
    };
    expect(redactEvent(e, [SECRET])).toEqual({
      type: 'step_start',
      scenario: 'S1',
      step: 'login [REDACTED]',
      argv: ['psql', 'postgres://app:[REDACTED]@127.0.0.1/db', '[REDACTED]'],
    });
  });

  it('keeps numbers, booleans and nulls as they are', () => {
    const e: RunEvent = { type: 'step_end', scenario: 'S1', step: 's', exit_code: null, timed_out: true, ms: 12 };
    expect(redactEvent(e, [SECRET])).toEqual(e);
  });

  it('reads the secrets at each event: one added during the run is redacted from then on', () => {
    const seen: RunEvent[] = [];
    const secrets: string[] = [];
    const progress = redactedEvents(
      { ...silentProgress, event: (e) => seen.push(e) } satisfies Progress,
      () => secrets,
    );
    progress.event({ type: 'alert', message: `before ${SECRET}` });
    secrets.push(SECRET);
    progress.event({ type: 'alert', message: `after ${SECRET}` });
    expect(seen).toEqual([
      { type: 'alert', message: `before ${SECRET}` },
      { type: 'alert', message: 'after [REDACTED]' },
    ]);
  });
});
