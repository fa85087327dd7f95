// A PostgreSQL server to talk to, and the three ways of handing it over: a `postgres` connection,
// the environment of a client-tool child process, and a DSN for the system under test. The
// password goes into a connection, a child's environment or a DSN handed to a child's
// environment; never into argv, a message or a log line.
import postgres, { type Sql } from 'postgres';
import type { SessionMarker } from './session-marker.js';

export interface PgTarget {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  /** A physical copy's run: the marker every fresh session must find (session-marker.ts); none otherwise. */
  marker?: SessionMarker | undefined;
}

export interface ConnectOptions {
  /** Startup `options` (what PGOPTIONS sets for libpq), e.g. `-c default_transaction_read_only=on`. */
  sessionOptions?: string;
  /**
   * Read the server's array types when the session opens (the client's default). A session that
   * reads no arrays skips it: the client does not handle that read failing on a server that goes
   * away as the session opens (an unhandled rejection).
   */
  fetchTypes?: boolean;
}

/** A single-connection `postgres` client for the target; the caller ends it (`sql.end()`). */
export function connect(target: PgTarget, applicationName: string, opts: ConnectOptions = {}): Sql {
  return postgres({
    host: target.host,
    port: target.port,
    user: target.user,
    pass: target.password,
    database: target.database,
    max: 1,
    connect_timeout: 10,
    idle_timeout: 5,
    onnotice: () => {},
    fetch_types: opts.fetchTypes ?? true,
    connection: { application_name: applicationName, ...(opts.sessionOptions ? { options: opts.sessionOptions } : {}) },
  });
}

/** The libpq environment that points a client tool (psql, pg_dump) at the target. */
export function clientEnv(target: PgTarget, applicationName = 'pg-rehearse'): Record<string, string> {
  return {
    PGHOST: target.host,
    PGPORT: String(target.port),
    PGUSER: target.user,
    PGDATABASE: target.database,
    PGPASSWORD: target.password,
    PGAPPNAME: applicationName,
  };
}

/**
 * The whole environment of a client-tool child: the parent's, minus every inherited libpq
 * variable (a stray PGOPTIONS, PGSERVICE or PGPASSFILE would change what the tool connects to or
 * how) and LC_ALL, plus the target's, English messages (their ERROR lines are parsed) and `extra`.
 */
export function clientProcessEnv(
  target: PgTarget,
  applicationName: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || key.startsWith('PG') || key === 'LC_ALL') continue;
    env[key] = value;
  }
  return { ...env, LC_MESSAGES: 'C', PGCONNECT_TIMEOUT: '10', ...clientEnv(target, applicationName), ...extra };
}

/** `postgres://user:password@host:port/database`, each part percent-encoded (passwords hold @:/?#&+=%!). */
export function dsnFor(target: PgTarget): string {
  const host = target.host.includes(':') && !target.host.startsWith('[') ? `[${target.host}]` : target.host;
  return `postgres://${encodeURIComponent(target.user)}:${encodeURIComponent(target.password)}@${host}:${target.port}/${encodeURIComponent(target.database)}`;
}

/** A SQL identifier, double-quoted (embedded quotes doubled), for statements that cannot take parameters. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** A SQL string literal, single-quoted (embedded quotes doubled; standard_conforming_strings is on since 9.1). */
export function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}
