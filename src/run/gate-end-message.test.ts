import { describe, expect, it } from 'vitest';
import { failure } from '../test-support/report-fixture.js';
import { gateEndMessage } from './gate-end-message.js';

describe('gateEndMessage', () => {
  it("is the failure's message when the gate failed, whatever its evidence", () => {
    const f = failure({ gate: 'G1', classification: 'environment', message: 'the engine did not answer' });
    expect(gateEndMessage(f, { skipped: 'x' })).toBe('the engine did not answer');
  });
  it('is the reason of a gate left NOT_RUN by a gate inside it', () => {
    expect(gateEndMessage(null, { stopped_by: 'G2', reason: 'G2 failed' })).toBe('G2 failed');
  });
  it('is what a closing gate skipped when it had nothing to do', () => {
    expect(gateEndMessage(null, { skipped: 'no dry-run server was started' })).toBe('no dry-run server was started');
  });
  it('is null for a gate that passed with work done', () => {
    expect(gateEndMessage(null, { resources: 2 })).toBeNull();
    expect(gateEndMessage(null, null)).toBeNull();
  });
});
