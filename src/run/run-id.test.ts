import { describe, expect, it } from 'vitest';
import { newRunId, RUN_ID_PATTERN } from './run-id.js';

describe('newRunId', () => {
  it('is sortable by start time and carries 8 random hex digits', () => {
    const id = newRunId(new Date('2026-11-25T17:01:57.123Z'), () => '1a2b3c4d');
    expect(id).toBe('20261125-170157-1a2b3c4d');
    expect(RUN_ID_PATTERN.test(id)).toBe(true);
  });

  it('differs between two runs started in the same second', () => {
    const now = new Date();
    expect(newRunId(now)).not.toBe(newRunId(now));
  });
});
