import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { dbnameArgument, defaultRestoreJobs, pgRestoreArgs, PgRestoreError } from './restore-dump.js';
import { SqlFileError } from './restore.js';

describe('defaultRestoreJobs', () => {
  it('uses one job per CPU, at most 4, at least 1', () => {
    expect(defaultRestoreJobs(1)).toBe(1);
    expect(defaultRestoreJobs(2)).toBe(2);
    expect(defaultRestoreJobs(4)).toBe(4);
    expect(defaultRestoreJobs(64)).toBe(4);
    expect(defaultRestoreJobs(0)).toBe(1);
  });

  it('defaults to this machine', () => {
    expect(defaultRestoreJobs()).toBeGreaterThanOrEqual(1);
    expect(defaultRestoreJobs()).toBeLessThanOrEqual(4);
  });
});

describe('pgRestoreArgs', () => {
  it('restores all or nothing with one job (--single-transaction, no -j)', () => {
    expect(pgRestoreArgs({ database: 'ledger', path: '/w/ledger.dump', format: 'custom', jobs: 1 })).toEqual([
      '--no-owner',
      '--no-privileges',
      '--exit-on-error',
      '--no-password',
      '--format=custom',
      '--dbname=ledger',
      '--single-transaction',
      '--',
      '/w/ledger.dump',
    ]);
  });

  it('runs parallel jobs without --single-transaction, which pg_restore refuses with -j', () => {
    const args = pgRestoreArgs({ database: 'ledger', path: '/w/ledger.dir', format: 'directory', jobs: 4 });
    expect(args).toContain('--jobs=4');
    expect(args).toContain('--format=directory');
    expect(args).toContain('--exit-on-error');
    expect(args).not.toContain('--single-transaction');
    expect(args.slice(-2)).toEqual(['--', '/w/ledger.dir']);
  });

  it('names the option and the bad value for a jobs count that is not a positive integer', () => {
    for (const jobs of [0, -1, 1.5, Number.NaN]) {
      expect(() => pgRestoreArgs({ database: 'ledger', path: 'x', format: 'custom', jobs })).toThrow(UsageError);
    }
    expect(() => pgRestoreArgs({ database: 'ledger', path: 'x', format: 'custom', jobs: 0 })).toThrow(
      'Expected `jobs` to be a positive integer, got `0`',
    );
  });

  it('never carries a secret: the connection comes from the environment', () => {
    expect(pgRestoreArgs({ database: 'ledger', path: 'x', format: 'custom', jobs: 2 }).join(' ')).not.toMatch(
      /password=|PGPASSWORD|@/,
    );
  });
});

describe('dbnameArgument', () => {
  it('passes a plain name as it is', () => {
    expect(dbnameArgument('ledger')).toBe('ledger');
    expect(dbnameArgument('ledger_copy-2')).toBe('ledger_copy-2');
  });

  it('quotes a name libpq would read as a connection string or URI, so it stays a name', () => {
    expect(dbnameArgument('host=evil dbname=x')).toBe("dbname='host=evil dbname=x'");
    expect(dbnameArgument('postgres://h/db')).toBe("dbname='postgres://h/db'");
    expect(dbnameArgument("it's\\here")).toBe("dbname='it\\'s\\\\here'");
  });
});

describe('PgRestoreError', () => {
  it('is a SqlFileError naming the file and pg_restore (not psql) with its exit code', () => {
    const err = new PgRestoreError(
      '/w/ledger.dump',
      1,
      ['pg_restore: error: could not execute query: ERROR:  boom'],
      'pg_restore: error: could not execute query: ERROR:  boom',
    );
    expect(err).toBeInstanceOf(SqlFileError);
    expect(err.code).toBe('E_SQL_FILE');
    expect(err.kind).toBe('environment');
    expect(err.file).toBe('/w/ledger.dump');
    expect(err.exitCode).toBe(1);
    expect(err.message).toBe(
      'running `/w/ledger.dump` failed (pg_restore exit 1): pg_restore: error: could not execute query: ERROR:  boom',
    );
  });
});
