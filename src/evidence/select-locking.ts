// The tables a SELECT's row-locking clauses reach (FOR UPDATE, FOR NO KEY UPDATE, FOR SHARE, FOR KEY
// SHARE), which take ROW SHARE where the query's other tables take ACCESS SHARE (the docs' "Explicit
// Locking"). A clause with OF reaches the FROM items it names, by alias where one is given (a name
// in OF is never schema-qualified); one without OF reaches every table of the FROM list. Either way
// it reaches into a sub-SELECT in FROM, never into a WITH query or a sub-SELECT elsewhere (WHERE,
// the target list), which keep ACCESS SHARE unless they carry a clause of their own.
import { isTree, walkNodes, type Tree } from './parse-tree.js';
import { rangeVar, type StatementObject } from './statement-objects.js';

export interface LockedRelation {
  relation: StatementObject;
  /** The clause as written, e.g. `FOR NO KEY UPDATE`. */
  clause: string;
}

const STRENGTHS: Record<string, string> = {
  LCS_FORUPDATE: 'FOR UPDATE',
  LCS_FORNOKEYUPDATE: 'FOR NO KEY UPDATE',
  LCS_FORSHARE: 'FOR SHARE',
  LCS_FORKEYSHARE: 'FOR KEY SHARE',
};

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

const aliasOf = (node: Tree): string | null =>
  isTree(node.alias) && typeof node.alias.aliasname === 'string' ? node.alias.aliasname : null;

/** The tables of a FROM list, or of its items `of` names; a WITH query's name is no table. */
function fromTables(from: unknown, of: Set<string> | null, ctes: Set<string>): StatementObject[] {
  return list(from).flatMap((item): StatementObject[] => {
    if (!isTree(item)) return [];
    if (isTree(item.JoinExpr)) return fromTables([item.JoinExpr.larg, item.JoinExpr.rarg], of, ctes);
    if (isTree(item.RangeVar)) {
      const rv = rangeVar(item);
      if (!rv?.name || (rv.schema === null && ctes.has(rv.name))) return [];
      return of === null || of.has(aliasOf(item.RangeVar) ?? rv.name) ? [rv] : [];
    }
    const sub = isTree(item.RangeSubselect) ? item.RangeSubselect : null;
    const query = sub && isTree(sub.subquery) && isTree(sub.subquery.SelectStmt) ? sub.subquery.SelectStmt : null;
    if (!sub || !query || (of !== null && !of.has(aliasOf(sub) ?? ''))) return [];
    return fromTables(query.fromClause, null, ctes);
  });
}

/** What one SELECT's own locking clauses reach. */
function lockedBy(select: Tree, ctes: Set<string>): LockedRelation[] {
  return list(select.lockingClause).flatMap((c) => {
    const clause = isTree(c) && isTree(c.LockingClause) ? c.LockingClause : null;
    if (!clause) return [];
    const named = list(clause.lockedRels).flatMap((r) => {
      const rv = rangeVar(r);
      return rv?.name ? [rv.name] : [];
    });
    const of = named.length > 0 ? new Set(named) : null;
    const label = STRENGTHS[String(clause.strength)] ?? 'FOR UPDATE';
    return fromTables(select.fromClause, of, ctes).map((relation) => ({ relation, clause: label }));
  });
}

/** The tables the row-locking clauses of a statement's SELECTs reach (`select` itself and every SELECT within it). */
export function lockedRelations(select: Tree): LockedRelation[] {
  const ctes = new Set<string>();
  const selects: Tree[] = [select];
  walkNodes(select, (key, value) => {
    if (key === 'CommonTableExpr' && isTree(value) && typeof value.ctename === 'string') ctes.add(value.ctename);
    if (key === 'SelectStmt' && isTree(value)) selects.push(value);
  });
  return selects.flatMap((s) => lockedBy(s, ctes));
}
