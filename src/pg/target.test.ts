import { describe, expect, it } from 'vitest';
import { clientEnv, clientProcessEnv, dsnFor, quoteIdent, quoteLiteral, type PgTarget } from './target.js';

const target: PgTarget = {
  host: '127.0.0.1',
  port: 55432,
  user: 'rehearse_tool',
  password: 'p@ss:w/o?r#d&+=%!x',
  database: 'ledger',
};

describe('dsnFor', () => {
  it('percent-encodes every URL-reserved character of the password, so a URL parser gives it back exactly', () => {
    const dsn = dsnFor(target);
    expect(dsn).toBe('postgres://rehearse_tool:p%40ss%3Aw%2Fo%3Fr%23d%26%2B%3D%25!x@127.0.0.1:55432/ledger');
    const url = new URL(dsn);
    expect(decodeURIComponent(url.password)).toBe(target.password);
    expect(decodeURIComponent(url.username)).toBe(target.user);
    expect(url.hostname).toBe('127.0.0.1');
    expect(url.port).toBe('55432');
    expect(url.pathname).toBe('/ledger');
  });

  it('encodes the user name too and brackets an IPv6 host', () => {
    expect(dsnFor({ ...target, host: '::1', user: 'a@b', password: 'x' })).toBe(
      'postgres://a%40b:x@[::1]:55432/ledger',
    );
  });
});

describe('clientEnv', () => {
  it('gives libpq the whole connection, the password only in the environment', () => {
    expect(clientEnv(target, 'pg-rehearse backup')).toEqual({
      PGHOST: '127.0.0.1',
      PGPORT: '55432',
      PGUSER: 'rehearse_tool',
      PGDATABASE: 'ledger',
      PGPASSWORD: target.password,
      PGAPPNAME: 'pg-rehearse backup',
    });
  });

  it("drops inherited libpq variables from a child's environment so they cannot redirect the tool", () => {
    process.env.PGSERVICE = 'elsewhere';
    process.env.PGOPTIONS = '-c default_transaction_read_only=off';
    try {
      const env = clientProcessEnv(target, 'x', { PGOPTIONS: '-c default_transaction_read_only=on' });
      expect(env.PGSERVICE).toBeUndefined();
      expect(env.PGOPTIONS).toBe('-c default_transaction_read_only=on');
      expect(env.PGHOST).toBe('127.0.0.1');
      expect(env.PATH).toBe(process.env.PATH);
      expect(env.LC_MESSAGES).toBe('C');
    } finally {
      delete process.env.PGSERVICE;
      delete process.env.PGOPTIONS;
    }
  });
});

describe('quoting', () => {
  it('doubles embedded quotes of identifiers and literals', () => {
    expect(quoteIdent('we"ird')).toBe('"we""ird"');
    expect(quoteLiteral("it's")).toBe("'it''s'");
  });
});
