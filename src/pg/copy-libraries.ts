// The shared libraries production's C functions name (pg_proc.probin: `$libdir/pgcrypto`), asked
// of a physical copy's server: the catalog is production's, the library folder the image's. A
// library the image lacks would fail the first call of such a function in a scenario, which is
// the environment's doing, not the system under test's; G4 stops the run on it first.
import { withConnection } from './identity.js';
import type { PgTarget } from './target.js';

/** Each library a C function names, with the extension that owns the function ('' for none). */
export const C_LIBRARIES_QUERY = `select p.probin::text as library, coalesce(e.extname::text, '') as extension
  from pg_catalog.pg_proc p
  join pg_catalog.pg_language l on l.oid = p.prolang
  left join pg_catalog.pg_depend d
    on d.classid = 'pg_catalog.pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e'
  left join pg_catalog.pg_extension e on e.oid = d.refobjid
  where l.lanname = 'c' and p.probin is not null
  group by 1, 2 order by 1, 2`;

/** The server's library folder (`$libdir`); pg_config is a superuser's view. */
export const PKGLIBDIR_QUERY = "select setting from pg_catalog.pg_config where name = 'PKGLIBDIR'";

/** Which of the paths exist as files on the server (pg_stat_file with missing_ok: a superuser's). */
export const FILES_PRESENT_QUERY = `select path, coalesce(not (pg_catalog.pg_stat_file(path, true)).isdir, false) as present
  from unnest($1::text[]) as path`;

export interface CLibrary {
  library: string;
  /** The extensions whose functions name it; empty when only functions of no extension do. */
  extensions: string[];
  databases: string[];
}

/**
 * The files the server would try for a library name, in its order (dfmgr.c's
 * expand_dynamic_library_name): a leading `$libdir` is the library folder, a bare name is looked
 * for there (the default dynamic_library_path), and each is tried as given, then with `.so`.
 */
export function libraryCandidates(library: string, pkglibdir: string): string[] {
  const path = library.startsWith('$libdir')
    ? pkglibdir + library.slice('$libdir'.length)
    : library.includes('/')
      ? library
      : `${pkglibdir}/${library}`;
  return path.endsWith('.so') ? [path] : [path, `${path}.so`];
}

/** The libraries of which no candidate is present. */
export function absentLibraries(
  libraries: readonly CLibrary[],
  pkglibdir: string,
  present: ReadonlySet<string>,
): CLibrary[] {
  return libraries.filter((l) => !libraryCandidates(l.library, pkglibdir).some((p) => present.has(p)));
}

/** Every library named in the databases, merged across them: one read-only session per database. */
export async function copyLibraries(
  target: PgTarget,
  databases: readonly string[],
): Promise<{ libraries: CLibrary[]; missing: CLibrary[] }> {
  const byName = new Map<string, { extensions: Set<string>; databases: Set<string> }>();
  for (const database of databases) {
    const rows = await withConnection({ ...target, database }, 'C libraries', (sql) =>
      sql.begin('read only', (tx) => tx.unsafe<{ library: string; extension: string }[]>(C_LIBRARIES_QUERY)),
    );
    for (const { library, extension } of rows) {
      const l = byName.get(library) ?? { extensions: new Set<string>(), databases: new Set<string>() };
      if (extension) l.extensions.add(extension);
      l.databases.add(database);
      byName.set(library, l);
    }
  }
  const libraries = [...byName].map(([library, l]) => ({
    library,
    extensions: [...l.extensions].sort(),
    databases: [...l.databases].sort(),
  }));
  if (libraries.length === 0) return { libraries, missing: [] };
  return withConnection(target, 'C libraries', (sql) =>
    sql.begin('read only', async (tx) => {
      const [dir] = await tx.unsafe<{ setting: string }[]>(PKGLIBDIR_QUERY);
      const pkglibdir = dir!.setting;
      const paths = libraries.flatMap((l) => libraryCandidates(l.library, pkglibdir));
      const rows = await tx.unsafe<{ path: string; present: boolean }[]>(FILES_PRESENT_QUERY, [paths]);
      const present = new Set(rows.filter((r) => r.present).map((r) => r.path));
      return { libraries, missing: absentLibraries(libraries, pkglibdir, present) };
    }),
  );
}
