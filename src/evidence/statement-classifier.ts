// The one statement classifier: what each statement of a SQL string is, read from PostgreSQL's own
// parse tree (libpg-query). Per statement: its kind (`CREATE TABLE`, `ALTER TABLE`, `DELETE`), its
// classes, additive (`ALTER TABLE ... DROP COLUMN` is ALTER and DROP; a data-modifying CTE adds its
// verb; a DO block's static SQL adds what it runs), each class with the objects it acts on (for the
// SQL policy's scopes), and the tables it may rewrite (`ALTER COLUMN ... TYPE`). Names are given as
// written: an unqualified name's schema is the search_path's, which the text does not hold.
import { parse } from './sql-parser.js';
import { partsOf } from './log-line.js';
import { isTree, walkNodesWith, type Tree } from './parse-tree.js';
import { doBody } from './plpgsql-body.js';

/** The class and kind of a statement the parser could not read: reported, never dropped. */
export const UNPARSED = 'UNPARSED';

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

// ---------------------------------------------------------------------------------------------
// Classes

const TRANSACTION_VERBS: Record<string, string> = {
  TRANS_STMT_BEGIN: 'BEGIN',
  TRANS_STMT_START: 'BEGIN',
  TRANS_STMT_COMMIT: 'COMMIT',
  TRANS_STMT_ROLLBACK: 'ROLLBACK',
  TRANS_STMT_SAVEPOINT: 'SAVEPOINT',
  TRANS_STMT_RELEASE: 'RELEASE',
  TRANS_STMT_ROLLBACK_TO: 'ROLLBACK',
  TRANS_STMT_PREPARE: 'PREPARE TRANSACTION',
  TRANS_STMT_COMMIT_PREPARED: 'COMMIT PREPARED',
  TRANS_STMT_ROLLBACK_PREPARED: 'ROLLBACK PREPARED',
};

const NODE_VERBS: Record<string, string> = {
  SelectStmt: 'SELECT',
  InsertStmt: 'INSERT',
  UpdateStmt: 'UPDATE',
  DeleteStmt: 'DELETE',
  MergeStmt: 'MERGE',
  TruncateStmt: 'TRUNCATE',
  CopyStmt: 'COPY',
  VariableSetStmt: 'SET',
  ConstraintsSetStmt: 'SET',
  VariableShowStmt: 'SHOW',
  DoStmt: 'DO',
  CallStmt: 'CALL',
  ExplainStmt: 'EXPLAIN',
  PrepareStmt: 'PREPARE',
  ExecuteStmt: 'EXECUTE',
  DeallocateStmt: 'DEALLOCATE',
  DeclareCursorStmt: 'DECLARE',
  ClosePortalStmt: 'CLOSE',
  LockStmt: 'LOCK',
  ClusterStmt: 'CLUSTER',
  ReindexStmt: 'REINDEX',
  RefreshMatViewStmt: 'REFRESH',
  ListenStmt: 'LISTEN',
  UnlistenStmt: 'UNLISTEN',
  NotifyStmt: 'NOTIFY',
  DiscardStmt: 'DISCARD',
  CheckPointStmt: 'CHECKPOINT',
  LoadStmt: 'LOAD',
  CommentStmt: 'COMMENT',
  SecLabelStmt: 'SECURITY LABEL',
  ReassignOwnedStmt: 'REASSIGN',
  ImportForeignSchemaStmt: 'IMPORT',
  RenameStmt: 'ALTER',
  // CREATE statements whose node name does not start with Create
  IndexStmt: 'CREATE',
  ViewStmt: 'CREATE',
  DefineStmt: 'CREATE',
  CompositeTypeStmt: 'CREATE',
  RuleStmt: 'CREATE',
};

/** The class of a top-level statement node. */
function verbOf(type: string, node: Tree): string {
  switch (type) {
    case 'GrantStmt':
    case 'GrantRoleStmt':
      return node.is_grant === true ? 'GRANT' : 'REVOKE';
    case 'TransactionStmt':
      return TRANSACTION_VERBS[String(node.kind)] ?? 'TRANSACTION';
    case 'VacuumStmt':
      return node.is_vacuumcmd === true ? 'VACUUM' : 'ANALYZE';
    case 'FetchStmt':
      return node.ismove === true ? 'MOVE' : 'FETCH';
  }
  const known = NODE_VERBS[type];
  if (known) return known;
  if (type.startsWith('Alter')) return 'ALTER';
  if (type.startsWith('Create')) return 'CREATE';
  if (type.startsWith('Drop')) return 'DROP';
  return type.replace(/Stmt$/, '').toUpperCase();
}

// ---------------------------------------------------------------------------------------------
// Kinds

const OBJECT_TYPE_NAMES: Record<string, string> = {
  OBJECT_FDW: 'FOREIGN DATA WRAPPER',
  OBJECT_FOREIGN_SERVER: 'SERVER',
  OBJECT_LARGEOBJECT: 'LARGE OBJECT',
  OBJECT_MATVIEW: 'MATERIALIZED VIEW',
  OBJECT_OPCLASS: 'OPERATOR CLASS',
  OBJECT_OPFAMILY: 'OPERATOR FAMILY',
  OBJECT_AMOP: 'OPERATOR FAMILY',
  OBJECT_AMPROC: 'OPERATOR FAMILY',
  OBJECT_STATISTIC_EXT: 'STATISTICS',
  OBJECT_TSCONFIGURATION: 'TEXT SEARCH CONFIGURATION',
  OBJECT_TSDICTIONARY: 'TEXT SEARCH DICTIONARY',
  OBJECT_TSPARSER: 'TEXT SEARCH PARSER',
  OBJECT_TSTEMPLATE: 'TEXT SEARCH TEMPLATE',
  OBJECT_COLUMN: 'TABLE',
  OBJECT_TABCONSTRAINT: 'TABLE',
  OBJECT_ATTRIBUTE: 'TYPE',
  OBJECT_DOMCONSTRAINT: 'DOMAIN',
  OBJECT_DEFACL: 'DEFAULT PRIVILEGES',
  OBJECT_PUBLICATION_NAMESPACE: 'PUBLICATION',
  OBJECT_PUBLICATION_REL: 'PUBLICATION',
};

/** `OBJECT_FOREIGN_TABLE` -> `FOREIGN TABLE`. */
function objectTypeName(value: unknown): string {
  const v = String(value);
  return OBJECT_TYPE_NAMES[v] ?? v.replace(/^OBJECT_/, '').replace(/_/g, ' ');
}

const CREATE_KINDS: Record<string, string> = {
  CreateStmt: 'CREATE TABLE',
  CreateForeignTableStmt: 'CREATE FOREIGN TABLE',
  ViewStmt: 'CREATE VIEW',
  IndexStmt: 'CREATE INDEX',
  CreateTrigStmt: 'CREATE TRIGGER',
  CreateEventTrigStmt: 'CREATE EVENT TRIGGER',
  CreatePolicyStmt: 'CREATE POLICY',
  RuleStmt: 'CREATE RULE',
  CreateSeqStmt: 'CREATE SEQUENCE',
  CreateSchemaStmt: 'CREATE SCHEMA',
  CreateEnumStmt: 'CREATE TYPE',
  CreateRangeStmt: 'CREATE TYPE',
  CompositeTypeStmt: 'CREATE TYPE',
  CreateDomainStmt: 'CREATE DOMAIN',
  CreateExtensionStmt: 'CREATE EXTENSION',
  CreateRoleStmt: 'CREATE ROLE',
  CreatedbStmt: 'CREATE DATABASE',
  CreateTableSpaceStmt: 'CREATE TABLESPACE',
  CreateCastStmt: 'CREATE CAST',
  CreateConversionStmt: 'CREATE CONVERSION',
  CreateFdwStmt: 'CREATE FOREIGN DATA WRAPPER',
  CreateForeignServerStmt: 'CREATE SERVER',
  CreateUserMappingStmt: 'CREATE USER MAPPING',
  CreatePLangStmt: 'CREATE LANGUAGE',
  CreateOpClassStmt: 'CREATE OPERATOR CLASS',
  CreateOpFamilyStmt: 'CREATE OPERATOR FAMILY',
  CreateAmStmt: 'CREATE ACCESS METHOD',
  CreateStatsStmt: 'CREATE STATISTICS',
  CreatePublicationStmt: 'CREATE PUBLICATION',
  CreateSubscriptionStmt: 'CREATE SUBSCRIPTION',
  CreateTransformStmt: 'CREATE TRANSFORM',
  AlterSeqStmt: 'ALTER SEQUENCE',
  AlterEnumStmt: 'ALTER TYPE',
  AlterTypeStmt: 'ALTER TYPE',
  AlterDomainStmt: 'ALTER DOMAIN',
  AlterRoleStmt: 'ALTER ROLE',
  AlterRoleSetStmt: 'ALTER ROLE',
  AlterDatabaseStmt: 'ALTER DATABASE',
  AlterDatabaseSetStmt: 'ALTER DATABASE',
  AlterDatabaseRefreshCollStmt: 'ALTER DATABASE',
  AlterSystemStmt: 'ALTER SYSTEM',
  AlterExtensionStmt: 'ALTER EXTENSION',
  AlterExtensionContentsStmt: 'ALTER EXTENSION',
  AlterDefaultPrivilegesStmt: 'ALTER DEFAULT PRIVILEGES',
  AlterPolicyStmt: 'ALTER POLICY',
  AlterEventTrigStmt: 'ALTER EVENT TRIGGER',
  AlterTableSpaceOptionsStmt: 'ALTER TABLESPACE',
  AlterTableMoveAllStmt: 'ALTER TABLESPACE',
  AlterFdwStmt: 'ALTER FOREIGN DATA WRAPPER',
  AlterForeignServerStmt: 'ALTER SERVER',
  AlterUserMappingStmt: 'ALTER USER MAPPING',
  AlterPublicationStmt: 'ALTER PUBLICATION',
  AlterSubscriptionStmt: 'ALTER SUBSCRIPTION',
  AlterStatsStmt: 'ALTER STATISTICS',
  AlterOpFamilyStmt: 'ALTER OPERATOR FAMILY',
  AlterOperatorStmt: 'ALTER OPERATOR',
  AlterCollationStmt: 'ALTER COLLATION',
  AlterTSDictionaryStmt: 'ALTER TEXT SEARCH DICTIONARY',
  AlterTSConfigurationStmt: 'ALTER TEXT SEARCH CONFIGURATION',
  DropOwnedStmt: 'DROP OWNED',
  DropRoleStmt: 'DROP ROLE',
  DropdbStmt: 'DROP DATABASE',
  DropTableSpaceStmt: 'DROP TABLESPACE',
  DropSubscriptionStmt: 'DROP SUBSCRIPTION',
  DropUserMappingStmt: 'DROP USER MAPPING',
};

const RELATION_SUBOBJECTS = new Set(['OBJECT_COLUMN', 'OBJECT_TABCONSTRAINT']);

/** The kind of a top-level statement node: `CREATE TABLE`, `ALTER FUNCTION`, `DELETE`, ... */
function kindOf(type: string, node: Tree, verb: string): string {
  const known = CREATE_KINDS[type];
  if (known) return known;
  switch (type) {
    case 'CreateTableAsStmt':
      return node.objtype === 'OBJECT_MATVIEW' ? 'CREATE MATERIALIZED VIEW' : 'CREATE TABLE';
    case 'CreateFunctionStmt':
      return node.is_procedure === true ? 'CREATE PROCEDURE' : 'CREATE FUNCTION';
    case 'DefineStmt':
      return `CREATE ${objectTypeName(node.kind)}`;
    case 'AlterTableStmt':
      return `ALTER ${objectTypeName(node.objtype)}`;
    case 'AlterFunctionStmt':
      return `ALTER ${objectTypeName(node.objtype)}`;
    case 'RenameStmt':
      return `ALTER ${objectTypeName(RELATION_SUBOBJECTS.has(String(node.renameType)) ? node.relationType : node.renameType)}`;
    case 'AlterObjectSchemaStmt':
    case 'AlterOwnerStmt':
    case 'AlterObjectDependsStmt':
      return `ALTER ${objectTypeName(node.objectType)}`;
    case 'DropStmt':
      return `DROP ${objectTypeName(node.removeType)}`;
  }
  // SELECT ... INTO is a CREATE TABLE AS written another way: its own kind is SELECT.
  return verb;
}

// ---------------------------------------------------------------------------------------------
// Objects

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

function rangeVar(node: unknown): StatementObject | null {
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

const present = (list: (StatementObject | null)[]): StatementObject[] =>
  list.filter((o): o is StatementObject => o !== null);

function objectsOf(type: string, node: Tree): StatementObject[] {
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

// ---------------------------------------------------------------------------------------------
// What a statement carries besides its own class

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

interface Parts {
  actions: StatementAction[];
  rewrites: StatementObject[];
  dynamic: boolean;
}

/** Classes a statement carries besides its own: destructive or rewriting sub-commands, upserts, COPY FROM, default privileges. */
function ownExtras(type: string, node: Tree, kind: string, objects: StatementObject[], out: Parts): void {
  if (type === 'AlterTableStmt' && Array.isArray(node.cmds)) {
    for (const c of node.cmds) {
      const cmd = isTree(c) && isTree(c.AlterTableCmd) ? c.AlterTableCmd : null;
      if (!cmd) continue;
      const sub = String(cmd.subtype);
      if (DROPPING_SUBCOMMANDS.has(sub)) out.actions.push({ verb: 'DROP', kind, objects });
      if (REWRITING_SUBCOMMANDS.has(sub) || (sub === 'AT_AddColumn' && hasStoredGeneratedColumn(cmd.def)))
        out.rewrites.push(...objects);
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

const upserts = (node: Tree) => isTree(node.onConflictClause) && node.onConflictClause.action === 'ONCONFLICT_UPDATE';

/** Writes inside a statement (data-modifying CTEs, what EXPLAIN, PREPARE and COPY (...) run, MERGE actions), each on its target. */
function innerWrites(node: Tree, target: StatementObject[], out: Parts): void {
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

// ---------------------------------------------------------------------------------------------
// Statements

const unparsed = (): ClassifiedStatement => ({
  kind: UNPARSED,
  classes: [UNPARSED],
  actions: [{ verb: UNPARSED, kind: UNPARSED, objects: [] }],
  rewrites: [],
  dynamic: false,
});

function finish(kind: string, parts: Parts): ClassifiedStatement {
  return {
    kind,
    classes: [...new Set(parts.actions.map((a) => a.verb))],
    actions: parts.actions,
    rewrites: parts.rewrites,
    dynamic: parts.dynamic,
  };
}

function absorb(parts: Parts, inner: ClassifiedStatement): void {
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
  const parts: Parts = { actions: [{ verb, kind, objects }], rewrites: [], dynamic: false };
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

/** `schema.name`, `name` (unqualified) or `schema` (a schema itself). */
export function objectName(o: StatementObject): string {
  if (o.name === null) return o.schema ?? '';
  return o.schema === null ? o.name : `${o.schema}.${o.name}`;
}
