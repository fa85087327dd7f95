// Rewrites and leftovers of a step, read from the catalog before and after it: a table whose
// relfilenode changed was rewritten whole (ALTER COLUMN ... TYPE, VACUUM FULL, CLUSTER, a table
// rewritten by ADD COLUMN ... DEFAULT volatile); an index left with indisvalid = false (a
// cancelled or failed CREATE INDEX CONCURRENTLY) serves no query; a constraint left NOT VALID is
// not checked for the rows already there.
import { psqlJson } from './psql-read.js';
import type { PgTarget } from './target.js';

export interface RelationState {
  /** By oid: `schema.table`, its relfilenode and its size in bytes (heap, indexes and TOAST). */
  tables: Record<string, { relation: string; relfilenode: string; bytes: number }>;
  /** `schema.index on schema.table`. */
  invalidIndexes: string[];
  /** `schema.table constraint`. */
  notValidConstraints: string[];
}

export interface StepLeftovers {
  rewrites: { relation: string; bytes: number }[];
  invalidIndexes: string[];
  notValidConstraints: string[];
}

const TABLES = `
  select c.oid::text as oid, n.nspname || '.' || c.relname as relation, c.relfilenode::text as relfilenode,
         pg_total_relation_size(c.oid)::bigint as bytes
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
   where c.relkind in ('r', 'm') and n.nspname not in ('pg_catalog', 'information_schema') and n.nspname !~ '^pg_toast'`;
const INVALID_INDEXES = `
  select ni.nspname || '.' || i.relname || ' on ' || nt.nspname || '.' || t.relname as name
    from pg_index x join pg_class i on i.oid = x.indexrelid join pg_namespace ni on ni.oid = i.relnamespace
    join pg_class t on t.oid = x.indrelid join pg_namespace nt on nt.oid = t.relnamespace
   where not x.indisvalid order by 1`;
const NOT_VALID = `
  select n.nspname || '.' || t.relname || ' ' || k.conname as name
    from pg_constraint k join pg_class t on t.oid = k.conrelid join pg_namespace n on n.oid = t.relnamespace
   where not k.convalidated order by 1`;

const READ_TIMEOUT_MS = 10_000;

/** The catalog's view of every user table's storage, and what is left invalid, in one snapshot. */
export async function readRelationState(target: PgTarget, signal?: AbortSignal): Promise<RelationState> {
  const rows = (q: string, cols: string) =>
    `coalesce((select json_agg(json_build_object(${cols})) from (${q}) r), '[]')`;
  const answer = await psqlJson<{
    tables: { oid: string; relation: string; relfilenode: string; bytes: number }[];
    invalid: string[];
    notValid: string[];
  }>(
    target,
    // Sizing a table waits behind an ACCESS EXCLUSIVE lock still held: lock_timeout gives up rather than wait.
    `begin transaction isolation level repeatable read read only;
     select json_build_object(
       'tables', ${rows(TABLES, "'oid', r.oid, 'relation', r.relation, 'relfilenode', r.relfilenode, 'bytes', r.bytes")},
       'invalid', coalesce((select json_agg(name) from (${INVALID_INDEXES}) r), '[]'),
       'notValid', coalesce((select json_agg(name) from (${NOT_VALID}) r), '[]'));
     commit;
`,
    {
      applicationName: 'pg-rehearse relation state',
      settings: '-c lock_timeout=2s',
      timeoutMs: READ_TIMEOUT_MS,
      signal,
    },
  );
  return {
    tables: Object.fromEntries(
      answer.tables.map((t) => [t.oid, { relation: t.relation, relfilenode: t.relfilenode, bytes: Number(t.bytes) }]),
    ),
    invalidIndexes: answer.invalid,
    notValidConstraints: answer.notValid,
  };
}

/** What a step rewrote (a table whose relfilenode changed, with its size after) and left invalid that was not before. */
export function leftoversOf(before: RelationState, after: RelationState): StepLeftovers {
  const rewrites = Object.entries(after.tables)
    .filter(([oid, t]) => before.tables[oid] !== undefined && before.tables[oid].relfilenode !== t.relfilenode)
    .map(([, t]) => ({ relation: t.relation, bytes: t.bytes }))
    .sort((a, b) => a.relation.localeCompare(b.relation));
  const fresh = (now: string[], was: string[]) => now.filter((x) => !was.includes(x));
  return {
    rewrites,
    invalidIndexes: fresh(after.invalidIndexes, before.invalidIndexes),
    notValidConstraints: fresh(after.notValidConstraints, before.notValidConstraints),
  };
}
