import { describe, expect, it } from 'vitest';
import { listCut, plural } from './plural.js';

describe('plural', () => {
  it('says one thing in the singular and every other count in the plural', () => {
    expect(plural(1, 'place')).toBe('1 place');
    expect(plural(0, 'place')).toBe('0 places');
    expect(plural(2, 'hit')).toBe('2 hits');
    expect(plural(3, 'entry', 'entries')).toBe('3 entries');
  });
});

describe('listCut', () => {
  it('lists every item up to the cut, then says how many more there are', () => {
    expect(listCut(['a', 'b'], 3)).toBe('a; b');
    expect(listCut(['a', 'b', 'c'], 3)).toBe('a; b; c');
    expect(listCut(['a', 'b', 'c', 'd', 'e'], 2)).toBe('a; b; and 3 more');
    expect(listCut(['a', 'b', 'c'], 1, ', ')).toBe('a, and 2 more');
    expect(listCut([], 5)).toBe('');
  });
});
