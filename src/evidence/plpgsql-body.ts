// The static SQL inside a DO block's PL/pgSQL body, read with PostgreSQL's own PL/pgSQL parser;
// shared by the verb trace and the write extraction.
import { isTree, walkNodes, type Tree } from './parse-tree.js';
import { parsePlPgSQL } from './sql-parser.js';

function stringArg(args: unknown, name: string): string | null {
  if (!Array.isArray(args)) return null;
  for (const item of args) {
    const def = isTree(item) && isTree(item.DefElem) ? item.DefElem : null;
    if (def?.defname === name && isTree(def.arg) && isTree(def.arg.String) && typeof def.arg.String.sval === 'string')
      return def.arg.String.sval;
  }
  return null;
}

/** The static SQL of a DO block's PL/pgSQL body, and whether it runs dynamic SQL; null when unreadable. */
export async function doBody(node: Tree): Promise<{ queries: string[]; dynamic: boolean } | null> {
  const body = stringArg(node.args, 'as');
  const language = (stringArg(node.args, 'language') ?? 'plpgsql').toLowerCase();
  if (body === null || language !== 'plpgsql') return null;
  let tag = 'pgr';
  while (body.includes(`$${tag}$`)) tag += 'x';
  let tree: unknown;
  try {
    tree = await parsePlPgSQL(
      `CREATE FUNCTION pg_temp.pg_rehearse_do() RETURNS void LANGUAGE plpgsql AS $${tag}$${body}$${tag}$`,
    );
  } catch {
    return null;
  }
  const queries: string[] = [];
  let dynamic = false;
  walkNodes(tree, (key, child) => {
    if (key === 'PLpgSQL_stmt_dynexecute' || key === 'PLpgSQL_stmt_dynfors') dynamic = true;
    // parseMode 0 (RAW_PARSE_DEFAULT): a whole SQL statement, not an expression.
    if (key === 'PLpgSQL_expr' && isTree(child) && (child.parseMode ?? 0) === 0 && typeof child.query === 'string')
      queries.push(child.query);
  });
  return { queries, dynamic };
}
