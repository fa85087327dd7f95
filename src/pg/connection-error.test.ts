import { describe, expect, it } from 'vitest';
import { connectionFailureHint, describeConnectionFailure } from './connection-error.js';
import { PgQueryError } from './identity.js';

const target = { host: 'db.example', port: 5433, user: 'reader', database: 'ledger' };
const sysErr = (code: string) => Object.assign(new Error(`${code}: something`), { code });
const pgErr = (sqlState: string) =>
  new PgQueryError('identity', target, sqlState, 'server said no', {
    cause: Object.assign(new Error('x'), { name: 'PostgresError', code: sqlState }),
  });

describe('describeConnectionFailure', () => {
  it('tells a wrong password, a refused connection, an unresolved host, no route, a timeout and a closed connection apart', () => {
    expect(describeConnectionFailure(pgErr('28P01'), target, 'production')).toEqual({
      kind: 'authentication',
      message:
        'production at db.example:5433 refused the password of user `reader` (SQLSTATE 28P01): the password in the DSN is wrong',
    });
    expect(describeConnectionFailure(pgErr('28000'), target, 'production').kind).toBe('authentication');
    expect(describeConnectionFailure(pgErr('3D000'), target, 'production').message).toContain(
      'has no database `ledger`',
    );
    expect(describeConnectionFailure(sysErr('ECONNREFUSED'), target, 'production')).toMatchObject({
      kind: 'refused',
      message: expect.stringContaining('nothing accepts connections at db.example:5433 (connection refused)'),
    });
    expect(describeConnectionFailure(sysErr('ENOTFOUND'), target, 'production')).toMatchObject({
      kind: 'unresolved',
      message: 'the host `db.example` of production does not resolve (ENOTFOUND)',
    });
    expect(describeConnectionFailure(sysErr('EHOSTUNREACH'), target, 'production').kind).toBe('unreachable');
    expect(describeConnectionFailure(sysErr('CONNECT_TIMEOUT'), target, 'production')).toMatchObject({
      kind: 'timeout',
      message: expect.stringContaining('did not answer in time'),
    });
    expect(describeConnectionFailure(sysErr('ECONNRESET'), target, 'production')).toMatchObject({
      kind: 'closed',
      message: expect.stringContaining('(ECONNRESET)'),
    });
  });

  it('finds the code through the cause of a wrapping error', () => {
    const wrapped = new PgQueryError('identity', target, null, 'connect ECONNREFUSED', {
      cause: sysErr('ECONNREFUSED'),
    });
    expect(describeConnectionFailure(wrapped, target, 'production').kind).toBe('refused');
  });

  it('keeps the message of anything else', () => {
    expect(describeConnectionFailure(new Error('odd'), target, 'production')).toEqual({
      kind: 'other',
      message: 'production at db.example:5433 does not answer: odd',
    });
  });

  it('advises the config key that names the DSN for what the DSN decides', () => {
    expect(connectionFailureHint('authentication', 'production.dsn_file')).toContain('production.dsn_file');
    expect(connectionFailureHint('timeout', 'production.dsn_file')).toContain('network');
  });
});
