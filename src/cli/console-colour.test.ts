import { describe, expect, it } from 'vitest';
import { colourEnabled, colourOf } from './console-colour.js';

describe('colourEnabled (Node precedence: FORCE_COLOR, then NO_COLOR / NODE_DISABLE_COLORS / TERM=dumb, then the terminal)', () => {
  it('colours a terminal and nothing else by default', () => {
    expect(colourEnabled({}, true)).toBe(true);
    expect(colourEnabled({}, false)).toBe(false);
  });
  it('NO_COLOR turns colour off on a terminal, whatever its value, empty included', () => {
    expect(colourEnabled({ NO_COLOR: '1' }, true)).toBe(false);
    expect(colourEnabled({ NO_COLOR: '' }, true)).toBe(false);
    expect(colourEnabled({ NODE_DISABLE_COLORS: '1' }, true)).toBe(false);
    expect(colourEnabled({ TERM: 'dumb' }, true)).toBe(false);
  });
  it('FORCE_COLOR turns colour on off a terminal, and wins over NO_COLOR', () => {
    for (const v of ['', '1', 'true', '2', '3']) expect(colourEnabled({ FORCE_COLOR: v }, false), v).toBe(true);
    expect(colourEnabled({ FORCE_COLOR: '1', NO_COLOR: '1' }, false)).toBe(true);
    expect(colourEnabled({ FORCE_COLOR: '1', NODE_DISABLE_COLORS: '1', TERM: 'dumb' }, true)).toBe(true);
  });
  it('FORCE_COLOR=0 or false (or any other value) turns colour off, even on a terminal', () => {
    for (const v of ['0', 'false', 'yes']) expect(colourEnabled({ FORCE_COLOR: v }, true), v).toBe(false);
  });
});

describe('colourOf', () => {
  it('wraps text in ANSI codes only when enabled', () => {
    expect(colourOf(true).red('x')).toBe('\x1b[31mx\x1b[0m');
    expect(colourOf(false).red('x')).toBe('x');
  });
});
