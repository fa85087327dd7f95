import { describe, expect, it } from 'vitest';
import { hintFor, serverErrorLine } from './base-backup-error.js';

describe('serverErrorLine', () => {
  it("keeps the server's part of a libpq connection failure, spaces collapsed", () => {
    expect(
      serverErrorLine(
        'psql: error: connection to server at "127.0.0.1", port 5432 failed: FATAL:  must be superuser or replication role to start walsender',
      ),
    ).toBe('FATAL: must be superuser or replication role to start walsender');
  });

  it("drops the tool's prefix from its own errors", () => {
    expect(serverErrorLine('pg_basebackup: error: could not create directory "/x": Permission denied')).toBe(
      'could not create directory "/x": Permission denied',
    );
  });
});

describe('hintFor', () => {
  it('names the pg_hba line or the REPLICATION attribute, by what the server said', () => {
    expect(hintFor('FATAL: no pg_hba.conf entry for replication connection from host "h"')).toMatch(
      /host replication .* pg_hba\.conf/,
    );
    expect(hintFor('FATAL: must be superuser or replication role to start walsender')).toMatch(/REPLICATION/);
    expect(hintFor('FATAL: password authentication failed for user "app"')).toMatch(/password/);
    expect(hintFor('something else')).toMatch(/replication connections/);
  });
});
