// Reading a server: who it is (system identifier, start time, version), exact row counts of
// watched tables, and the rows of one query (scenario SQL assertions). Each call opens and closes
// its own connection, and reads in a read-only transaction: these run against production too.
import type { Sql } from 'postgres';
import { EnvironmentError, UsageError, messageOf } from '../errors.js';
import {
  checkSessionMarker,
  MarkerMismatchError,
  SESSION_MARKER_QUERY,
  SESSION_PID_QUERY,
  SessionReopenedError,
} from './session-marker.js';
import { connect, quoteIdent, type ConnectOptions, type PgTarget } from './target.js';

export interface ServerIdentity {
  /** pg_control_system().system_identifier, a bigint, as a decimal string. */
  systemIdentifier: string;
  /** pg_postmaster_start_time() as PostgreSQL prints it (the same text readiness records). */
  postmasterStart: string;
  /** current_setting('server_version'), e.g. "15.20 (Debian 15.20-0+deb12u1)". */
  serverVersion: string;
  /** current_setting('server_version_num'), e.g. 150020. */
  serverVersionNum: number;
}

/** A query the server refused or a connection that failed; the caller classifies it. */
export class PgQueryError extends EnvironmentError {
  constructor(
    readonly what: string,
    readonly target: { host: string; port: number; database: string },
    /** SQLSTATE when the server answered with an error, else null (connection failures). */
    readonly sqlState: string | null,
    detail: string,
    options: { cause?: unknown } = {},
  ) {
    super('E_PG_QUERY', `${what} on ${target.host}:${target.port}/${target.database} failed: ${detail}`, options);
  }
}

/** Run `work` on a fresh connection, always closed; a failure becomes a PgQueryError naming `what`. */
export async function withConnection<T>(
  target: PgTarget,
  what: string,
  work: (sql: Sql) => Promise<T>,
  opts: ConnectOptions = {},
): Promise<T> {
  const sql = connect(target, `pg-rehearse ${what}`, opts);
  try {
    if (!target.marker) return await work(sql);
    // A physical copy's run: the session proves the marker first, and that it is still that backend last.
    const pidOf = async (text: string) =>
      (await sql.begin('read only', (tx) => tx.unsafe<{ marker?: string | null; pid: number }[]>(text)))[0]!;
    const first = await pidOf(SESSION_MARKER_QUERY);
    checkSessionMarker(target, first.marker ?? null);
    const result = await work(sql);
    const last = await pidOf(SESSION_PID_QUERY);
    if (last.pid !== first.pid) throw new SessionReopenedError(target, first.pid, last.pid);
    return result;
  } catch (err) {
    if (
      err instanceof UsageError ||
      err instanceof PgQueryError ||
      err instanceof MarkerMismatchError ||
      err instanceof SessionReopenedError
    )
      throw err;
    throw new PgQueryError(
      what,
      { host: target.host, port: target.port, database: target.database },
      sqlStateOf(err),
      messageOf(err),
      { cause: err },
    );
  } finally {
    await sql.end({ timeout: 5 }).catch(() => {});
  }
}

/** The SQLSTATE of a server error from postgres.js, else null. */
function sqlStateOf(err: unknown): string | null {
  if (
    typeof err === 'object' &&
    err !== null &&
    'name' in err &&
    err.name === 'PostgresError' &&
    'code' in err &&
    typeof err.code === 'string'
  )
    return err.code;
  return null;
}

/** The one query serverIdentity sends (in a read-only transaction): the report lists it among the statements sent to production. */
export const IDENTITY_QUERY =
  "select (select system_identifier from pg_control_system())::text as sysid, pg_postmaster_start_time()::text as started, current_setting('server_version') as version, current_setting('server_version_num') as num";

/** System identifier, postmaster start time and version of the server; any login role may read them. */
export async function serverIdentity(target: PgTarget): Promise<ServerIdentity> {
  return withConnection(target, 'identity', (sql) =>
    sql.begin('read only', async (tx) => {
      const [row] = await tx.unsafe<{ sysid: string; started: string; version: string; num: string }[]>(IDENTITY_QUERY);
      return {
        systemIdentifier: row!.sysid,
        postmasterStart: row!.started,
        serverVersion: row!.version,
        serverVersionNum: Number(row!.num),
      };
    }),
  );
}

/** The catalog query of the preflight (same read-only transaction as the identity): which of the watched tables ($1) the server does not have. */
// From pg_class by exact name, not to_regclass: a role without USAGE on the schema still sees the catalog, and a table it may not read is not missing.
export const MISSING_TABLES_QUERY =
  "select t as name from unnest($1::text[]) as t where not exists (select 1 from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace where n.nspname = split_part(t, '.', 1) and c.relname = split_part(t, '.', 2)) order by t";

/** Identity, and the `schema.table` names of `tables` that the server's catalog does not have, in one read-only transaction. */
export async function serverPreflight(
  target: PgTarget,
  tables: readonly string[],
): Promise<{ identity: ServerIdentity; missingTables: string[] }> {
  return withConnection(target, 'identity', (sql) =>
    sql.begin('read only', async (tx) => {
      const [row] = await tx.unsafe<{ sysid: string; started: string; version: string; num: string }[]>(IDENTITY_QUERY);
      const missing = await tx.unsafe<{ name: string }[]>(MISSING_TABLES_QUERY, [tables as string[]]);
      return {
        identity: {
          systemIdentifier: row!.sysid,
          postmasterStart: row!.started,
          serverVersion: row!.version,
          serverVersionNum: Number(row!.num),
        },
        missingTables: missing.map((m) => m.name),
      };
    }),
  );
}

/** `schema.table` -> its two parts; anything else is a usage error naming the value. */
export function parseTableName(table: string): { schema: string; table: string } {
  const parts = table.split('.');
  if (parts.length !== 2 || !parts[0] || !parts[1]) {
    throw new UsageError(`Expected a table as \`schema.table\`, got \`${table}\``);
  }
  return { schema: parts[0], table: parts[1] };
}

/** Exact `count(*)` of each `schema.table`, all read in one read-only snapshot. */
export async function rowCounts(target: PgTarget, tables: string[]): Promise<Record<string, number>> {
  const quoted = tables.map((t) => {
    const { schema, table } = parseTableName(t);
    return { name: t, sql: `${quoteIdent(schema)}.${quoteIdent(table)}` };
  });
  return withConnection(target, 'row counts', (sql) =>
    sql.begin('isolation level repeatable read read only', async (tx) => {
      const counts: Record<string, number> = {};
      for (const t of quoted) {
        const [row] = await tx.unsafe<{ n: string }[]>(`select count(*)::text as n from ${t.sql}`);
        counts[t.name] = Number(row!.n);
      }
      return counts;
    }),
  );
}

/**
 * The rows of one query, as plain objects, run in a read-only transaction (an assertion cannot
 * change what it checks). Values keep postgres.js's types: bigint and numeric come back as strings,
 * timestamps as Date.
 */
export async function queryRows(target: PgTarget, sqlText: string): Promise<Record<string, unknown>[]> {
  return withConnection(target, 'query', (sql) =>
    sql.begin('read only', async (tx) => {
      // postgres.js sends an unsafe query without parameters over the simple protocol, which runs
      // several `;`-separated statements; the extended protocol (`simple: false`, not in its types)
      // refuses more than one, so an assertion is exactly one query.
      const rows = await tx.unsafe<Record<string, unknown>[]>(sqlText, [], { simple: false } as { prepare?: boolean });
      return rows.map((r) => ({ ...r }));
    }),
  );
}
