// What the dry-run image gives a physical copy, asked of the copy's own server: the extension
// versions whose control and script files its extension folder holds, and the version its C
// library (or ICU) gives each database's default collation today. Only that server can tell:
// the copy's catalog is production's, its files and libraries are the image's.
import { withConnection } from './identity.js';
import type { PgTarget } from './target.js';

/** Extension versions the server's extension folder can install (its control and script files). */
export const AVAILABLE_EXTENSIONS_QUERY =
  'select name::text as name, version::text as version from pg_catalog.pg_available_extension_versions';

/** Each connectable database's default collation version as the server's libraries give it now (PostgreSQL 15+). */
export const COLLATION_ACTUAL_QUERY =
  'select datname::text as name, pg_catalog.pg_database_collation_actual_version(oid) as actual from pg_catalog.pg_database where datallowconn order by datname';

export interface CopyImageSupport {
  /** `name` -> the versions available. */
  extensions: Map<string, Set<string>>;
  /** Database -> its collation's actual version on the copy (null: C/POSIX, or a server before 15). */
  collationVersions: Map<string, string | null>;
}

/** Both, in one read-only session of the copy. */
export async function copyImageSupport(target: PgTarget, serverVersionNum: number): Promise<CopyImageSupport> {
  return withConnection(target, 'image support', (sql) =>
    sql.begin('read only', async (tx) => {
      const available = await tx.unsafe<{ name: string; version: string }[]>(AVAILABLE_EXTENSIONS_QUERY);
      const collations =
        serverVersionNum >= 150000
          ? await tx.unsafe<{ name: string; actual: string | null }[]>(COLLATION_ACTUAL_QUERY)
          : [];
      const extensions = new Map<string, Set<string>>();
      for (const { name, version } of available) extensions.set(name, (extensions.get(name) ?? new Set()).add(version));
      return { extensions, collationVersions: new Map(collations.map((c) => [c.name, c.actual])) };
    }),
  );
}
