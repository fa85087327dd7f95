// pgaudit's session audit log on the dry-run server: the statement log (log_statement = 'all')
// sees only what a client sent (`select f()`, `DO $$ ... $$`), while pgaudit also logs, as
// sub-statements, what runs inside functions, DO blocks and triggers, dynamic SQL (EXECUTE)
// included, each with the table it touched. What it still misses (statements inside SECURITY
// DEFINER functions owned by a role the session user is not a member of, foreign-key cascades:
// pgaudit skips them on purpose) the write counters catch (write-counters.ts).
//
// The library is loaded at server start (PGAUDIT_SERVER_SETTINGS in server-settings.ts, a `-c` setting of the
// container); auditing is then switched on per role of the system under test, by the tool's
// superuser, as every pgaudit setting is superuser-only: the system under test cannot turn it off
// (`set pgaudit.log = 'none'` is refused: permission denied). The tool's own role is not audited,
// so the restore does not flood the log. No CREATE EXTENSION: session logging does not need it,
// and the extension would add event triggers to the database under test.
import { EnvironmentError } from '../errors.js';
import { withConnection } from './identity.js';
import { quoteIdent, quoteLiteral, type PgTarget } from './target.js';

/**
 * The session audit settings given to each role of the system under test (ALTER ROLE ... SET).
 * Every one is set, defaults too, so an image's postgresql.conf cannot change what is logged.
 */
export const SESSION_AUDIT_SETTINGS: Readonly<Record<string, string>> = {
  // Every class: READ, WRITE, FUNCTION, ROLE, DDL, MISC, MISC_SET (and any class a later pgaudit adds).
  'pgaudit.log': 'all',
  // One entry per relation, named schema-qualified, with the command its permissions show: without
  // it a DML statement is logged once with the first relation's command, so a data-modifying CTE
  // (`with gone as (delete ...) select ...`) is logged as READ,SELECT with no table.
  'pgaudit.log_relation': 'on',
  // With log_rows on, pgaudit holds a DML entry until the statement ends, and a statement that
  // fails is never logged, while the rows it wrote before failing still count in n_tup_*.
  'pgaudit.log_rows': 'off',
  // Each entry carries its own statement text (a sub-statement's own, for what runs inside a function).
  'pgaudit.log_statement': 'on',
  'pgaudit.log_statement_once': 'off',
  // Parameters may carry secrets, and explaining writes does not need them.
  'pgaudit.log_parameter': 'off',
  'pgaudit.log_catalog': 'on',
  // To the server log only: the system under test's own output must not change.
  'pgaudit.log_level': 'log',
  'pgaudit.log_client': 'off',
};

/** The server was asked to audit but cannot: pgaudit is not loaded. */
export class PgauditMissingError extends EnvironmentError {
  constructor(detail: string) {
    super('E_PGAUDIT_MISSING', `pgaudit is not loaded on the dry-run server (${detail})`, {
      hint: 'start the server with shared_preload_libraries=pgaudit from an image that has it (the local image does), or set `environment.session_audit: off` in the config',
    });
  }
}

export interface PgauditStatus {
  /** `pgaudit` is in shared_preload_libraries. */
  preloaded: boolean;
  /** Its settings are defined by the library (context superuser), not placeholders. */
  loaded: boolean;
  /** The extension's control file is installed (pg_available_extensions). */
  extensionAvailable: boolean;
  /** pg_available_extensions.default_version, or null. */
  version: string | null;
}

/** What the server says about pgaudit. */
export async function pgauditStatus(target: PgTarget): Promise<PgauditStatus> {
  return withConnection(target, 'pgaudit status', async (sql) => {
    const [row] = await sql<{ spl: string; context: string | null; version: string | null; available: boolean }[]>`
      select current_setting('shared_preload_libraries') as spl,
             (select context from pg_settings where name = 'pgaudit.log') as context,
             (select default_version from pg_available_extensions where name = 'pgaudit') as version,
             exists (select 1 from pg_available_extensions where name = 'pgaudit') as available`;
    const libraries = row!.spl.split(',').map((l) => l.trim().replace(/^"(.*)"$/, '$1'));
    return {
      preloaded: libraries.includes('pgaudit'),
      // A superuser can ALTER ROLE ... SET pgaudit.log without the library: a placeholder (context
      // user) that audits nothing.
      loaded: row!.context === 'superuser',
      extensionAvailable: row!.available,
      version: row!.version,
    };
  });
}

/** pgaudit is preloaded and its library defines its settings: session auditing will log. */
export async function pgauditAvailable(target: PgTarget): Promise<boolean> {
  const s = await pgauditStatus(target);
  return s.preloaded && s.loaded;
}

export interface SessionAuditEnabled {
  roles: string[];
  /** The settings in force per role afterwards, read back from pg_db_role_setting. */
  inForce: Record<string, Record<string, string>>;
}

/**
 * Switch session auditing on for each role (ALTER ROLE ... SET, as the tool's superuser), in one
 * transaction, and read the settings back. Takes effect for sessions that start afterwards, so call
 * it once the roles exist and before the system under test connects. Refuses when pgaudit is not
 * loaded: the settings would be placeholders that audit nothing.
 */
export async function enableSessionAudit(target: PgTarget, roles: readonly string[]): Promise<SessionAuditEnabled> {
  const status = await pgauditStatus(target);
  if (!status.preloaded || !status.loaded) {
    throw new PgauditMissingError(
      !status.preloaded ? 'not in shared_preload_libraries' : 'its settings are not defined by the library',
    );
  }
  const statements = roles.flatMap((role) =>
    Object.entries(SESSION_AUDIT_SETTINGS).map(
      ([name, value]) => `alter role ${quoteIdent(role)} set ${name} = ${quoteLiteral(value)}`,
    ),
  );
  return withConnection(target, 'enable session audit', async (sql) => {
    await sql.begin(async (tx) => {
      for (const statement of statements) await tx.unsafe(statement);
    });
    const rows = await sql<{ role: string; config: string[] | null }[]>`
      select r.rolname::text as role, s.setconfig as config
        from pg_roles r
        left join pg_db_role_setting s on s.setrole = r.oid and s.setdatabase = 0
       where r.rolname = any(${sql.array([...roles])}::text[])`;
    const inForce: Record<string, Record<string, string>> = {};
    for (const r of rows) {
      const settings: Record<string, string> = {};
      for (const item of r.config ?? []) {
        const at = item.indexOf('=');
        if (at > 0 && item.startsWith('pgaudit.')) settings[item.slice(0, at)] = item.slice(at + 1);
      }
      inForce[r.role] = settings;
    }
    return { roles: [...roles], inForce };
  });
}
