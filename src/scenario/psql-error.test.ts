import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { exceptionOf } from './failure-site.js';
import { nodePgMigrateErrorOf } from './node-pg-migrate-error.js';
import { conditionName, serverErrorName } from './sqlstate.js';

// Real output of psql 15, node-pg-migrate 9 and sqitch 1.3 (fixtures/stderr/README.md says how).
const fixture = (name: string) => readFile(new URL(`../../fixtures/stderr/${name}`, import.meta.url), 'utf8');
const SUT = '/tmp/psqlerr-sut';

describe("psql's errors", () => {
  it('names the ERROR and its file:line from the psql:FILE:LINE: prefix, never the DETAIL', async () => {
    expect(exceptionOf(await fixture('psql-15-default.stderr'), SUT)).toEqual({
      name: 'ERROR',
      message: 'column "colour" of relation "device" does not exist',
      location: 'sql/003-broken.sql:3',
    });
    expect(exceptionOf(await fixture('psql-15-hint.stderr'), SUT)).toEqual({
      name: 'ERROR',
      message:
        'function public.no_such_function(integer) does not exist; HINT: No function matches the given name and argument types. You might need to add explicit type casts.',
      location: 'sql/005-hint.sql:1',
    });
  });

  it('reads the SQLSTATE of \\set VERBOSITY verbose, with its condition name, past the LOCATION line', async () => {
    expect(exceptionOf(await fixture('psql-15-verbose.stderr'), SUT)).toEqual({
      name: 'ERROR 42703 undefined_column',
      message: 'column "colour" of relation "device" does not exist',
      location: 'sql/003-verbose.sql:3',
    });
    expect(exceptionOf(await fixture('psql-15-duplicate-verbose.stderr'), SUT)).toEqual({
      name: 'ERROR 23505 unique_violation',
      message: 'duplicate key value violates unique constraint "device_pkey"; DETAIL: Key (id)=(1) already exists.',
      location: 'sql/004-duplicate.sql:3',
    });
  });

  it('makes an absolute script path relative to the checkout, and resolves a relative one in the step cwd', async () => {
    expect(exceptionOf(await fixture('psql-15-absolute.stderr'), SUT)?.location).toBe('sql/003-broken.sql:2');
    expect(exceptionOf(await fixture('psql-15-absolute.stderr'), '/elsewhere')?.location).toBeNull();
    expect(exceptionOf(await fixture('psql-15-default.stderr'), '/app', { cwd: 'db' })?.location).toBe(
      'db/sql/003-broken.sql:3',
    );
    expect(exceptionOf('psql:../x.sql:1: ERROR:  boom\n', '/app')?.location).toBeNull();
  });

  it('has no location for -c, stdin, and keeps terse mode whole', async () => {
    expect(exceptionOf(await fixture('psql-15-command.stderr'), SUT)).toEqual({
      name: 'ERROR',
      message: 'column "colour" of relation "device" does not exist',
      location: null,
    });
    expect(exceptionOf(await fixture('psql-15-stdin.stderr'), SUT)?.location).toBeNull();
    expect(exceptionOf(await fixture('psql-15-terse.stderr'), SUT)).toEqual({
      name: 'ERROR',
      message: 'column "colour" of relation "device" does not exist at character 26',
      location: 'sql/003-broken.sql:3',
    });
  });

  it("reads sqitch's deploy failure from the psql lines it passes on (the statement's last line)", async () => {
    expect(exceptionOf(await fixture('sqitch-1.3-deploy.stderr'), '/tmp/psqlerr-sqitch2')).toEqual({
      name: 'ERROR',
      message: 'column "colour" of relation "device" does not exist',
      location: 'deploy/stamp_firmware.sql:4',
    });
    // Both streams in one: psql's prefix after sqitch's progress on the same line.
    expect(exceptionOf('  + stamp_firmware .. psql:deploy/stamp_firmware.sql:4: ERROR:  boom\n', '/p')?.location).toBe(
      'deploy/stamp_firmware.sql:4',
    );
  });

  it('names no exception after a bare DETAIL or HINT', () => {
    expect(exceptionOf('DETAIL:  Key (id)=(1) already exists.\nHINT:  x\n', SUT)).toBeNull();
  });
});

describe("node-pg-migrate's errors", () => {
  it('names the SQLSTATE, the line of the SQL it sent, and the migration it ran', async () => {
    const stderr = await fixture('node-pg-migrate-9-up.stderr');
    const stdout = await fixture('node-pg-migrate-9-up.stdout');
    expect(exceptionOf(stderr, '/tmp/psqlerr-npm', { stdout, argv: ['npx', 'node-pg-migrate', 'up'] })).toEqual({
      name: 'ERROR 42703 undefined_column',
      message:
        'column "colour" of relation "device" does not exist (line 3 of the SQL it sent for 1700000000000_stamp-firmware)',
      location: 'migrations/1700000000000_stamp-firmware',
    });
    expect(
      exceptionOf(stderr, '/tmp/psqlerr-npm', { stdout, argv: ['node-pg-migrate', '-m', 'db/migrations', 'up'] })
        ?.location,
    ).toBe('db/migrations/1700000000000_stamp-firmware');
    // Without its stdout the migration is unknown; the error still is.
    expect(exceptionOf(stderr, '/tmp/psqlerr-npm')).toMatchObject({
      name: 'ERROR 42703 undefined_column',
      location: null,
    });
  });

  it('reads the form without a position (the SQL, then `error: ...`)', () => {
    // node-pg-migrate issue #894 shows it.
    const stderr = [
      'Error executing:',
      'ALTER TABLE "users"',
      '  ADD "contract_id" varchar(255);',
      'error: relation "users" does not exist',
    ];
    expect(nodePgMigrateErrorOf(stderr, [], ['--migrations-dir=m'])).toEqual({
      name: 'ERROR',
      message: 'relation "users" does not exist',
      migration: null,
    });
  });
});

describe('condition names', () => {
  it('maps the common SQLSTATEs and leaves others bare', () => {
    expect(conditionName('42P01')).toBe('undefined_table');
    expect(conditionName('XX999')).toBeNull();
    expect(serverErrorName('ERROR', 'XX999')).toBe('ERROR XX999');
    expect(serverErrorName('FATAL', null)).toBe('FATAL');
  });
});
