import { describe, expect, it } from 'vitest';
import { baseBackupArgs } from './base-backup.js';
import { parseDdBytes, parseStatuses, sinkEndedFirst } from './base-backup-stream.js';

describe("a streamed base backup's pipeline", () => {
  it('asks pg_basebackup for one tar on stdout, its WAL fetched at the end', () => {
    const args = baseBackupArgs({ dataDir: null, checkpoint: 'fast', maxRate: null, manifestChecksums: 'CRC32C' });
    expect(args.slice(0, 5)).toEqual(['-D', '-', '-Ft', '-X', 'fetch']);
    expect(args).not.toContain('stream');
  });

  it("reads dd's count and the stages' statuses", () => {
    expect(
      parseDdBytes('0+14977 records in\n0+14977 records out\n981501440 bytes (982 MB, 936 MiB) copied, 5.4 s'),
    ).toBe(981501440);
    expect(parseDdBytes('dd: error writing')).toBeNull();
    expect(parseStatuses('0 0 0 0\n')).toEqual({ pg: 0, dd: 0, tee: 0, sink: 0 });
    expect(parseStatuses('')).toBeNull();
    expect(parseStatuses('1 0')).toBeNull();
  });

  it('blames the engine, not production, when the sink ended first and left pg_basebackup a broken pipe', () => {
    expect(sinkEndedFirst({ pg: 141, sink: 1 }, null)).toBe(true);
    expect(sinkEndedFirst({ pg: 1, sink: 1 }, 'pg_basebackup: error: could not write to file "-": Broken pipe')).toBe(
      true,
    );
    expect(sinkEndedFirst({ pg: 1, sink: 1 }, 'pg_basebackup: error: connection to server failed')).toBe(false);
    expect(sinkEndedFirst({ pg: 1, sink: 0 }, null)).toBe(false);
  });
});
