import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { BaseBackupError } from './base-backup-error.js';
import { ProgressSplitter, baseBackupArgs, baseBackupEnd, parseProgressLine } from './base-backup.js';

describe('baseBackupArgs', () => {
  it('asks for a plain copy with its WAL streamed, no prompt, progress, and the checkpoint and checksums given', () => {
    expect(
      baseBackupArgs({ dataDir: '/s/run/copy', checkpoint: 'fast', maxRate: null, manifestChecksums: 'CRC32C' }),
    ).toEqual([
      '-D',
      '/s/run/copy',
      '-Fp',
      '-X',
      'stream',
      '-c',
      'fast',
      '--no-sync',
      '--manifest-checksums=CRC32C',
      '-w',
      '-P',
    ]);
  });

  it('adds --max-rate when one is set', () => {
    const args = baseBackupArgs({ dataDir: 'd', checkpoint: 'spread', maxRate: '100M', manifestChecksums: 'SHA256' });
    expect(args).toContain('--max-rate=100M');
    expect(args).toContain('spread');
    expect(args).toContain('--manifest-checksums=SHA256');
  });

  it('refuses a --max-rate value pg_basebackup would not take, naming it', () => {
    for (const bad of ['100MB', '-1', '0', 'fast', '1 M'])
      expect(() =>
        baseBackupArgs({ dataDir: 'd', checkpoint: 'fast', maxRate: bad, manifestChecksums: 'CRC32C' }),
      ).toThrow(UsageError);
    expect(() =>
      baseBackupArgs({ dataDir: 'd', checkpoint: 'fast', maxRate: '1GB', manifestChecksums: 'CRC32C' }),
    ).toThrow(/`maxRate`.*`1GB`/);
  });
});

describe('parseProgressLine', () => {
  it('reads the copied and estimated kB as bytes', () => {
    expect(parseProgressLine('123/4567 kB (2%), 0/1 tablespace')).toEqual({
      bytes: 123 * 1024,
      totalBytes: 4567 * 1024,
    });
    expect(parseProgressLine('    0/31357 kB (0%), 0/2 tablespaces')).toEqual({ bytes: 0, totalBytes: 31357 * 1024 });
    expect(parseProgressLine('31364/31364 kB (100%), 1/1 tablespace (...ata/base/16384/2619)')).toEqual({
      bytes: 31364 * 1024,
      totalBytes: 31364 * 1024,
    });
  });

  it('gives no total when the server gave no estimate', () => {
    expect(parseProgressLine('2048/0 kB (0%), 0/1 tablespace')).toEqual({ bytes: 2048 * 1024, totalBytes: null });
  });

  it('is null for any other line', () => {
    expect(parseProgressLine('pg_basebackup: error: connection to server failed')).toBeNull();
    expect(parseProgressLine('')).toBeNull();
  });
});

describe('ProgressSplitter', () => {
  it('sends \\r- and \\n-ended reports to onProgress and keeps only the other lines, whatever the chunking', () => {
    const seen: [number, number | null][] = [];
    const splitter = new ProgressSplitter((b, t) => seen.push([b, t]));
    const text =
      '    0/900 kB (0%), 0/1 tablespace\r300/900 kB (33%), 0/1 tablespace\r' +
      'pg_basebackup: error: could not write to file "x": No space left on device\n' +
      '900/900 kB (100%), 1/1 tablespace\npg_basebackup: removing data directory "d"';
    for (const c of text.match(/.{1,7}/gs)!) splitter.push(c);
    const tail = splitter.finish();
    expect(seen).toEqual([
      [0, 900 * 1024],
      [300 * 1024, 900 * 1024],
      [900 * 1024, 900 * 1024],
    ]);
    expect(tail).toEqual([
      'pg_basebackup: error: could not write to file "x": No space left on device',
      'pg_basebackup: removing data directory "d"',
    ]);
    expect(splitter.tail.firstError).toMatch(/No space left/);
  });
});

describe('baseBackupEnd', () => {
  it('is null on exit 0', () => {
    expect(baseBackupEnd({ exitCode: 0 }, 'h:5432', null, [])).toBeNull();
  });

  it("carries the server's first error line and what to do about it", () => {
    const line =
      'pg_basebackup: error: connection to server at "10.0.0.5", port 5432 failed: FATAL:  no pg_hba.conf entry for replication connection from host "10.0.0.9", user "app", no encryption';
    const err = baseBackupEnd({ exitCode: 1 }, '10.0.0.5:5432', line, [line]);
    expect(err).toBeInstanceOf(BaseBackupError);
    expect(err!.message).toBe(
      'pg_basebackup of 10.0.0.5:5432 failed (exit 1): FATAL: no pg_hba.conf entry for replication connection from host "10.0.0.9", user "app", no encryption',
    );
    expect(err!.kind).toBe('environment');
    expect(err!.code).toBe('E_BASE_BACKUP');
    expect(err!.hint).toMatch(/host replication/);
    expect(err!.exitCode).toBe(1);
  });

  it('says how it ended when it could not start or was killed', () => {
    expect(baseBackupEnd({ shortMessage: 'spawn pg_basebackup ENOENT' }, 'h:1', null, [])!.message).toMatch(
      /could not be started: spawn pg_basebackup ENOENT/,
    );
    expect(baseBackupEnd({ signal: 'SIGKILL' }, 'h:1', null, [])!.message).toMatch(/killed by SIGKILL/);
  });
});
