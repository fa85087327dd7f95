// Explaining the write counters (pg/write-counters.ts) by the statements that were logged: a table
// whose counters say rows were deleted, with no logged or audited DELETE on it, had them deleted
// by something the logs do not show (a function's or DO block's dynamic SQL without pgaudit, a
// SECURITY DEFINER function, a cascade, a rule): an unexplained write. It is reported, and it
// fails the run where its verb is forbidden: a DELETE run through dynamic SQL is still a DELETE.
//
// How a logged write is matched to a counted table (`schema.table`, pg_stat_user_tables' names):
// - verb by verb: INSERT explains only inserted rows, UPDATE only updated, DELETE only deleted
//   (INSERT ... ON CONFLICT DO UPDATE gives INSERT and UPDATE, MERGE the actions it has, COPY FROM
//   INSERT; a TRUNCATE explains no deleted rows; an UPDATE through a partitioned table also
//   explains inserted and deleted rows, as a row it moves to another partition is both);
// - a partition or inheritance child is counted in its top-most parent (given `parents`): a
//   write through a partitioned parent is counted on the partitions it reached, and a logged
//   write on any table of the tree explains the parent's counts;
// - a schema-qualified name explains exactly that table (audit entries name the relation pgaudit
//   resolved, schema-qualified);
// - an unqualified name explains a table only when exactly one table of that name exists among
//   `knownTables` (pass every user table of the database): the search_path it ran under is not in
//   the log (SET search_path, ALTER ROLE ... SET, a function's SET clause), so any other case
//   explains nothing and is listed as unresolved;
// - TRUNCATE empties a table without counting deleted rows: when the table's row count fell by
//   more than its deleted counter says (`rowDeltas`), at least that many rows went another way,
//   reported as TRUNCATE rows, explained only by a logged TRUNCATE of the table, of a parent or of
//   a partition of it (a table dropped and created again shows as counters going backwards);
// - presence, not amount: rows a statement touched are not logged (pgaudit.log_rows is off, and
//   would give a top-level statement's count anyway), so one logged DELETE on a table explains all
//   its deleted rows in the window;
// - a statement whose log prefix reads more than one way explains nothing.
// When in doubt, report: a write is explained only by a logged statement that names its table.
import { NOT_LOGGED, PREVIOUSLY_LOGGED, type AuditRecord } from './audit-record.js';
import { auditStatements } from './audit-statements.js';
import { splitQualifiedName } from './qualified-name.js';

export { splitQualifiedName } from './qualified-name.js';
import type { LoggedStatement } from './sql-trace.js';
import { writesOf, type NamedTable } from './sql-writes.js';

/** What the counters say was written to a table, or between two readings of them. */
export interface WriteCounts {
  inserted: number;
  updated: number;
  deleted: number;
}

/** TRUNCATE: rows that went from a table without a counted DELETE (known from its row counts only). */
export type CountedVerb = 'INSERT' | 'UPDATE' | 'DELETE' | 'TRUNCATE';

export type WriteSource = 'statement log' | 'audit log';

/** A write a logged statement or audit entry made, to a table as named. */
export interface TableWrite {
  verb: string;
  table: NamedTable;
  source: WriteSource;
}

export interface WriteFinding {
  /** `schema.table`, as the counters name it. */
  table: string;
  verb: CountedVerb;
  rows: number;
}

export interface ExplainedWrite extends WriteFinding {
  by: WriteSource[];
}

export interface UnresolvedName {
  /** The name as written. */
  table: string;
  verb: string;
  source: WriteSource;
  /** Counted tables of that name: none, or more than one. */
  matches: string[];
}

export interface WriteExplanation {
  explained: ExplainedWrite[];
  /** Rows the counters show written with no logged statement of that verb on that table. */
  unexplained: WriteFinding[];
  /** The unexplained writes whose verb is forbidden: they fail the run. */
  forbiddenUnexplained: WriteFinding[];
  /** Counters that went down (a statistics reset, or a table dropped and created again): nothing can be concluded. */
  backwards: WriteFinding[];
  /** Unqualified names that matched no counted table or more than one: they explained nothing. */
  unresolved: UnresolvedName[];
}

const COUNTED: readonly { verb: CountedVerb; field: keyof WriteCounts }[] = [
  { verb: 'INSERT', field: 'inserted' },
  { verb: 'UPDATE', field: 'updated' },
  { verb: 'DELETE', field: 'deleted' },
];

const keyOf = (schema: string, table: string) => `${schema}.${table}`;

/** A partition's or inheritance child's parent (`schema.table`); `partition`: declarative partitioning (ATTACH / PARTITION OF). */
export interface ParentLink {
  parent: string;
  partition: boolean;
}

/** Whether an unexplained write of `verb` on `table` fails the run: a list of forbidden verbs, or the policy's answer. */
export type WriteForbidden = readonly string[] | ((verb: CountedVerb, table: string) => boolean);

/** The partition and inheritance trees: a table's parents up to the top-most one. */
class Trees {
  readonly partitioned: Set<string>;

  constructor(readonly parents: Readonly<Record<string, ParentLink>>) {
    this.partitioned = new Set(
      Object.values(parents)
        .filter((l) => l.partition)
        .map((l) => l.parent),
    );
  }

  ancestorsOf(t: string): string[] {
    const out: string[] = [];
    for (let p = this.parents[t]?.parent; p !== undefined && !out.includes(p) && p !== t; p = this.parents[p]?.parent)
      out.push(p);
    return out;
  }

  rootOf(t: string): string {
    return this.ancestorsOf(t).at(-1) ?? t;
  }

  /** Every table of `tables` that is `t` or below it. */
  membersOf(t: string, tables: readonly string[]): string[] {
    return tables.filter((d) => d === t || this.ancestorsOf(d).includes(t));
  }
}

interface LoggedExplanations {
  /** `root\0VERB` -> the sources that explain it. */
  explains: Map<string, Set<WriteSource>>;
  /** Each table a logged TRUNCATE named -> its sources. */
  truncated: Map<string, Set<WriteSource>>;
  unresolved: UnresolvedName[];
}

/** What the logged writes explain, by the top-most parent of the table each names (an unqualified name: the one known table of that name). */
function loggedExplanations(writes: readonly TableWrite[], known: readonly string[], trees: Trees): LoggedExplanations {
  // relname -> every known `schema.table` of that name.
  const byName = new Map<string, string[]>();
  for (const k of new Set(known)) {
    const name = k.slice(k.indexOf('.') + 1);
    byName.set(name, [...(byName.get(name) ?? []), k]);
  }
  const out: LoggedExplanations = { explains: new Map(), truncated: new Map(), unresolved: [] };
  const add = (into: Map<string, Set<WriteSource>>, k: string, source: WriteSource) =>
    into.set(k, (into.get(k) ?? new Set<WriteSource>()).add(source));
  const seenUnresolved = new Set<string>();
  for (const w of writes) {
    const verb = w.verb.toUpperCase();
    if (verb !== 'TRUNCATE' && !COUNTED.some((c) => c.verb === verb)) continue;
    let target: string | null;
    if (w.table.schema !== null) {
      target = keyOf(w.table.schema, w.table.table);
    } else {
      const matches = byName.get(w.table.table) ?? [];
      target = matches.length === 1 ? matches[0]! : null;
      if (target === null) {
        const k = `${w.table.table}\0${verb}\0${w.source}`;
        if (!seenUnresolved.has(k))
          out.unresolved.push({ table: w.table.table, verb, source: w.source, matches: [...matches].sort() });
        seenUnresolved.add(k);
      }
    }
    if (target === null) continue;
    if (verb === 'TRUNCATE') add(out.truncated, target, w.source);
    const root = trees.rootOf(target);
    add(out.explains, `${root}\0${verb}`, w.source);
    // An UPDATE through a partitioned table that moves a row to another partition deletes it from one and inserts it into the other.
    if (verb === 'UPDATE' && trees.partitioned.has(target)) {
      add(out.explains, `${root}\0INSERT`, w.source);
      add(out.explains, `${root}\0DELETE`, w.source);
    }
  }
  return out;
}

/** Counts summed into each tree's top-most parent. */
function foldedCounts(deltas: Readonly<Record<string, WriteCounts>>, trees: Trees): Map<string, WriteCounts> {
  const folded = new Map<string, WriteCounts>();
  for (const [table, c] of Object.entries(deltas)) {
    const root = trees.rootOf(table);
    const sum = folded.get(root) ?? { inserted: 0, updated: 0, deleted: 0 };
    folded.set(root, {
      inserted: sum.inserted + c.inserted,
      updated: sum.updated + c.updated,
      deleted: sum.deleted + c.deleted,
    });
  }
  return folded;
}

/**
 * Which counted writes the logged writes explain. Pure: `deltas` by `schema.table`, `writes` from
 * writesOfStatements / writesOfAudit, `forbidden` the forbidden verbs (or a policy's predicate).
 * With `parents`, a partition's or inheritance child's counts are summed into its top-most
 * parent (a write through a partitioned table is counted on its partitions), and a logged write
 * on any table of the tree explains the parent's; findings name the parent.
 */
export function explainWrites(
  deltas: Readonly<Record<string, WriteCounts>>,
  writes: readonly TableWrite[],
  forbidden: WriteForbidden,
  opts: {
    /** Every user table of the database (`schema.table`), for unqualified names; default the keys of `deltas`. */
    knownTables?: readonly string[];
    /**
     * Row-count change of each watched table over the same window (count(*) after minus before;
     * a parent's count covers its partitions and children).
     */
    rowDeltas?: Readonly<Record<string, number>>;
    /** Each partition or inheritance child -> its parent (its first one, for multiple inheritance). */
    parents?: Readonly<Record<string, ParentLink>>;
  } = {},
): WriteExplanation {
  const forbiddenSet = typeof forbidden === 'function' ? null : new Set(forbidden.map((v) => v.toUpperCase()));
  const isForbidden = (verb: CountedVerb, table: string) =>
    typeof forbidden === 'function' ? forbidden(verb, table) : forbiddenSet!.has(verb);
  const trees = new Trees(opts.parents ?? {});
  const parents = trees.parents;
  const known = [
    ...(opts.knownTables ?? Object.keys(deltas)),
    ...Object.keys(parents),
    ...Object.values(parents).map((l) => l.parent),
  ];
  const { explains, truncated, unresolved } = loggedExplanations(writes, known, trees);
  const folded = foldedCounts(deltas, trees);
  // Watched tables whose row count can show a TRUNCATE: those with no watched parent (its count covers them).
  const rowDeltas = opts.rowDeltas ?? {};
  const counted = Object.keys(deltas);
  const truncateChecks = Object.keys(rowDeltas).filter(
    (t) => !trees.ancestorsOf(t).some((a) => a in rowDeltas) && trees.membersOf(t, counted).length > 0,
  );

  const result: WriteExplanation = {
    explained: [],
    unexplained: [],
    forbiddenUnexplained: [],
    backwards: [],
    unresolved,
  };
  const report = (finding: WriteFinding, by: Set<WriteSource> | undefined) => {
    if (by && by.size > 0) result.explained.push({ ...finding, by: [...by].sort() });
    else {
      result.unexplained.push(finding);
      if (isForbidden(finding.verb, finding.table)) result.forbiddenUnexplained.push(finding);
    }
  };
  for (const table of [...folded.keys()].sort()) {
    const counts = folded.get(table)!;
    for (const { verb, field } of COUNTED) {
      const rows = counts[field];
      if (rows === 0) continue;
      if (rows < 0 || !Number.isFinite(rows)) result.backwards.push({ table, verb, rows });
      else report({ table, verb, rows }, explains.get(`${table}\0${verb}`));
    }
    // Committed rows changed by at most +inserted and at least -deleted, so a fall below -deleted
    // went another way. (A TRUNCATE also drops the counts its transaction made before it: the
    // bound may then be off in size, never in sign.) A watched table's count covers its
    // partitions and children, so their deleted rows are summed.
    for (const watched of truncateChecks.filter((t) => trees.rootOf(t) === table).sort()) {
      const members = trees.membersOf(watched, counted);
      if (members.some((m) => deltas[m]!.deleted < 0)) continue;
      const vanished = -rowDeltas[watched]! - members.reduce((n, m) => n + deltas[m]!.deleted, 0);
      if (vanished <= 0) continue;
      // A TRUNCATE of the table, of a parent of it, or of one of its partitions or children.
      const lineage = new Set([watched, ...trees.ancestorsOf(watched), ...members]);
      report(
        { table: watched, verb: 'TRUNCATE', rows: vanished },
        new Set([...truncated].filter(([t]) => lineage.has(t)).flatMap(([, s]) => [...s])),
      );
    }
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Logged writes

export interface LoggedWrites {
  writes: TableWrite[];
  /** Statements (or audit entries) left out: the excluded role's, and those whose prefix reads more than one way. */
  skipped: number;
  /** Texts the parser could not read (in part): their writes are unknown. */
  unparsed: number;
  /** Texts that run dynamic SQL (a DO block's EXECUTE): their writes are unknown from the text. */
  dynamic: number;
}

/**
 * The writes of logged statements (parseServerLog), by the tables they name. `excludeUser`: the
 * tool's own role, whose statements explain nothing of the system under test.
 */
export async function writesOfStatements(
  statements: readonly LoggedStatement[],
  opts: { excludeUser?: string } = {},
): Promise<LoggedWrites> {
  const out: LoggedWrites = { writes: [], skipped: 0, unparsed: 0, dynamic: 0 };
  const known = new Map<string, ReturnType<typeof writesOf>>();
  for (const s of statements) {
    if (s.ambiguous || s.user === opts.excludeUser) {
      out.skipped += 1;
      continue;
    }
    let parsed = known.get(s.text);
    if (!parsed) known.set(s.text, (parsed = writesOf(s.text)));
    const w = await parsed;
    if (w.unparsed) out.unparsed += 1;
    if (w.dynamic) out.dynamic += 1;
    for (const write of w.writes) out.writes.push({ verb: write.verb, table: write.table, source: 'statement log' });
  }
  return out;
}

/**
 * The writes of pgaudit's entries: each WRITE entry's relation (pgaudit.log_relation names it
 * schema-qualified, with the command its permissions show), plus the writes of the entry's own
 * text (MERGE and INSERT ... ON CONFLICT DO UPDATE are logged as INSERT only), an unqualified name
 * in it taken as the relation of that name the same statement's entries resolved.
 */
export async function writesOfAudit(
  records: readonly AuditRecord[],
  opts: { excludeUser?: string } = {},
): Promise<LoggedWrites> {
  const out: LoggedWrites = { writes: [], skipped: 0, unparsed: 0, dynamic: 0 };
  const known = new Map<string, ReturnType<typeof writesOf>>();
  for (const s of auditStatements(records)) {
    if (s.ambiguous || s.malformed || s.user === opts.excludeUser) {
      out.skipped += 1;
      continue;
    }
    const resolved: NamedTable[] = [];
    for (const r of s.records) {
      if (r.objectType !== 'TABLE' || r.objectName === '') continue;
      const table = splitQualifiedName(r.objectName);
      if (!table) continue;
      resolved.push(table);
      if (r.class === 'WRITE') out.writes.push({ verb: r.command.toUpperCase(), table, source: 'audit log' });
    }
    if (s.text === NOT_LOGGED || s.text === PREVIOUSLY_LOGGED) continue;
    let parsed = known.get(s.text);
    if (!parsed) known.set(s.text, (parsed = writesOf(s.text)));
    const w = await parsed;
    if (w.unparsed) out.unparsed += 1;
    if (w.dynamic) out.dynamic += 1;
    for (const write of w.writes) {
      let table = write.table;
      if (table.schema === null) {
        const same = new Map(resolved.filter((t) => t.table === table.table).map((t) => [`${t.schema}.${t.table}`, t]));
        if (same.size === 1) table = [...same.values()][0]!;
      }
      out.writes.push({ verb: write.verb, table, source: 'audit log' });
    }
  }
  return out;
}
