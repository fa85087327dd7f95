// Explaining the write counters (pg/write-counters.ts) by the statements that were logged: a table
// whose counters say rows were deleted, with no logged or audited DELETE on it, had them deleted
// by something the logs do not show (a function's or DO block's dynamic SQL without pgaudit, a
// SECURITY DEFINER function, a cascade, a rule): an unexplained write. It is reported, and it
// fails the run where its verb is forbidden: a DELETE run through dynamic SQL is still a DELETE.
//
// How a logged write is matched to a counted table (`schema.table`, pg_stat_user_tables' names):
// - verb by verb: INSERT explains only inserted rows, UPDATE only updated, DELETE only deleted
//   (INSERT ... ON CONFLICT DO UPDATE gives INSERT and UPDATE, MERGE the actions it has, COPY FROM
//   INSERT; a TRUNCATE explains no deleted rows);
// - a schema-qualified name explains exactly that table (audit entries name the relation pgaudit
//   resolved, schema-qualified);
// - an unqualified name explains a table only when exactly one table of that name exists among
//   `knownTables` (pass every user table of the database): the search_path it ran under is not in
//   the log (SET search_path, ALTER ROLE ... SET, a function's SET clause), so any other case
//   explains nothing and is listed as unresolved;
// - TRUNCATE empties a table without counting deleted rows: when the table's row count fell by
//   more than its deleted counter says (`rowDeltas`), at least that many rows went another way,
//   reported as TRUNCATE rows, explained only by a logged TRUNCATE of the table (a table dropped
//   and created again shows as counters going backwards);
// - presence, not amount: rows a statement touched are not logged (pgaudit.log_rows is off, and
//   would give a top-level statement's count anyway), so one logged DELETE on a table explains all
//   its deleted rows in the window;
// - a statement whose log prefix reads more than one way explains nothing.
// When in doubt, report: a write is explained only by a logged statement that names its table.
import type { AuditRecord } from './audit-log.js';
import { auditStatements, NOT_LOGGED, PREVIOUSLY_LOGGED } from './audit-log.js';
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

/**
 * Which counted writes the logged writes explain. Pure: `deltas` by `schema.table`, `writes` from
 * writesOfStatements / writesOfAudit, `forbidden` the run's forbidden verbs.
 */
export function explainWrites(
  deltas: Readonly<Record<string, WriteCounts>>,
  writes: readonly TableWrite[],
  forbidden: readonly string[],
  opts: {
    /** Every user table of the database (`schema.table`), for unqualified names; default the keys of `deltas`. */
    knownTables?: readonly string[];
    /**
     * Row-count change of each watched table over the same window (count(*) after minus before).
     * Ordinary tables only: count(*) of a partitioned or inherited table includes its children,
     * whose writes its own counters do not count.
     */
    rowDeltas?: Readonly<Record<string, number>>;
  } = {},
): WriteExplanation {
  const forbiddenSet = new Set(forbidden.map((v) => v.toUpperCase()));
  const known = opts.knownTables ?? Object.keys(deltas);
  // relname -> every known `schema.table` of that name.
  const byName = new Map<string, string[]>();
  for (const k of new Set(known)) {
    const dot = k.indexOf('.');
    const name = k.slice(dot + 1);
    byName.set(name, [...(byName.get(name) ?? []), k]);
  }
  // `schema.table\0VERB` -> sources that explain it.
  const explains = new Map<string, Set<WriteSource>>();
  const unresolved: UnresolvedName[] = [];
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
        if (!seenUnresolved.has(k)) unresolved.push({ table: w.table.table, verb, source: w.source, matches: [...matches].sort() });
        seenUnresolved.add(k);
      }
    }
    if (target === null) continue;
    const k = `${target}\0${verb}`;
    const sources = explains.get(k) ?? new Set<WriteSource>();
    sources.add(w.source);
    explains.set(k, sources);
  }
  const result: WriteExplanation = { explained: [], unexplained: [], forbiddenUnexplained: [], backwards: [], unresolved };
  for (const table of Object.keys(deltas).sort()) {
    const counts = deltas[table]!;
    for (const { verb, field } of COUNTED) {
      const rows = counts[field];
      if (rows === 0) continue;
      const finding = { table, verb, rows };
      if (rows < 0 || !Number.isFinite(rows)) {
        result.backwards.push(finding);
        continue;
      }
      const by = explains.get(`${table}\0${verb}`);
      if (by) {
        result.explained.push({ ...finding, by: [...by].sort() });
        continue;
      }
      result.unexplained.push(finding);
      if (forbiddenSet.has(verb)) result.forbiddenUnexplained.push(finding);
    }
    // Committed rows changed by at most +inserted and at least -deleted, so a fall below -deleted
    // went another way. (A TRUNCATE also drops the counts its transaction made before it: the
    // bound may then be off in size, never in sign.)
    const rowDelta = opts.rowDeltas?.[table];
    if (rowDelta === undefined || counts.deleted < 0) continue;
    const vanished = -rowDelta - counts.deleted;
    if (vanished <= 0) continue;
    const finding = { table, verb: 'TRUNCATE' as const, rows: vanished };
    const by = explains.get(`${table}\0TRUNCATE`);
    if (by) {
      result.explained.push({ ...finding, by: [...by].sort() });
      continue;
    }
    result.unexplained.push(finding);
    if (forbiddenSet.has('TRUNCATE')) result.forbiddenUnexplained.push(finding);
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
export async function writesOfStatements(statements: readonly LoggedStatement[], opts: { excludeUser?: string } = {}): Promise<LoggedWrites> {
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

/** `ledger.mark`, `"Odd, s"."Ta""b"` -> its parts unquoted; null when it is not one or two identifiers. */
export function splitQualifiedName(name: string): NamedTable | null {
  const parts: string[] = [];
  let i = 0;
  while (i <= name.length) {
    let part = '';
    if (name[i] === '"') {
      i += 1;
      for (;;) {
        if (i >= name.length) return null;
        if (name[i] === '"') {
          if (name[i + 1] === '"') {
            part += '"';
            i += 2;
            continue;
          }
          i += 1;
          break;
        }
        part += name[i];
        i += 1;
      }
    } else {
      const end = name.indexOf('.', i);
      part = name.slice(i, end === -1 ? name.length : end);
      i = end === -1 ? name.length : end;
      if (part === '') return null;
    }
    parts.push(part);
    if (i === name.length) break;
    if (name[i] !== '.') return null;
    i += 1;
  }
  if (parts.length === 1) return { schema: null, table: parts[0]! };
  if (parts.length === 2) return { schema: parts[0]!, table: parts[1]! };
  return null;
}

/**
 * The writes of pgaudit's entries: each WRITE entry's relation (pgaudit.log_relation names it
 * schema-qualified, with the command its permissions show), plus the writes of the entry's own
 * text (MERGE and INSERT ... ON CONFLICT DO UPDATE are logged as INSERT only), an unqualified name
 * in it taken as the relation of that name the same statement's entries resolved.
 */
export async function writesOfAudit(records: readonly AuditRecord[], opts: { excludeUser?: string } = {}): Promise<LoggedWrites> {
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
