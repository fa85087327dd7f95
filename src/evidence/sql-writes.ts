// Which tables a SQL string names and which it writes. The writes are the statement classifier's
// (statement-classifier.ts): the target of each INSERT, UPDATE, DELETE, MERGE action, COPY FROM
// and TRUNCATE, wherever it sits (a data-modifying CTE, EXPLAIN ANALYZE, PREPARE, COPY (...), the
// static SQL of a DO block's PL/pgSQL body). Names are given as written: the search_path they
// resolve against is not in the text.
import { parse } from './sql-parser.js';
import { partsOf } from './log-line.js';
import { isTree, walkNodes, type Tree } from './parse-tree.js';
import { doBody } from './plpgsql-body.js';
import { classifyStatements, UNPARSED } from './statement-classifier.js';

/** A relation as a statement names it: `schema` is null when unqualified. */
export interface NamedTable {
  schema: string | null;
  table: string;
}

/** The verbs that change rows; TRUNCATE empties a table without counting deleted rows. */
export type WriteVerb = 'INSERT' | 'UPDATE' | 'DELETE' | 'TRUNCATE';

export interface StatementWrite {
  verb: WriteVerb;
  table: NamedTable;
}

export interface WritesOfText {
  writes: StatementWrite[];
  /** A part the parser could not read: what it writes is unknown. */
  unparsed: boolean;
  /** A DO block runs dynamic SQL (EXECUTE): what it writes is only known at run time. */
  dynamic: boolean;
}

/** `schema.table` or `table`; a catalog (database) name is dropped, as PostgreSQL only allows the current one. */
export function tableName(t: NamedTable): string {
  return t.schema === null ? t.table : `${t.schema}.${t.table}`;
}

function rangeVar(node: unknown): NamedTable | null {
  const rv = isTree(node) && isTree(node.RangeVar) ? node.RangeVar : node;
  if (!isTree(rv) || typeof rv.relname !== 'string') return null;
  return { schema: typeof rv.schemaname === 'string' ? rv.schemaname : null, table: rv.relname };
}

/** Every relation named anywhere in a parse tree, a DO block's static SQL included. */
async function walkTree(tree: unknown, out: { tables: NamedTable[] }, depth: number): Promise<void> {
  const pending: Tree[] = [];
  walkNodes(tree, (key, child) => {
    if (!isTree(child)) return;
    if (key === 'RangeVar' || (key === 'relation' && typeof child.relname === 'string')) {
      const t = rangeVar(child);
      if (t) out.tables.push(t);
    }
    if (key === 'DoStmt') pending.push(child);
  });
  for (const node of pending) {
    const body = depth < 4 ? await doBody(node) : null;
    for (const query of body?.queries ?? []) await walkText(query, out, depth + 1);
  }
}

async function walkText(text: string, out: { tables: NamedTable[] }, depth: number): Promise<void> {
  if (text.trim() === '') return;
  try {
    await walkTree(await parse(text), out, depth);
  } catch {
    // One bad part must not hide the others.
    const parts = await partsOf(text);
    if (parts.length <= 1) return;
    for (const part of parts) await walkText(part, out, depth);
  }
}

function unique<T>(items: readonly T[], keyOf: (t: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((t) => {
    const k = keyOf(t);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

const WRITE_VERBS = new Set<string>(['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE']);

/**
 * The writes of a SQL string (each verb and table once), whether a part was unreadable, whether it
 * runs dynamic SQL: the classifier's INSERT, UPDATE, DELETE and TRUNCATE classes, on their relations.
 */
export async function writesOf(text: string): Promise<WritesOfText> {
  const parts = await classifyStatements(text);
  const writes: StatementWrite[] = parts.flatMap((p) =>
    p.actions
      .filter((a) => WRITE_VERBS.has(a.verb))
      .flatMap((a) =>
        a.objects
          .filter((o) => o.relation && o.name !== null)
          .map((o) => ({ verb: a.verb as WriteVerb, table: { schema: o.schema, table: o.name! } })),
      ),
  );
  return {
    writes: unique(writes, (w) => `${w.verb}\0${w.table.schema ?? ''}\0${w.table.table}`),
    unparsed: parts.some((p) => p.classes.includes(UNPARSED)),
    dynamic: parts.some((p) => p.dynamic),
  };
}

/** Every relation a SQL string names (RangeVar nodes: `schema.table` or `table`), once each in parse-tree order; CTE names included. */
export async function tablesOf(text: string): Promise<string[]> {
  const out = { tables: [] as NamedTable[] };
  await walkText(text, out, 0);
  return unique(out.tables.map(tableName), (t) => t);
}
