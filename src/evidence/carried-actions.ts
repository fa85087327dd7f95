// What a statement carries besides its own class: `ALTER TABLE ... DROP COLUMN` is a DROP too, an
// upsert an UPDATE, COPY FROM an INSERT, a data-modifying CTE its verb, a MERGE each of its
// actions; and the tables it may rewrite whole.
import { alterTableEffects } from './alter-table-commands.js';
import { walkNodesWith, isTree, type Tree } from './parse-tree.js';
import { present, rangeVar, type StatementAction, type StatementObject } from './statement-objects.js';

/** What a statement is found to do, gathered as it is read. */
export interface StatementParts {
  actions: StatementAction[];
  rewrites: StatementObject[];
  dynamic: boolean;
}

/** An INSERT ... ON CONFLICT DO UPDATE: an UPDATE as well. */
export const upserts = (node: Tree) =>
  isTree(node.onConflictClause) && node.onConflictClause.action === 'ONCONFLICT_UPDATE';

/** Classes a statement carries besides its own: destructive or rewriting sub-commands, upserts, COPY FROM, default privileges. */
export function ownExtras(
  type: string,
  node: Tree,
  kind: string,
  objects: StatementObject[],
  out: StatementParts,
): void {
  if (type === 'AlterTableStmt') {
    for (const effect of alterTableEffects(node)) {
      if (effect === 'drop') out.actions.push({ verb: 'DROP', kind, objects });
      else out.rewrites.push(...objects);
    }
  }
  if (type === 'AlterDomainStmt' && node.subtype === 'X') out.actions.push({ verb: 'DROP', kind, objects });
  if (type === 'CopyStmt' && node.is_from === true && objects.length > 0)
    out.actions.push({ verb: 'INSERT', kind, objects });
  if (type === 'SelectStmt' && isTree(node.intoClause))
    out.actions.push({ verb: 'CREATE', kind: 'CREATE TABLE', objects: present([rangeVar(node.intoClause.rel)]) });
  if (type === 'AlterDefaultPrivilegesStmt' && isTree(node.action))
    out.actions.push({ verb: node.action.is_grant === true ? 'GRANT' : 'REVOKE', kind, objects });
  if (type === 'ClusterStmt') out.rewrites.push(...objects);
  if (
    type === 'VacuumStmt' &&
    Array.isArray(node.options) &&
    node.options.some((o) => isTree(o) && isTree(o.DefElem) && o.DefElem.defname === 'full')
  )
    out.rewrites.push(...objects);
}

const NESTED_WRITES: Record<string, string> = {
  InsertStmt: 'INSERT',
  UpdateStmt: 'UPDATE',
  DeleteStmt: 'DELETE',
  MergeStmt: 'MERGE',
};
const MERGE_ACTIONS: Record<string, string> = { CMD_INSERT: 'INSERT', CMD_UPDATE: 'UPDATE', CMD_DELETE: 'DELETE' };

/**
 * Writes inside a statement (data-modifying CTEs, what EXPLAIN, PREPARE and COPY (...) run, MERGE
 * actions), each on its target: a MERGE's WHEN clauses act on the nearest MERGE's target, `target`
 * for the statement's own.
 */
export function innerWrites(node: Tree, target: StatementObject[], out: StatementParts): void {
  walkNodesWith(node, target, (key, child, mergeTarget) => {
    const nested = NESTED_WRITES[key];
    let nextTarget = mergeTarget;
    if (nested && isTree(child)) {
      const objects = present([rangeVar(child.relation)]);
      out.actions.push({ verb: nested, kind: nested, objects });
      if (key === 'InsertStmt' && upserts(child)) out.actions.push({ verb: 'UPDATE', kind: 'INSERT', objects });
      if (key === 'MergeStmt') nextTarget = objects;
    }
    if (key === 'MergeWhenClause' && isTree(child)) {
      const action = MERGE_ACTIONS[String(child.commandType)];
      if (action) out.actions.push({ verb: action, kind: 'MERGE', objects: mergeTarget });
    }
    return nextTarget;
  });
}
