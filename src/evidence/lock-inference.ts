// The table-level locks a statement takes, read from PostgreSQL's parse tree: the documented lock
// level of each command and of each ALTER TABLE sub-command (the docs' "Explicit Locking" and the
// ALTER TABLE page), the strongest of a statement's sub-commands on its table, and the other
// tables it reaches (a foreign key's referenced table, an attached partition, the tables a query
// reads). Each claim says why, for the report. Names are as written (the schema may be null).
// A table the text does not name (a dropped foreign key's referenced table, the table of a
// dropped index) is said in the claim's `why`, never guessed; the lock sampler sees it.
import { modeOfNumber, stronger, type LockMode } from './lock-modes.js';
import { isTree, walkNodes, walkNodesWith, type Tree } from './parse-tree.js';
import { lockedRelations } from './select-locking.js';
import { parse } from './sql-parser.js';
import { rangeVar, type StatementObject } from './statement-objects.js';

export interface LockClaim {
  relation: StatementObject;
  mode: LockMode;
  /** The statement shape that takes it, e.g. `ALTER TABLE ... ALTER COLUMN ... TYPE`. */
  why: string;
}

// ALTER TABLE sub-commands that take less than ACCESS EXCLUSIVE on the table (every other one takes it).
const ALTER_TABLE_MODES: Record<string, [LockMode, string]> = {
  AT_SetStatistics: ['SHARE UPDATE EXCLUSIVE', 'ALTER COLUMN ... SET STATISTICS'],
  AT_SetOptions: ['SHARE UPDATE EXCLUSIVE', 'ALTER COLUMN ... SET (attribute_option)'],
  AT_ResetOptions: ['SHARE UPDATE EXCLUSIVE', 'ALTER COLUMN ... RESET (attribute_option)'],
  AT_ValidateConstraint: ['SHARE UPDATE EXCLUSIVE', 'VALIDATE CONSTRAINT'],
  AT_ClusterOn: ['SHARE UPDATE EXCLUSIVE', 'CLUSTER ON'],
  AT_DropCluster: ['SHARE UPDATE EXCLUSIVE', 'SET WITHOUT CLUSTER'],
  AT_AttachPartition: ['SHARE UPDATE EXCLUSIVE', 'ATTACH PARTITION'],
  AT_EnableTrig: ['SHARE ROW EXCLUSIVE', 'ENABLE TRIGGER'],
  AT_EnableAlwaysTrig: ['SHARE ROW EXCLUSIVE', 'ENABLE ALWAYS TRIGGER'],
  AT_EnableReplicaTrig: ['SHARE ROW EXCLUSIVE', 'ENABLE REPLICA TRIGGER'],
  AT_DisableTrig: ['SHARE ROW EXCLUSIVE', 'DISABLE TRIGGER'],
  AT_EnableTrigAll: ['SHARE ROW EXCLUSIVE', 'ENABLE TRIGGER ALL'],
  AT_DisableTrigAll: ['SHARE ROW EXCLUSIVE', 'DISABLE TRIGGER ALL'],
  AT_EnableTrigUser: ['SHARE ROW EXCLUSIVE', 'ENABLE TRIGGER USER'],
  AT_DisableTrigUser: ['SHARE ROW EXCLUSIVE', 'DISABLE TRIGGER USER'],
};

// Storage parameters SET (...) changes under SHARE UPDATE EXCLUSIVE (the ALTER TABLE page); any other takes ACCESS EXCLUSIVE.
const LIGHT_STORAGE_PARAMETER =
  /^(fillfactor|toast_tuple_target|parallel_workers|autovacuum_.*|toast\.autovacuum_.*|vacuum_.*|toast\.vacuum_.*|log_autovacuum_min_duration)$/;

const SUBCOMMAND_NAMES: Record<string, string> = {
  AT_AddColumn: 'ADD COLUMN',
  AT_DropColumn: 'DROP COLUMN',
  AT_AlterColumnType: 'ALTER COLUMN ... TYPE',
  AT_SetNotNull: 'ALTER COLUMN ... SET NOT NULL',
  AT_DropNotNull: 'ALTER COLUMN ... DROP NOT NULL',
  AT_ColumnDefault: 'ALTER COLUMN ... SET/DROP DEFAULT',
  AT_AddConstraint: 'ADD CONSTRAINT',
  // A foreign key's referenced table is locked too (pg_locks shows ACCESS EXCLUSIVE on PostgreSQL 15);
  // the text names only the constraint, so whether it is one, and on which table, is not known here.
  AT_DropConstraint: 'DROP CONSTRAINT (a foreign key: its referenced table too, ACCESS EXCLUSIVE)',
  AT_DetachPartition: 'DETACH PARTITION',
  AT_ChangeOwner: 'OWNER TO',
  AT_SetRelOptions: 'SET (storage_parameter)',
  AT_ResetRelOptions: 'RESET (storage_parameter)',
};

const claim = (relation: StatementObject | null, mode: LockMode, why: string): LockClaim[] =>
  relation ? [{ relation, mode, why }] : [];

/** The option names of a DefElem list, given as an array or as `{ List: { items } }`. */
function defNames(def: unknown): string[] {
  const items = Array.isArray(def)
    ? def
    : isTree(def) && isTree(def.List) && Array.isArray(def.List.items)
      ? def.List.items
      : [];
  return items.flatMap((d) => (isTree(d) && isTree(d.DefElem) ? [String(d.DefElem.defname)] : []));
}

/** What one ALTER TABLE sub-command takes on the table, and on the other tables it names. */
function alterTableCmd(table: StatementObject, cmd: Tree): LockClaim[] {
  const sub = String(cmd.subtype);
  const def = isTree(cmd.def) ? cmd.def : null;
  const constraint = def && isTree(def.Constraint) ? def.Constraint : null;
  if (sub === 'AT_AddConstraint' && constraint?.contype === 'CONSTR_FOREIGN') {
    const why = 'ADD CONSTRAINT ... FOREIGN KEY';
    return [
      ...claim(table, 'SHARE ROW EXCLUSIVE', why),
      ...claim(rangeVar(constraint.pktable), 'SHARE ROW EXCLUSIVE', why),
    ];
  }
  if (sub === 'AT_SetRelOptions' || sub === 'AT_ResetRelOptions') {
    const names = defNames(cmd.def);
    const light = names.length > 0 && names.every((n) => LIGHT_STORAGE_PARAMETER.test(n));
    return claim(table, light ? 'SHARE UPDATE EXCLUSIVE' : 'ACCESS EXCLUSIVE', SUBCOMMAND_NAMES[sub]!);
  }
  const partition = def && isTree(def.PartitionCmd) ? def.PartitionCmd : null;
  if (sub === 'AT_AttachPartition')
    return [
      ...claim(table, 'SHARE UPDATE EXCLUSIVE', 'ATTACH PARTITION'),
      ...claim(rangeVar(partition?.name), 'ACCESS EXCLUSIVE', 'ATTACH PARTITION (the partition attached)'),
    ];
  if (sub === 'AT_DetachPartition' || sub === 'AT_DetachPartitionFinalize') return detachPartition(table, cmd);
  if (sub === 'AT_AddInherit' || sub === 'AT_DropInherit') {
    // The parent: SHARE UPDATE EXCLUSIVE to add a child, ACCESS SHARE to remove one (as pg_locks shows).
    const why = sub === 'AT_AddInherit' ? 'INHERIT' : 'NO INHERIT';
    const parentMode: LockMode = sub === 'AT_AddInherit' ? 'SHARE UPDATE EXCLUSIVE' : 'ACCESS SHARE';
    return [...claim(table, 'ACCESS EXCLUSIVE', why), ...claim(rangeVar(cmd.def), parentMode, `${why} (the parent)`)];
  }
  const light = ALTER_TABLE_MODES[sub];
  if (light) return claim(table, light[0], light[1]);
  return claim(table, 'ACCESS EXCLUSIVE', SUBCOMMAND_NAMES[sub] ?? sub.replace(/^AT_/, ''));
}

/**
 * DETACH PARTITION: ACCESS EXCLUSIVE on both tables. CONCURRENTLY (run outside a transaction block)
 * commits a first transaction holding SHARE UPDATE EXCLUSIVE on both, then a second holding SHARE
 * UPDATE EXCLUSIVE on the parent and ACCESS EXCLUSIVE on the partition; FINALIZE, which completes a
 * cancelled one, takes the second's.
 */
function detachPartition(table: StatementObject, cmd: Tree): LockClaim[] {
  const partition = isTree(cmd.def) && isTree(cmd.def.PartitionCmd) ? cmd.def.PartitionCmd : null;
  const finalize = cmd.subtype === 'AT_DetachPartitionFinalize';
  const concurrent = partition?.concurrent === true;
  const why = finalize
    ? 'DETACH PARTITION ... FINALIZE'
    : concurrent
      ? 'DETACH PARTITION ... CONCURRENTLY'
      : 'DETACH PARTITION';
  const of = concurrent ? 'the partition detached, in its second transaction' : 'the partition detached';
  return [
    ...claim(table, concurrent || finalize ? 'SHARE UPDATE EXCLUSIVE' : 'ACCESS EXCLUSIVE', why),
    ...claim(rangeVar(partition?.name), 'ACCESS EXCLUSIVE', `${why} (${of})`),
  ];
}

/** The strongest claim per relation, the first reason for it kept. */
function strongestPerRelation(claims: LockClaim[]): LockClaim[] {
  const byName = new Map<string, LockClaim>();
  for (const c of claims) {
    const key = `${c.relation.schema ?? ''}.${c.relation.name}`;
    const had = byName.get(key);
    if (!had || stronger(had.mode, c.mode) !== had.mode) byName.set(key, c);
  }
  return [...byName.values()];
}

/** The tables a query part reads (every RangeVar under it), at `mode`. */
function readClaims(tree: unknown, mode: LockMode, why: string, except: StatementObject | null): LockClaim[] {
  const ctes = new Set<string>();
  walkNodes(tree, (key, value) => {
    if (key === 'CommonTableExpr' && isTree(value) && typeof value.ctename === 'string') ctes.add(value.ctename);
  });
  const out: LockClaim[] = [];
  // The names in FOR UPDATE OF are the FROM list's names (an alias, often), not further tables.
  walkNodesWith(tree, false, (key, value, inLockingClause) => {
    if (inLockingClause || key === 'lockingClause') return true;
    if (key !== 'RangeVar' && key !== 'relation') return false;
    const rv = rangeVar(key === 'RangeVar' ? { RangeVar: value } : value);
    if (!rv || (rv.schema === null && ctes.has(rv.name ?? ''))) return false;
    if (!(except && rv.schema === except.schema && rv.name === except.name)) out.push(...claim(rv, mode, why));
    return false;
  });
  return out;
}

const option = (params: unknown, name: string) => defNames(params).includes(name);

type Rule = (node: Tree) => LockClaim[];

const RULES: Record<string, Rule> = {
  AlterTableStmt: (n) => {
    const table = rangeVar(n.relation);
    if (!table || !Array.isArray(n.cmds)) return [];
    if (n.objtype === 'OBJECT_INDEX') {
      const moves = n.cmds.some(
        (c) => isTree(c) && isTree(c.AlterTableCmd) && c.AlterTableCmd.subtype === 'AT_SetTableSpace',
      );
      return moves
        ? claim(table, 'ACCESS EXCLUSIVE', 'ALTER INDEX ... SET TABLESPACE')
        : claim(table, 'SHARE UPDATE EXCLUSIVE', 'ALTER INDEX');
    }
    return n.cmds.flatMap((c) => (isTree(c) && isTree(c.AlterTableCmd) ? alterTableCmd(table, c.AlterTableCmd) : []));
  },
  IndexStmt: (n) =>
    n.concurrent === true
      ? claim(rangeVar(n.relation), 'SHARE UPDATE EXCLUSIVE', 'CREATE INDEX CONCURRENTLY')
      : claim(rangeVar(n.relation), 'SHARE', 'CREATE INDEX'),
  LockStmt: (n) => {
    const mode = modeOfNumber(Number(n.mode)) ?? 'ACCESS EXCLUSIVE';
    const rels = Array.isArray(n.relations) ? n.relations : [];
    return rels.flatMap((r) => claim(rangeVar(r), mode, `LOCK TABLE ... IN ${mode} MODE`));
  },
  VacuumStmt: (n) => {
    const rels = Array.isArray(n.rels) ? n.rels : [];
    const full = n.is_vacuumcmd === true && option(n.options, 'full');
    const what = n.is_vacuumcmd === true ? (full ? 'VACUUM FULL' : 'VACUUM') : 'ANALYZE';
    return rels.flatMap((r) =>
      claim(
        rangeVar(isTree(r) && isTree(r.VacuumRelation) ? r.VacuumRelation.relation : null),
        full ? 'ACCESS EXCLUSIVE' : 'SHARE UPDATE EXCLUSIVE',
        what,
      ),
    );
  },
  ClusterStmt: (n) => claim(rangeVar(n.relation), 'ACCESS EXCLUSIVE', 'CLUSTER'),
  RefreshMatViewStmt: (n) =>
    n.concurrent === true
      ? claim(rangeVar(n.relation), 'EXCLUSIVE', 'REFRESH MATERIALIZED VIEW CONCURRENTLY')
      : claim(rangeVar(n.relation), 'ACCESS EXCLUSIVE', 'REFRESH MATERIALIZED VIEW'),
  TruncateStmt: (n) =>
    (Array.isArray(n.relations) ? n.relations : []).flatMap((r) => claim(rangeVar(r), 'ACCESS EXCLUSIVE', 'TRUNCATE')),
  ReindexStmt: (n) =>
    option(n.params, 'concurrently')
      ? claim(rangeVar(n.relation), 'SHARE UPDATE EXCLUSIVE', 'REINDEX ... CONCURRENTLY')
      : n.kind === 'REINDEX_OBJECT_INDEX'
        ? claim(rangeVar(n.relation), 'ACCESS EXCLUSIVE', 'REINDEX INDEX (and SHARE on its table)')
        : claim(rangeVar(n.relation), 'SHARE', 'REINDEX'),
  CreateTrigStmt: (n) => claim(rangeVar(n.relation), 'SHARE ROW EXCLUSIVE', 'CREATE TRIGGER'),
  CreatePolicyStmt: (n) => claim(rangeVar(n.table), 'ACCESS EXCLUSIVE', 'CREATE POLICY'),
  RuleStmt: (n) => claim(rangeVar(n.relation), 'ACCESS EXCLUSIVE', 'CREATE RULE'),
  CreateStmt: (n) => {
    const parents = Array.isArray(n.inhRelations) ? n.inhRelations : [];
    const partitionOf = isTree(n.partbound);
    const out = parents.flatMap((p) =>
      claim(
        rangeVar(p),
        partitionOf ? 'ACCESS EXCLUSIVE' : 'SHARE UPDATE EXCLUSIVE',
        partitionOf ? 'CREATE TABLE ... PARTITION OF' : 'CREATE TABLE ... INHERITS',
      ),
    );
    walkNodes(n.tableElts, (key, value) => {
      if (key === 'Constraint' && isTree(value) && value.contype === 'CONSTR_FOREIGN')
        out.push(...claim(rangeVar(value.pktable), 'SHARE ROW EXCLUSIVE', 'CREATE TABLE ... REFERENCES'));
    });
    return out;
  },
  RenameStmt: (n) =>
    n.renameType === 'OBJECT_INDEX'
      ? claim(rangeVar(n.relation), 'SHARE UPDATE EXCLUSIVE', 'ALTER INDEX ... RENAME')
      : claim(rangeVar(n.relation), 'ACCESS EXCLUSIVE', `RENAME (${String(n.renameType).replace(/^OBJECT_/, '')})`),
  CommentStmt: (n) => {
    const on = COMMENT_ON[String(n.objtype)];
    const parts = listParts(n.object);
    return on && parts ? claim(objectOfParts(parts.slice(0, parts.length - on[2])), on[0], on[1]) : [];
  },
  SelectStmt: (n) => [...readClaims(n, 'ACCESS SHARE', 'SELECT', null), ...rowLocks(n), ...cteWrites(n.withClause)],
  InsertStmt: (n) => dmlClaims(n, 'INSERT'),
  UpdateStmt: (n) => dmlClaims(n, 'UPDATE'),
  DeleteStmt: (n) => dmlClaims(n, 'DELETE'),
  MergeStmt: (n) => dmlClaims(n, 'MERGE'),
  CopyStmt: (n) =>
    n.is_from === true
      ? claim(rangeVar(n.relation), 'ROW EXCLUSIVE', 'COPY ... FROM')
      : claim(rangeVar(n.relation), 'ACCESS SHARE', 'COPY ... TO'),
  DropStmt: (n) => {
    const type = String(n.removeType);
    if (type !== 'OBJECT_TABLE' && type !== 'OBJECT_INDEX' && type !== 'OBJECT_MATVIEW' && type !== 'OBJECT_VIEW')
      return [];
    const concurrent = n.concurrent === true;
    const what = type.replace(/^OBJECT_/, '');
    // DROP INDEX locks the index's table too (ACCESS EXCLUSIVE; CONCURRENTLY: SHARE UPDATE EXCLUSIVE), which the text does not name.
    const why = `DROP ${what}${concurrent ? ' CONCURRENTLY' : ''}${what === 'INDEX' ? ' (its table too)' : ''}`;
    const mode: LockMode = concurrent ? 'SHARE UPDATE EXCLUSIVE' : 'ACCESS EXCLUSIVE';
    return (Array.isArray(n.objects) ? n.objects : []).flatMap((o) => claim(listName(o), mode, why));
  },
};

// COMMENT ON a relation or its column takes SHARE UPDATE EXCLUSIVE on the relation (the docs' "Explicit
// Locking"); on a constraint, trigger, policy or rule of a table, pg_locks shows ACCESS SHARE on the table.
// Each: the mode, the shape, and how many name parts follow the relation's (`t.column`, `k ON t`).
const COMMENT_ON: Record<string, [LockMode, string, number]> = {
  OBJECT_TABLE: ['SHARE UPDATE EXCLUSIVE', 'COMMENT ON TABLE', 0],
  OBJECT_INDEX: ['SHARE UPDATE EXCLUSIVE', 'COMMENT ON INDEX', 0],
  OBJECT_VIEW: ['SHARE UPDATE EXCLUSIVE', 'COMMENT ON VIEW', 0],
  OBJECT_MATVIEW: ['SHARE UPDATE EXCLUSIVE', 'COMMENT ON MATERIALIZED VIEW', 0],
  OBJECT_SEQUENCE: ['SHARE UPDATE EXCLUSIVE', 'COMMENT ON SEQUENCE', 0],
  OBJECT_FOREIGN_TABLE: ['SHARE UPDATE EXCLUSIVE', 'COMMENT ON FOREIGN TABLE', 0],
  OBJECT_COLUMN: ['SHARE UPDATE EXCLUSIVE', 'COMMENT ON COLUMN', 1],
  OBJECT_TABCONSTRAINT: ['ACCESS SHARE', 'COMMENT ON CONSTRAINT ... ON', 1],
  OBJECT_TRIGGER: ['ACCESS SHARE', 'COMMENT ON TRIGGER ... ON', 1],
  OBJECT_POLICY: ['ACCESS SHARE', 'COMMENT ON POLICY ... ON', 1],
  OBJECT_RULE: ['ACCESS SHARE', 'COMMENT ON RULE ... ON', 1],
};

/** The identifiers of a name list (`{ List: { items: [{ String }] } }`), or null when it is not one. */
function listParts(o: unknown): string[] | null {
  const items = isTree(o) && isTree(o.List) && Array.isArray(o.List.items) ? o.List.items : null;
  const parts = items?.map((i) => (isTree(i) && isTree(i.String) ? String(i.String.sval) : null)) ?? [];
  return parts.length === 0 || parts.some((p) => p === null) ? null : (parts as string[]);
}

/** `[catalog?, schema?, name]` as a relation. */
const objectOfParts = (parts: string[]): StatementObject | null =>
  parts.length === 0
    ? null
    : { schema: parts.length >= 2 ? parts[parts.length - 2]! : null, name: parts[parts.length - 1]!, relation: true };

const listName = (o: unknown): StatementObject | null => {
  const parts = listParts(o);
  return parts ? objectOfParts(parts) : null;
};

/** ROW SHARE on the tables the row-locking clauses of the statement's SELECTs reach (select-locking.ts). */
const rowLocks = (n: Tree): LockClaim[] =>
  lockedRelations(n).flatMap((l) => claim(l.relation, 'ROW SHARE', `SELECT ... ${l.clause}`));

const DML_VERBS: Record<string, string> = {
  InsertStmt: 'INSERT',
  UpdateStmt: 'UPDATE',
  DeleteStmt: 'DELETE',
  MergeStmt: 'MERGE',
};

/** The writes of data-modifying CTEs (`WITH d AS (DELETE FROM t ...) SELECT ...`): ROW EXCLUSIVE on their targets. */
function cteWrites(withClause: unknown): LockClaim[] {
  const out: LockClaim[] = [];
  walkNodes(withClause, (key, value) => {
    const verb = DML_VERBS[key];
    if (verb && isTree(value)) out.push(...claim(rangeVar(value.relation), 'ROW EXCLUSIVE', `WITH ... ${verb}`));
  });
  return out;
}

function dmlClaims(n: Tree, verb: string): LockClaim[] {
  const target = rangeVar(n.relation);
  return [
    ...claim(target, 'ROW EXCLUSIVE', verb),
    ...readClaims({ ...n, relation: null }, 'ACCESS SHARE', `${verb} (read)`, target),
    ...rowLocks({ ...n, relation: null }),
  ];
}

/** The locks of one parse-tree statement node (`{ AlterTableStmt: {...} }`), strongest per relation. */
export function locksOfNode(stmt: unknown): LockClaim[] {
  if (!isTree(stmt)) return [];
  const [type, node] = Object.entries(stmt)[0] ?? [];
  const rule = type === undefined ? undefined : RULES[type];
  return rule && isTree(node) ? strongestPerRelation(rule(node)) : [];
}

/** The locks each statement of a SQL string takes, statement by statement; an unreadable string gives none. */
export async function inferLocks(text: string): Promise<LockClaim[][]> {
  try {
    return ((await parse(text)).stmts ?? []).map((s) => locksOfNode(s.stmt));
  } catch {
    return [];
  }
}
