// The privileges actually in force on the dry-run server (G4), read with has_table_privilege,
// has_sequence_privilege and has_column_privilege (so grants through role membership, PUBLIC and
// superuser all count), and their difference from the expected matrix (sql/grant-matrix.yaml).
import { withConnection } from './identity.js';
import type { PgTarget } from './target.js';

export const TABLE_PRIVILEGES = ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER'] as const;
export const SEQUENCE_PRIVILEGES = ['USAGE', 'SELECT', 'UPDATE'] as const;
export const COLUMN_PRIVILEGES = ['SELECT', 'INSERT', 'UPDATE', 'REFERENCES'] as const;
/** Every privilege a matrix may name (for a zod enum of the matrix file). */
export const PRIVILEGES = [
  'SELECT',
  'INSERT',
  'UPDATE',
  'DELETE',
  'TRUNCATE',
  'REFERENCES',
  'TRIGGER',
  'USAGE',
] as const;
export type Privilege = (typeof PRIVILEGES)[number];

/**
 * role -> `schema.object` or `schema.table(column)` -> privileges; an object absent under a role means
 * no privilege at all. A column key holds what the role has on that column and not on its table.
 */
export type GrantMatrix = Record<string, Record<string, Privilege[]>>;

export interface GrantDifference {
  role: string;
  object: string;
  privilege: Privilege;
  expected: boolean;
  actual: boolean;
}

/**
 * The privileges in force for `roles` on every table, view, materialized view, foreign table,
 * partitioned table (the 7 table privileges) and sequence (USAGE, SELECT, UPDATE) of `schemas`, and
 * on every column of those tables where the role has a privilege its table does not give it (a
 * column-level GRANT), as `schema.table(column)`. Only objects where a role has at least one
 * privilege are listed; privileges, objects and roles sorted. A role that does not exist is absent
 * (it has nothing: the diff shows what it lacks).
 */
export async function readGrantsInForce(target: PgTarget, roles: string[], schemas: string[]): Promise<GrantMatrix> {
  type Row = { role: string; object: string; privilege: Privilege };
  const rows = await withConnection(target, 'grant matrix', (sql) =>
    sql.begin('read only', async (tx) => [
      ...(await tx<Row[]>`
      select r.rolname as role, n.nspname || '.' || c.relname as object, p.privilege
      from pg_roles r
      cross join pg_class c
      join pg_namespace n on n.oid = c.relnamespace
      cross join lateral unnest(case when c.relkind = 'S' then ${[...SEQUENCE_PRIVILEGES]}::text[]
                                     else ${[...TABLE_PRIVILEGES]}::text[] end) as p(privilege)
      where r.rolname = any(${roles}::text[])
        and n.nspname = any(${schemas}::text[])
        and c.relkind in ('r', 'p', 'v', 'm', 'f', 'S')
        and case when c.relkind = 'S' then has_sequence_privilege(r.oid, c.oid, p.privilege)
                 else has_table_privilege(r.oid, c.oid, p.privilege) end`),
      // A column without its own ACL (attacl null) has exactly its table's privileges: only columns
      // with one can hold a privilege the table does not give.
      ...(await tx<Row[]>`
      select r.rolname as role, n.nspname || '.' || c.relname || '(' || a.attname || ')' as object, p.privilege
      from pg_roles r
      cross join pg_class c
      join pg_namespace n on n.oid = c.relnamespace
      join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped and a.attacl is not null
      cross join lateral unnest(${[...COLUMN_PRIVILEGES]}::text[]) as p(privilege)
      where r.rolname = any(${roles}::text[])
        and n.nspname = any(${schemas}::text[])
        and c.relkind in ('r', 'p', 'v', 'm', 'f')
        and has_column_privilege(r.oid, c.oid, a.attnum, p.privilege)
        and not has_table_privilege(r.oid, c.oid, p.privilege)`),
    ]),
  );
  const matrix: GrantMatrix = {};
  for (const { role, object, privilege } of rows) ((matrix[role] ??= {})[object] ??= []).push(privilege);
  return normaliseMatrix(matrix);
}

/** Code-unit order, the same on every machine (localeCompare is not). */
const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The same matrix with roles, objects and privileges sorted, duplicates and empty lists dropped. */
export function normaliseMatrix(matrix: GrantMatrix): GrantMatrix {
  const out: GrantMatrix = {};
  for (const role of Object.keys(matrix).sort(byString)) {
    const objects: Record<string, Privilege[]> = {};
    for (const object of Object.keys(matrix[role]!).sort(byString)) {
      const privileges = [...new Set(matrix[role]![object]!)].sort(byString);
      if (privileges.length > 0) objects[object] = privileges;
    }
    if (Object.keys(objects).length > 0) out[role] = objects;
  }
  return out;
}

/** Every (role, object, privilege) held on one side only, sorted by role, object, privilege; empty when equal. */
export function diffGrantMatrix(expected: GrantMatrix, actual: GrantMatrix): GrantDifference[] {
  const has = (m: GrantMatrix, role: string, object: string, privilege: Privilege) =>
    m[role]?.[object]?.includes(privilege) ?? false;
  const keys = new Set<string>();
  for (const m of [expected, actual]) {
    for (const [role, objects] of Object.entries(m)) {
      for (const [object, privileges] of Object.entries(objects)) {
        for (const privilege of privileges) keys.add(JSON.stringify([role, object, privilege]));
      }
    }
  }
  const differences: GrantDifference[] = [];
  for (const key of keys) {
    const [role, object, privilege] = JSON.parse(key) as [string, string, Privilege];
    const e = has(expected, role, object, privilege);
    const a = has(actual, role, object, privilege);
    if (e !== a) differences.push({ role, object, privilege, expected: e, actual: a });
  }
  return differences.sort(
    (x, y) => byString(x.role, y.role) || byString(x.object, y.object) || byString(x.privilege, y.privilege),
  );
}
