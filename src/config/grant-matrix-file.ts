// The grant matrix file (artefacts.grant_matrix): role -> object -> the privileges expected in force.
// An object is `schema.object` (a table, view, materialized view, foreign table or sequence) or
// `schema.table(column)`: the privileges a role holds on that column alone, by a column-level GRANT.
import { z } from 'zod';
import { RoleName } from './rehearsal-config.js';

const IDENT = '[a-z_][a-z0-9_]*';
/** `schema.object`, or `schema.table(column)` for a column's own privileges. */
const GRANT_OBJECT = new RegExp(`^${IDENT}\\.${IDENT}(\\(${IDENT}\\))?$`);
const COLUMN_OBJECT = new RegExp(`^(${IDENT}\\.${IDENT})\\((${IDENT})\\)$`);

export const Privilege = z.enum(['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER', 'USAGE']);
/** The privileges PostgreSQL grants on a column. */
const COLUMN_PRIVILEGES = ['SELECT', 'INSERT', 'UPDATE', 'REFERENCES'] as const;

/** `{ table, column }` of a `schema.table(column)` key, or null for a `schema.object` key. */
export function columnOf(object: string): { table: string; column: string } | null {
  const m = COLUMN_OBJECT.exec(object);
  return m ? { table: m[1]!, column: m[2]! } : null;
}

type Objects = Record<string, z.infer<typeof Privilege>[]>;

/**
 * Each key is `schema.object` or `schema.table(column)`. A column key holds only column privileges, and none its table's key already lists under the same
 * role: a table-level privilege covers every column, so it is never in force as a column grant.
 */
function checkObjects(objects: Objects, ctx: z.RefinementCtx): void {
  for (const [object, privileges] of Object.entries(objects)) {
    if (!GRANT_OBJECT.test(object)) {
      ctx.addIssue({ code: 'custom', path: [object], message: 'a key is schema.object or schema.table(column)' });
      continue;
    }
    const col = columnOf(object);
    if (!col) continue;
    privileges.forEach((p, i) => {
      if (!(COLUMN_PRIVILEGES as readonly string[]).includes(p))
        ctx.addIssue({
          code: 'custom',
          path: [object, i],
          message: `${p} is not a column privilege (a column takes ${COLUMN_PRIVILEGES.join(', ')})`,
        });
      else if (objects[col.table]?.includes(p))
        ctx.addIssue({
          code: 'custom',
          path: [object, i],
          message: `${p} on ${col.table} already covers every column: drop it from ${object}`,
        });
    });
  }
}

/** Expected privileges in force: role -> `schema.object` or `schema.table(column)` -> privileges. */
export const GrantMatrixFile = z.record(
  RoleName,
  // Keys are checked in the refinement, so the message says what a key must be (zod's is "Invalid key in record").
  z.record(z.string(), z.array(Privilege)).superRefine(checkObjects),
);
export type GrantMatrixFile = z.infer<typeof GrantMatrixFile>;
