import { describe, expect, it } from 'vitest';
import { gateOrder, streamsIntoRestore } from './gate-order.js';

describe('the order of the gates', () => {
  it('streams a plain dump into the restore only without a cached restore', () => {
    expect(streamsIntoRestore('plain', false)).toBe(true);
    expect(streamsIntoRestore('plain', true)).toBe(false);
    expect(streamsIntoRestore('custom', false)).toBe(false);
    expect(streamsIntoRestore('directory', false)).toBe(false);
  });

  it('names G3 before G4 and G2 inside G4 when streaming, and G2, G3, G4 in turn otherwise', () => {
    expect(gateOrder(true)).toBe(
      'G0, G1, G3, G4 (G2 inside it: the dump streams into the restore), G5, S1..Sn, G6, G7, G8',
    );
    expect(gateOrder(false)).toBe('G0, G1, G2, G3, G4, G5, S1..Sn, G6, G7, G8');
  });
});
