import { describe, expect, it } from 'vitest';
import { maxRateBytes, walKeepCoverage, type WalRetention } from './wal-retention.js';

const MB = 1024 * 1024;
const facts = (over: Partial<WalRetention> = {}): WalRetention => ({
  keepBytes: 0,
  maxWalBytes: 1024 * MB,
  checkpointTimeoutS: 300,
  clusterBytes: 1000 * MB,
  walBytesPerSecond: 5 * MB,
  ...over,
});
const segment = { segmentBytes: 16 * MB, maxRate: null };

describe('does wal_keep_size cover a streamed copy (WAL fetched at its end)', () => {
  it('needs twice the WAL rate times the copy at 50 MB/s: 1000 MB is 20 s, at 5 MB/s 200 MB', () => {
    const c = walKeepCoverage(facts({ keepBytes: 199 * MB }), segment);
    expect(c).toMatchObject({ covered: false, needBytes: 200 * MB, estimatedSeconds: 20 });
    expect(c.basis).toContain('5 MB/s of WAL on average since pg_stat_wal was reset');
    expect(walKeepCoverage(facts({ keepBytes: 200 * MB }), segment).covered).toBe(true);
  });

  it('never covers with wal_keep_size 0: one segment at least, even for a quiet, small cluster', () => {
    const quiet = facts({ clusterBytes: 30 * MB, walBytesPerSecond: 0 });
    expect(walKeepCoverage(quiet, segment)).toMatchObject({ covered: false, needBytes: 16 * MB });
    expect(walKeepCoverage({ ...quiet, keepBytes: 16 * MB }, segment).covered).toBe(true);
  });

  it('takes a --max-rate slower than 50 MB/s as the copy time', () => {
    expect(maxRateBytes('10M')).toBe(10 * MB);
    expect(maxRateBytes('800k')).toBe(800 * 1024);
    expect(maxRateBytes('800')).toBe(800 * 1024);
    expect(walKeepCoverage(facts(), { ...segment, maxRate: '10M' })).toMatchObject({
      estimatedSeconds: 100,
      needBytes: 1000 * MB,
    });
  });

  it('asks for max_wal_size when no WAL rate is known (before PostgreSQL 14, or just after a reset)', () => {
    const c = walKeepCoverage(facts({ walBytesPerSecond: null, keepBytes: 1023 * MB }), segment);
    expect(c).toMatchObject({ covered: false, needBytes: 1024 * MB });
    expect(c.basis).toContain('no WAL rate known');
  });
});
