// The one statement classifier: what each statement of a SQL string is, read from PostgreSQL's own
// parse tree (libpg-query). Per statement: its kind (`CREATE TABLE`, `ALTER TABLE`, `DELETE`), its
// classes, additive (`ALTER TABLE ... DROP COLUMN` is ALTER and DROP; a data-modifying CTE adds its
// verb; a DO block's static SQL adds what it runs), each class with the objects it acts on (for the
// SQL policy's scopes), and the tables it may rewrite (`ALTER COLUMN ... TYPE`). Names are given as
// written: an unqualified name's schema is the search_path's, which the text does not hold.
import { ownExtras, innerWrites, upserts, type StatementParts } from './carried-actions.js';
import { partsOf } from './log-line.js';
import { isTree } from './parse-tree.js';
import { doBody } from './plpgsql-body.js';
import { parse } from './sql-parser.js';
import { kindOf } from './statement-kinds.js';
import { objectsOf, type StatementAction, type StatementObject } from './statement-objects.js';
import { verbOf } from './statement-verbs.js';

export { objectName, type StatementAction, type StatementObject } from './statement-objects.js';

/** The class and kind of a statement the parser could not read: reported, never dropped. */
export const UNPARSED = 'UNPARSED';

export interface ClassifiedStatement {
  /** The top-level statement's kind; UNPARSED for a part the parser could not read. */
  kind: string;
  /** Every class, its own first, each once. */
  classes: string[];
  actions: StatementAction[];
  /** Tables the statement may rewrite whole (ALTER COLUMN ... TYPE, SET LOGGED, CLUSTER, VACUUM FULL, ...). */
  rewrites: StatementObject[];
  /** A DO block in it runs dynamic SQL (EXECUTE): what that does is only known at run time. */
  dynamic: boolean;
}

const unparsed = (): ClassifiedStatement => ({
  kind: UNPARSED,
  classes: [UNPARSED],
  actions: [{ verb: UNPARSED, kind: UNPARSED, objects: [] }],
  rewrites: [],
  dynamic: false,
});

function finish(kind: string, parts: StatementParts): ClassifiedStatement {
  return {
    kind,
    classes: [...new Set(parts.actions.map((a) => a.verb))],
    actions: parts.actions,
    rewrites: parts.rewrites,
    dynamic: parts.dynamic,
  };
}

function absorb(parts: StatementParts, inner: ClassifiedStatement): void {
  parts.actions.push(...inner.actions);
  parts.rewrites.push(...inner.rewrites);
  parts.dynamic ||= inner.dynamic;
}

async function classifyNode(stmt: unknown, depth: number): Promise<ClassifiedStatement> {
  if (!isTree(stmt)) return unparsed();
  const [type, node] = Object.entries(stmt)[0] ?? [];
  if (type === undefined || !isTree(node)) return unparsed();
  const verb = verbOf(type, node);
  const kind = kindOf(type, node, verb);
  const objects = objectsOf(type, node);
  const parts: StatementParts = { actions: [{ verb, kind, objects }], rewrites: [], dynamic: false };
  if (type === 'InsertStmt' && upserts(node)) parts.actions.push({ verb: 'UPDATE', kind, objects });
  ownExtras(type, node, kind, objects, parts);
  innerWrites(node, type === 'MergeStmt' ? objects : [], parts);
  if (type === 'CreateSchemaStmt' && Array.isArray(node.schemaElts)) {
    for (const elt of node.schemaElts) absorb(parts, await classifyNode(elt, depth));
  }
  if (type === 'DoStmt' && depth < 4) {
    const body = await doBody(node);
    if (!body) parts.actions.push({ verb: UNPARSED, kind: UNPARSED, objects: [] });
    else {
      for (const query of body.queries) for (const inner of await classifyText(query, depth + 1)) absorb(parts, inner);
      if (body.dynamic) {
        parts.actions.push({ verb: 'EXECUTE', kind: 'EXECUTE', objects: [] });
        parts.dynamic = true;
      }
    }
  }
  return finish(kind, parts);
}

async function classifyText(text: string, depth: number): Promise<ClassifiedStatement[]> {
  if (text.trim() === '') return [];
  try {
    const result = await parse(text);
    const out: ClassifiedStatement[] = [];
    for (const raw of result.stmts ?? []) out.push(await classifyNode(raw.stmt, depth));
    return out;
  } catch {
    // One bad part must not hide the others: classify each part on its own.
    const parts = await partsOf(text);
    if (parts.length <= 1) return [unparsed()];
    const out: ClassifiedStatement[] = [];
    for (const part of parts) out.push(...(await classifyText(part, depth)));
    return out;
  }
}

/** Each statement of a SQL string, classified; an unreadable part is one UNPARSED statement. */
export async function classifyStatements(text: string): Promise<ClassifiedStatement[]> {
  return classifyText(text, 0);
}

/**
 * The classes of a SQL string: per statement, its own class then the classes it carries inside
 * (`WITH gone AS (DELETE ...) SELECT` gives SELECT, DELETE), each once per statement.
 */
export async function classify(text: string): Promise<string[]> {
  return (await classifyStatements(text)).flatMap((s) => s.classes);
}
