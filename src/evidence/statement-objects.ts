// What a statement acts on, read from its parse-tree node: relations, functions, types and schemas,
// named as written (an unqualified name's schema is the search_path's, which the text does not hold).
import { isTree, type Tree } from './parse-tree.js';

/** What a statement acts on. */
export interface StatementObject {
  /** null: unqualified. */
  schema: string | null;
  /** null: the schema itself (CREATE SCHEMA, GRANT ... ON SCHEMA, ... IN SCHEMA). */
  name: string | null;
  /** A relation (table, view, sequence, index's table, trigger's table, ...): what a rule's `tables` names. */
  relation: boolean;
}

/** One class of a statement, with the kind of statement that carries it and what it acts on. */
export interface StatementAction {
  verb: string;
  kind: string;
  /** Empty when the statement names nothing a scope could match (SELECT, SET, CREATE ROLE, ...). */
  objects: StatementObject[];
}

/** The identifiers of a name list (`[{String}]` or `{List: {items: [{String}]}}`), or null when it is not one. */
function strings(list: unknown): string[] | null {
  const items = Array.isArray(list)
    ? list
    : isTree(list) && isTree(list.List) && Array.isArray(list.List.items)
      ? list.List.items
      : null;
  if (!items) return null;
  const out: string[] = [];
  for (const item of items) {
    const s = stringOf(item);
    if (s === null) return null;
    out.push(s);
  }
  return out;
}

/** `[schema?, name]` (a catalog part dropped) as an object. */
function named(parts: string[] | null, relation: boolean): StatementObject | null {
  if (!parts || parts.length === 0) return null;
  const name = parts[parts.length - 1]!;
  return { schema: parts.length >= 2 ? parts[parts.length - 2]! : null, name, relation };
}

export function rangeVar(node: unknown): StatementObject | null {
  const rv = isTree(node) && isTree(node.RangeVar) ? node.RangeVar : node;
  if (!isTree(rv) || typeof rv.relname !== 'string') return null;
  return { schema: typeof rv.schemaname === 'string' ? rv.schemaname : null, name: rv.relname, relation: true };
}

const schemaObject = (name: unknown): StatementObject | null =>
  typeof name === 'string' ? { schema: name, name: null, relation: false } : null;

/** A relation's name, a function's, a type's or a schema's, as the parse tree holds it for an object of `objtype`. */
function objectOf(objtype: string, value: unknown): StatementObject | null {
  if (!isTree(value)) return null;
  if (isTree(value.RangeVar)) return rangeVar(value);
  if (isTree(value.String)) return objtype === 'OBJECT_SCHEMA' ? schemaObject(value.String.sval) : null;
  if (isTree(value.ObjectWithArgs)) return named(strings(value.ObjectWithArgs.objname), false);
  if (isTree(value.TypeName)) return named(strings(value.TypeName.names), false);
  const parts = strings(value);
  if (!parts) return null;
  switch (objtype) {
    case 'OBJECT_TABLE':
    case 'OBJECT_VIEW':
    case 'OBJECT_MATVIEW':
    case 'OBJECT_INDEX':
    case 'OBJECT_SEQUENCE':
    case 'OBJECT_FOREIGN_TABLE':
      return named(parts, true);
    // [schema?, table, name]: what a rule scopes is the table it is on.
    case 'OBJECT_TRIGGER':
    case 'OBJECT_POLICY':
    case 'OBJECT_RULE':
    case 'OBJECT_COLUMN':
    case 'OBJECT_TABCONSTRAINT':
      return named(parts.slice(0, -1), true);
    default:
      return named(parts, false);
  }
}

export const present = (list: (StatementObject | null)[]): StatementObject[] =>
  list.filter((o): o is StatementObject => o !== null);

export function objectsOf(type: string, node: Tree): StatementObject[] {
  switch (type) {
    case 'CreateForeignTableStmt':
      return present([rangeVar(isTree(node.base) ? node.base.relation : null)]);
    case 'CreatePolicyStmt':
    case 'AlterPolicyStmt':
      return present([rangeVar(node.table)]);
    case 'ViewStmt':
      return present([rangeVar(node.view)]);
    case 'CreateSeqStmt':
    case 'AlterSeqStmt':
      return present([rangeVar(node.sequence)]);
    case 'CreateTableAsStmt':
      return present([rangeVar(isTree(node.into) ? node.into.rel : null)]);
    case 'CompositeTypeStmt':
      return present([rangeVar(node.typevar)].map((o) => (o ? { ...o, relation: false } : null)));
    case 'TruncateStmt':
    case 'LockStmt':
      return Array.isArray(node.relations) ? present(node.relations.map(rangeVar)) : [];
    case 'VacuumStmt':
      return Array.isArray(node.rels)
        ? present(
            node.rels.map((r) => rangeVar(isTree(r) && isTree(r.VacuumRelation) ? r.VacuumRelation.relation : null)),
          )
        : [];
    case 'CreateFunctionStmt':
      return present([named(strings(node.funcname), false)]);
    case 'AlterFunctionStmt':
      return present([objectOf('OBJECT_FUNCTION', node.func)]);
    case 'DefineStmt':
      return present([named(strings(node.defnames), false)]);
    case 'CreateEnumStmt':
    case 'CreateRangeStmt':
    case 'AlterEnumStmt':
    case 'AlterDomainStmt':
      return present([named(strings(node.typeName), false)]);
    case 'CreateDomainStmt':
      return present([named(strings(node.domainname), false)]);
    case 'CreateSchemaStmt':
      return present([schemaObject(node.schemaname)]);
    case 'DropStmt':
      return Array.isArray(node.objects) ? present(node.objects.map((o) => objectOf(String(node.removeType), o))) : [];
    case 'CommentStmt':
      return present([objectOf(String(node.objtype), node.object)]);
    case 'RenameStmt':
    case 'AlterObjectSchemaStmt':
    case 'AlterOwnerStmt': {
      const objtype = String(type === 'RenameStmt' ? node.renameType : node.objectType);
      const own =
        rangeVar(node.relation) ??
        (objtype === 'OBJECT_SCHEMA'
          ? schemaObject(type === 'RenameStmt' ? node.subname : stringOf(node.object))
          : objectOf(objtype, node.object));
      const moved =
        type === 'AlterObjectSchemaStmt'
          ? schemaObject(node.newschema)
          : type === 'RenameStmt' && objtype === 'OBJECT_SCHEMA'
            ? schemaObject(node.newname)
            : null;
      return present([own, moved]);
    }
    case 'GrantStmt': {
      if (!Array.isArray(node.objects)) return [];
      if (node.targtype === 'ACL_TARGET_ALL_IN_SCHEMA')
        return present(node.objects.map((o) => schemaObject(stringOf(o))));
      return present(node.objects.map((o) => objectOf(String(node.objtype), o)));
    }
    case 'AlterDefaultPrivilegesStmt': {
      const schemas = Array.isArray(node.options)
        ? node.options.flatMap((o) =>
            isTree(o) && isTree(o.DefElem) && o.DefElem.defname === 'schemas' ? (strings(o.DefElem.arg) ?? []) : [],
          )
        : [];
      return present(schemas.map(schemaObject));
    }
    default:
      return present([rangeVar(node.relation)]);
  }
}

function stringOf(value: unknown): string | null {
  return isTree(value) && isTree(value.String) && typeof value.String.sval === 'string' ? value.String.sval : null;
}

/** `schema.name`, `name` (unqualified) or `schema` (a schema itself). */
export function objectName(o: StatementObject): string {
  if (o.name === null) return o.schema ?? '';
  return o.schema === null ? o.name : `${o.schema}.${o.name}`;
}
