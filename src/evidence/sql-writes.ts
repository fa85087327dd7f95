// Which tables a SQL string names and which it writes, read from PostgreSQL's own parse tree
// (libpg-query): the RangeVar of each INSERT, UPDATE, DELETE, MERGE, COPY FROM and TRUNCATE,
// wherever it sits (a data-modifying CTE, EXPLAIN ANALYZE, PREPARE, COPY (...), the static SQL
// of a DO block's PL/pgSQL body). Names are given as written: the search_path they resolve
// against is not in the text.
import { parse } from './sql-parser.js';
import { partsOf } from './log-line.js';
import { doBody, isTree, type Tree } from './plpgsql-body.js';

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

const MERGE_ACTIONS: Record<string, WriteVerb> = { CMD_INSERT: 'INSERT', CMD_UPDATE: 'UPDATE', CMD_DELETE: 'DELETE' };

/** The writes of one statement node (not its children). */
function nodeWrites(type: string, node: Tree): StatementWrite[] {
  const target = rangeVar(node.relation);
  switch (type) {
    case 'InsertStmt': {
      if (!target) return [];
      const writes: StatementWrite[] = [{ verb: 'INSERT', table: target }];
      // INSERT ... ON CONFLICT DO UPDATE updates the rows it conflicts with (n_tup_upd).
      if (isTree(node.onConflictClause) && node.onConflictClause.action === 'ONCONFLICT_UPDATE') writes.push({ verb: 'UPDATE', table: target });
      return writes;
    }
    case 'UpdateStmt':
      return target ? [{ verb: 'UPDATE', table: target }] : [];
    case 'DeleteStmt':
      return target ? [{ verb: 'DELETE', table: target }] : [];
    case 'MergeStmt': {
      if (!target || !Array.isArray(node.mergeWhenClauses)) return [];
      const verbs = new Set<WriteVerb>();
      for (const clause of node.mergeWhenClauses) {
        const c = isTree(clause) && isTree(clause.MergeWhenClause) ? clause.MergeWhenClause : null;
        const verb = c ? MERGE_ACTIONS[String(c.commandType)] : undefined;
        if (verb) verbs.add(verb);
      }
      return [...verbs].map((verb) => ({ verb, table: target }));
    }
    case 'CopyStmt':
      return target && node.is_from === true ? [{ verb: 'INSERT', table: target }] : [];
    case 'TruncateStmt':
      return Array.isArray(node.relations) ? node.relations.map(rangeVar).filter((t): t is NamedTable => t !== null).map((table) => ({ verb: 'TRUNCATE' as const, table })) : [];
    default:
      return [];
  }
}


/** Every relation named anywhere in a parse tree, and the writes of its statements. */
async function walkTree(tree: unknown, out: WritesOfText & { tables: NamedTable[] }, depth: number): Promise<void> {
  const pending: Tree[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) {
      value.forEach(walk);
      return;
    }
    if (!isTree(value)) return;
    for (const [key, child] of Object.entries(value)) {
      if (!isTree(child)) {
        walk(child);
        continue;
      }
      if (key === 'RangeVar' || (key === 'relation' && typeof child.relname === 'string')) {
        const t = rangeVar(child);
        if (t) out.tables.push(t);
      }
      out.writes.push(...nodeWrites(key, child));
      if (key === 'DoStmt') pending.push(child);
      walk(child);
    }
  };
  walk(tree);
  for (const node of pending) {
    const body = depth < 4 ? await doBody(node) : null;
    if (!body) {
      out.unparsed = true;
      continue;
    }
    if (body.dynamic) out.dynamic = true;
    for (const query of body.queries) await walkText(query, out, depth + 1);
  }
}


async function walkText(text: string, out: WritesOfText & { tables: NamedTable[] }, depth: number): Promise<void> {
  if (text.trim() === '') return;
  try {
    await walkTree(await parse(text), out, depth);
  } catch {
    // One bad part must not hide the others.
    const parts = await partsOf(text);
    if (parts.length <= 1) {
      out.unparsed = true;
      return;
    }
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

/** The writes of a SQL string (each verb and table once), whether a part was unreadable, whether it runs dynamic SQL. */
export async function writesOf(text: string): Promise<WritesOfText> {
  const out = { writes: [] as StatementWrite[], tables: [] as NamedTable[], unparsed: false, dynamic: false };
  await walkText(text, out, 0);
  return { writes: unique(out.writes, (w) => `${w.verb}\0${w.table.schema ?? ''}\0${w.table.table}`), unparsed: out.unparsed, dynamic: out.dynamic };
}

/** Every relation a SQL string names (RangeVar nodes: `schema.table` or `table`), once each in parse-tree order; CTE names included. */
export async function tablesOf(text: string): Promise<string[]> {
  const out = { writes: [] as StatementWrite[], tables: [] as NamedTable[], unparsed: false, dynamic: false };
  await walkText(text, out, 0);
  return unique(out.tables.map(tableName), (t) => t);
}
