import { describe, expect, it } from 'vitest';
import { cacheKey, snapshotTag } from './cache-snapshot.js';

const parts = {
  dumpContentSha256: 'a'.repeat(64),
  rolesSha256: 'b'.repeat(64),
  grantsSha256: 'c'.repeat(64),
  baseImageId: 'sha256:d',
  settings: { fsync: 'off', wal_level: 'minimal' },
};

describe('cacheKey', () => {
  it('is stable for the same inputs, whatever the order of settings', () => {
    expect(cacheKey(parts)).toBe(cacheKey({ ...parts, settings: { wal_level: 'minimal', fsync: 'off' } }));
    expect(cacheKey(parts)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('changes when the dump, roles, grants, image or settings change (a changed production is always a miss)', () => {
    const base = cacheKey(parts);
    for (const changed of [
      { ...parts, dumpContentSha256: 'e'.repeat(64) },
      { ...parts, rolesSha256: 'e'.repeat(64) },
      { ...parts, grantsSha256: 'e'.repeat(64) },
      { ...parts, baseImageId: 'sha256:e' },
      { ...parts, settings: { fsync: 'on', wal_level: 'minimal' } },
    ]) {
      expect(cacheKey(changed)).not.toBe(base);
    }
  });

  it('names the snapshot image by the key', () => {
    expect(snapshotTag('f'.repeat(64))).toBe(`pg-rehearse/cache:${'f'.repeat(32)}`);
  });
});
