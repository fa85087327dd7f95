import { describe, expect, it } from 'vitest';
import { counterDeltas } from './write-counters.js';

describe('counterDeltas', () => {
  it('subtracts each counter, and counts a table created in between from zero', () => {
    expect(
      counterDeltas(
        {
          'ledger.mark': { inserted: 5, updated: 1, deleted: 0 },
          'ledger.gone': { inserted: 1, updated: 0, deleted: 0 },
        },
        {
          'ledger.mark': { inserted: 9, updated: 1, deleted: 2 },
          'ledger.new': { inserted: 3, updated: 0, deleted: 1 },
        },
      ),
    ).toEqual({
      'ledger.mark': { inserted: 4, updated: 0, deleted: 2 },
      'ledger.new': { inserted: 3, updated: 0, deleted: 1 },
    });
  });
});
