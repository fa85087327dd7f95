// What a physical copy carries of production besides its files: every database that accepts
// connections, its collation facts (provider, locale, the collation version production recorded)
// and the extensions installed in it. Read at G1 over read-only sessions, one per database,
// because pg_extension is per database and a base backup copies the whole cluster.
import { READ_ONLY_PGOPTIONS } from './dump.js';
import { PgQueryError, withConnection } from './identity.js';
import type { PgTarget } from './target.js';

export interface InstalledExtension {
  name: string;
  version: string;
}

export interface DatabaseFacts {
  name: string;
  /** pg_database.datlocprovider as a word: libc, icu, builtin (PostgreSQL 17); libc before 15. */
  provider: string;
  /** The default collation's locale: the ICU locale of an ICU database, else datcollate. */
  locale: string;
  collate: string;
  ctype: string;
  /** pg_database.datcollversion (PostgreSQL 15+): the version the default collation had when recorded; null before 15 or for C/POSIX. */
  recordedVersion: string | null;
  /** pg_database_collation_actual_version() on production itself (PostgreSQL 15+), else null. */
  actualVersion: string | null;
  extensions: InstalledExtension[];
}

const databasesQuery = (provider: string, locale: string, recorded: string, actual: string) =>
  `select datname::text as name, ${provider} as provider, ${locale} as locale, datcollate::text as collate, datctype::text as ctype, ${recorded} as recorded, ${actual} as actual from pg_catalog.pg_database where datallowconn order by datname`;
const PROVIDER = "case datlocprovider when 'i' then 'icu' when 'b' then 'builtin' else 'libc' end";
const VERSIONS = ['datcollversion', 'pg_catalog.pg_database_collation_actual_version(oid)'] as const;

/** The databases of the cluster and their collation facts, PostgreSQL 17 and later (datlocale). */
export const CLUSTER_DATABASES_QUERY_17 = databasesQuery(
  PROVIDER,
  'coalesce(datlocale, datcollate)::text',
  ...VERSIONS,
);

/** The same for PostgreSQL 15 and 16 (daticulocale: an ICU database's locale). */
export const CLUSTER_DATABASES_QUERY_15 = databasesQuery(
  PROVIDER,
  "case datlocprovider when 'i' then daticulocale else datcollate end::text",
  ...VERSIONS,
);

/** The same before PostgreSQL 15: libc only, no collation version recorded. */
export const CLUSTER_DATABASES_QUERY_PRE15 = databasesQuery("'libc'", 'datcollate::text', 'null::text', 'null::text');

/** The extensions installed in the database of the session. */
export const EXTENSIONS_QUERY =
  'select extname::text as name, extversion as version from pg_catalog.pg_extension order by extname';

/** The query of the databases for a server of this version. */
export function clusterDatabasesQuery(serverVersionNum: number): string {
  if (serverVersionNum >= 170000) return CLUSTER_DATABASES_QUERY_17;
  return serverVersionNum >= 150000 ? CLUSTER_DATABASES_QUERY_15 : CLUSTER_DATABASES_QUERY_PRE15;
}

type DbRow = {
  name: string;
  provider: string;
  locale: string;
  collate: string;
  ctype: string;
  recorded: string | null;
  actual: string | null;
};

export interface ClusterFacts {
  databases: DatabaseFacts[];
  /** The databases the server refused a session to (pg_hba or CONNECT), with its words; their extensions are unknown. */
  refused: { name: string; error: string }[];
}

/** Every connectable database's collation facts and extensions, each over its own read-only session; `sent` hears every statement. */
export async function clusterFacts(
  target: PgTarget,
  serverVersionNum: number,
  sent: (statements: string[]) => void,
): Promise<ClusterFacts> {
  const opts = { sessionOptions: READ_ONLY_PGOPTIONS, fetchTypes: false };
  const query = clusterDatabasesQuery(serverVersionNum);
  sent(['BEGIN READ ONLY', query, 'COMMIT']);
  const rows = await withConnection(
    target,
    'databases',
    (sql) => sql.begin('read only', async (tx) => tx.unsafe<DbRow[]>(query)),
    opts,
  );
  const databases: DatabaseFacts[] = [];
  const refused: ClusterFacts['refused'] = [];
  for (const row of rows) {
    sent(['BEGIN READ ONLY', `${EXTENSIONS_QUERY} (in database ${row.name})`, 'COMMIT']);
    try {
      const extensions = await withConnection(
        { ...target, database: row.name },
        'extensions',
        (sql) => sql.begin('read only', async (tx) => tx.unsafe<InstalledExtension[]>(EXTENSIONS_QUERY)),
        opts,
      );
      databases.push({
        name: row.name,
        provider: row.provider,
        locale: row.locale,
        collate: row.collate,
        ctype: row.ctype,
        recordedVersion: row.recorded,
        actualVersion: row.actual,
        extensions: extensions.map((e) => ({ name: e.name, version: e.version })),
      });
    } catch (err) {
      if (!(err instanceof PgQueryError)) throw err;
      refused.push({ name: row.name, error: err.message });
    }
  }
  return { databases, refused };
}
