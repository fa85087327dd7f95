import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { decodeUtf8, firstInvalidUtf8 } from './text-file.js';

const bytes = (...b: number[]) => Uint8Array.from(b);

describe('firstInvalidUtf8', () => {
  it('accepts ASCII and well-formed multi-byte sequences', () => {
    expect(firstInvalidUtf8(Buffer.from('plain ascii'))).toBe(-1);
    expect(firstInvalidUtf8(Buffer.from('café ✓ 𝄞'))).toBe(-1);
  });

  it('finds a Latin-1 byte, a truncated sequence, an overlong form and an encoded surrogate at their offsets', () => {
    expect(firstInvalidUtf8(bytes(0x61, 0x62, 0xe9, 0x63))).toBe(2);
    expect(firstInvalidUtf8(bytes(0x61, 0xe2, 0x9c))).toBe(1);
    expect(firstInvalidUtf8(bytes(0xc0, 0xaf))).toBe(0);
    expect(firstInvalidUtf8(bytes(0x20, 0xed, 0xa0, 0x80))).toBe(1);
    expect(firstInvalidUtf8(bytes(0xf4, 0x90, 0x80, 0x80))).toBe(0);
    expect(firstInvalidUtf8(bytes(0xff))).toBe(0);
  });
});

describe('decodeUtf8', () => {
  it('is a usage error naming the file, the line and the byte offset', () => {
    const text = Buffer.concat([Buffer.from('a: 1\nb: x'), bytes(0xff), Buffer.from('\n')]);
    expect(() => decodeUtf8(text, 'c.yaml', 'config')).toThrow(UsageError);
    expect(() => decodeUtf8(text, 'c.yaml', 'config')).toThrow(
      'c.yaml:2: the config is not valid UTF-8: byte 0xff at byte offset 9',
    );
  });

  it('returns the text of valid UTF-8', () => {
    expect(decodeUtf8(Buffer.from('é'), 'f', 'config')).toBe('é');
  });
});
