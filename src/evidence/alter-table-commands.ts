// The sub-commands of an ALTER TABLE that make it more than an ALTER: those that destroy what they
// name (the statement is DROP as well) and those that rewrite the table whole.
import { isTree, type Tree } from './parse-tree.js';

// ALTER TABLE sub-commands that destroy what they name: the statement is DROP as well.
const DROPPING_SUBCOMMANDS = new Set(['AT_DropColumn', 'AT_DropConstraint']);
// ALTER TABLE sub-commands that rewrite the table (or may: a type change to a binary-coercible type does not).
const REWRITING_SUBCOMMANDS = new Set(['AT_AlterColumnType', 'AT_SetLogged', 'AT_SetUnLogged', 'AT_SetAccessMethod']);

function hasStoredGeneratedColumn(def: unknown): boolean {
  const col = isTree(def) && isTree(def.ColumnDef) ? def.ColumnDef : null;
  return (
    Array.isArray(col?.constraints) &&
    col.constraints.some((c) => isTree(c) && isTree(c.Constraint) && c.Constraint.contype === 'CONSTR_GENERATED')
  );
}

export type AlterTableEffect = 'drop' | 'rewrite';

/** What the sub-commands of an AlterTableStmt node do besides altering, in their order. */
export function alterTableEffects(node: Tree): AlterTableEffect[] {
  if (!Array.isArray(node.cmds)) return [];
  const effects: AlterTableEffect[] = [];
  for (const c of node.cmds) {
    const cmd = isTree(c) && isTree(c.AlterTableCmd) ? c.AlterTableCmd : null;
    if (!cmd) continue;
    const sub = String(cmd.subtype);
    if (DROPPING_SUBCOMMANDS.has(sub)) effects.push('drop');
    if (REWRITING_SUBCOMMANDS.has(sub) || (sub === 'AT_AddColumn' && hasStoredGeneratedColumn(cmd.def)))
      effects.push('rewrite');
  }
  return effects;
}
