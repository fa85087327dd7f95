import { describe, expect, it } from 'vitest';
import { LABEL_RUN_ID } from './labels.js';
import { isOurs, remainingOf, type TeardownOutcome } from './teardown.js';

describe('isOurs', () => {
  const recorded = { kind: 'container' as const, name: 'pg-x', id: null };

  it('needs both the exact name and the run-id label of this run', () => {
    expect(isOurs({ name: 'pg-x', labels: { [LABEL_RUN_ID]: 'r1' } }, recorded, 'r1')).toBe(true);
    expect(isOurs({ name: 'pg-x', labels: { [LABEL_RUN_ID]: 'r2' } }, recorded, 'r1')).toBe(false);
    expect(isOurs({ name: 'pg-x', labels: {} }, recorded, 'r1')).toBe(false);
    expect(isOurs({ name: 'pg-x-2', labels: { [LABEL_RUN_ID]: 'r1' } }, recorded, 'r1')).toBe(false);
  });
});

describe('remainingOf', () => {
  it('names what could not be proved gone by kind and exact name', () => {
    const outcome: TeardownOutcome = {
      runId: 'r1',
      complete: false,
      ms: 1,
      resources: [
        { kind: 'container', name: 'a', id: 'x', action: 'error', gone: false, proof: '', detail: 'boom' },
        { kind: 'network', name: 'a-net', id: 'y', action: 'removed', gone: true, proof: '404', detail: null },
      ],
      secrets: [{ path: '/s/pw', shredded: false, detail: 'EACCES' }],
    };
    expect(remainingOf(outcome)).toEqual(['container a', 'secret file /s/pw']);
  });
});
