// pgaudit's session audit log, as it appears in the dry-run server's stderr
// (log_line_prefix = '%m [%p] app=%a user=%u db=%d ', log_timezone UTC, lc_messages C):
//
//   2026-11-25 17:42:27.402 UTC [107] app=psql user=cutter_app db=ledger LOG:  AUDIT: SESSION,4,2,WRITE,DELETE,TABLE,ledger.mark,delete from ledger.mark where id = 3,<not logged>
//
// The part after `AUDIT: ` is CSV (AUDIT_TYPE, STATEMENT_ID, SUBSTATEMENT_ID, CLASS, COMMAND,
// OBJECT_TYPE, OBJECT_NAME, STATEMENT, PARAMETER[, ROWS]); pgaudit quotes a field holding a comma,
// a double quote or a line break, and the server indents every further line of a message with one
// tab. Unlike the statement log, it records what runs inside functions, DO blocks and triggers
// (dynamic SQL included) as sub-statements, each with its own text (session/audit settings:
// pg/session-audit.ts). Who ran it is the session user (`user=`), never the application name.
import { isStatementKind, type SqlPolicy } from '../config/index.js';
import { isoOf, LINE_START, readingsOf, type Reading } from './log-line.js';
import { policyBreaches, type ResolveName } from './sql-policy.js';
import {
  classifyStatements,
  UNPARSED,
  type ClassifiedStatement,
  type StatementAction,
  type StatementObject,
} from './statement-classifier.js';

/** pgaudit's placeholders for a statement or parameter field it did not log. */
export const NOT_LOGGED = '<not logged>';
export const PREVIOUSLY_LOGGED = '<previously logged>';

export interface AuditRecord {
  /** ISO 8601 when the log's zone is UTC or a numeric offset, else the timestamp as logged. */
  at: string;
  pid: number;
  app: string;
  /** The session user (`%u`). */
  user: string;
  db: string;
  /** SESSION, or OBJECT for object audit logging (pgaudit.role). */
  auditType: string;
  statementId: number;
  substatementId: number;
  /** READ, WRITE, FUNCTION, ROLE, DDL, MISC, MISC_SET. */
  class: string;
  /** pgaudit's command tag: SELECT, INSERT, DELETE, TRUNCATE TABLE, EXECUTE, DO, CREATE TABLE... */
  command: string;
  /** TABLE, VIEW, FUNCTION, ... or '' when none. */
  objectType: string;
  /** Schema-qualified, each part quoted where SQL needs it (`ledger.mark`, `"Odd, s"."Ta""b"`), or ''. */
  objectName: string;
  /** The text of the statement or sub-statement that ran, `<not logged>`, or `<previously logged>`. */
  statement: string;
  /** `<not logged>` unless pgaudit.log_parameter is on. May hold secrets: redact. */
  parameter: string;
  /** Rows retrieved or affected when pgaudit.log_rows is on, else null. */
  rows: number | null;
  /**
   * The line's prefix reads more than one way (an application name or a statement imitating
   * ` user=X db=Y LOG:  AUDIT: `): the reading kept is the last one, the others are alternatives.
   */
  ambiguous: boolean;
  alternatives: { app: string; user: string; db: string }[];
  /** The CSV part did not read as an audit entry; `statement` then holds it whole. */
  malformed: boolean;
}

const AUDIT = 'AUDIT: ';

/** CSV fields as pgaudit writes them; null when a quoted field is not closed or junk follows one. */
export function parseCsvFields(text: string): string[] | null {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (text[i] === '"') {
      let value = '';
      i += 1;
      for (;;) {
        if (i >= text.length) return null;
        const c = text[i]!;
        if (c === '"') {
          if (text[i + 1] === '"') {
            value += '"';
            i += 2;
            continue;
          }
          i += 1;
          break;
        }
        value += c;
        i += 1;
      }
      fields.push(value);
      if (i === text.length) return fields;
      if (text[i] !== ',') return null;
      i += 1;
    } else {
      const end = text.indexOf(',', i);
      if (end === -1) {
        fields.push(text.slice(i));
        return fields;
      }
      fields.push(text.slice(i, end));
      i = end + 1;
    }
  }
}

function recordOf(at: string, pid: number, main: Reading, others: Reading[], body: string): AuditRecord {
  const base = {
    at,
    pid,
    app: main.app,
    user: main.user,
    db: main.db,
    ambiguous: others.length > 0,
    alternatives: others.map((r) => ({ app: r.app, user: r.user, db: r.db })),
  };
  const fields = parseCsvFields(body);
  const ids = fields ? [Number(fields[1]), Number(fields[2])] : [];
  const rows = fields?.[9];
  if (
    !fields ||
    fields.length < 9 ||
    fields.length > 10 ||
    !ids.every((n) => Number.isSafeInteger(n) && n > 0) ||
    (rows !== undefined && !/^\d+$/.test(rows))
  ) {
    return {
      ...base,
      auditType: '',
      statementId: 0,
      substatementId: 0,
      class: '',
      command: '',
      objectType: '',
      objectName: '',
      statement: body,
      parameter: '',
      rows: null,
      malformed: true,
    };
  }
  return {
    ...base,
    auditType: fields[0]!,
    statementId: ids[0]!,
    substatementId: ids[1]!,
    class: fields[3]!,
    command: fields[4]!,
    objectType: fields[5]!,
    objectName: fields[6]!,
    statement: fields[7]!,
    parameter: fields[8]!,
    rows: rows === undefined ? null : Number(rows),
    malformed: false,
  };
}

/** The pgaudit entries of a dry-run server's stderr, in order. */
export function parseAuditLog(log: string): AuditRecord[] {
  const records: AuditRecord[] = [];
  let open: { at: string; pid: number; readings: Reading[]; audits: Reading[]; more: string[] } | null = null;
  const close = () => {
    if (!open) return;
    const { at, pid, readings, audits, more } = open;
    const bodyOf = (r: Reading) => [r.message.slice(AUDIT.length), ...more].join('\n');
    // The last reading is the likeliest true one (an application name is the easier place to fake
    // a prefix), unless its entry does not read while an earlier one does (a statement imitating
    // the prefix inside a quoted field cuts the entry short). Either way the record is ambiguous.
    const candidates = audits.map((r) => ({
      r,
      record: recordOf(
        at,
        pid,
        r,
        readings.filter((x) => x !== r),
        bodyOf(r),
      ),
    }));
    const wellFormed = candidates.filter((c) => !c.record.malformed);
    records.push((wellFormed.length > 0 ? wellFormed : candidates).at(-1)!.record);
    open = null;
  };
  for (const line of log.split(/\r?\n/)) {
    const start = LINE_START.exec(line);
    if (start) {
      close();
      const readings = readingsOf(line.slice(start[0].length));
      const audits = readings.filter((r) => r.severity === 'LOG' && r.message.startsWith(AUDIT));
      if (audits.length > 0)
        open = { at: isoOf(start[1]!, start[2]!), pid: Number(start[3]), readings, audits, more: [] };
    } else if (open && line.startsWith('\t')) {
      // The server indents every further line of a message with one tab.
      open.more.push(line.slice(1));
    } else {
      close();
    }
  }
  close();
  return records;
}

// ---------------------------------------------------------------------------------------------
// Statements

/** The entries of one audited statement or sub-statement (one per relation with log_relation). */
export interface AuditStatement {
  /** Unique within the log: `pid/session/statementId/substatementId`. */
  key: string;
  pid: number;
  /** 1 for the first session seen on this pid, 2 when the pid was reused by a later one...; 0 for an entry that stands alone. */
  session: number;
  statementId: number;
  substatementId: number;
  at: string;
  user: string;
  app: string;
  text: string;
  /** Ran inside another statement (a function, DO block, trigger): its text is not the top-level one. */
  nested: boolean;
  ambiguous: boolean;
  malformed: boolean;
  records: AuditRecord[];
}

/**
 * Group entries into statements. Statement ids count per backend from 1, so a pid whose ids go
 * back starts a new session (a reused pid).
 */
export function auditStatements(records: readonly AuditRecord[]): AuditStatement[] {
  const statements: AuditStatement[] = [];
  const byKey = new Map<string, AuditStatement>();
  const last = new Map<number, { session: number; statementId: number; substatementId: number }>();
  for (const r of records) {
    // An entry that does not read, or whose prefix reads more than one way (possibly forged ids),
    // stands alone: it neither joins nor numbers a real statement.
    if (r.malformed || r.ambiguous) {
      statements.push({
        key: `${r.pid}/${r.malformed ? 'malformed' : 'ambiguous'}/${statements.length}`,
        pid: r.pid,
        session: 0,
        statementId: r.statementId,
        substatementId: r.substatementId,
        at: r.at,
        user: r.user,
        app: r.app,
        text: r.statement,
        nested: false,
        ambiguous: r.ambiguous,
        malformed: r.malformed,
        records: [r],
      });
      continue;
    }
    const prev = last.get(r.pid);
    let session = prev?.session ?? 1;
    if (
      prev &&
      (r.statementId < prev.statementId ||
        (r.statementId === prev.statementId && r.substatementId < prev.substatementId))
    )
      session += 1;
    last.set(r.pid, { session, statementId: r.statementId, substatementId: r.substatementId });
    const key = `${r.pid}/${session}/${r.statementId}/${r.substatementId}`;
    const known = byKey.get(key);
    if (known) {
      known.records.push(r);
      if (known.text === PREVIOUSLY_LOGGED || known.text === NOT_LOGGED) known.text = r.statement;
      continue;
    }
    const statement: AuditStatement = {
      key,
      pid: r.pid,
      session,
      statementId: r.statementId,
      substatementId: r.substatementId,
      at: r.at,
      user: r.user,
      app: r.app,
      text: r.statement,
      nested: false,
      ambiguous: r.ambiguous,
      malformed: false,
      records: [r],
    };
    byKey.set(key, statement);
    statements.push(statement);
  }
  // The first sub-statement of a statement carries the top-level text (pgaudit numbers them as
  // the executor starts them); a later one with another text ran inside it.
  const top = new Map<string, string>();
  for (const s of statements) {
    if (s.malformed || s.ambiguous) continue;
    const k = `${s.pid}/${s.session}/${s.statementId}`;
    if (!top.has(k)) top.set(k, s.text);
    else s.nested = s.text !== top.get(k) && s.text !== NOT_LOGGED && s.text !== PREVIOUSLY_LOGGED;
  }
  return statements;
}

// ---------------------------------------------------------------------------------------------
// Verbs

// pgaudit's command tags (PostgreSQL's) whose verb is not their first word.
const COMMAND_VERBS: Record<string, string[]> = {
  'TRUNCATE TABLE': ['TRUNCATE'],
  'START TRANSACTION': ['BEGIN'],
  RESET: ['SET'],
  'SET CONSTRAINTS': ['SET'],
  'SELECT INTO': ['SELECT', 'CREATE'],
  'REFRESH MATERIALIZED VIEW': ['REFRESH'],
  'IMPORT FOREIGN SCHEMA': ['IMPORT'],
  'REASSIGN OWNED': ['REASSIGN'],
  'SECURITY LABEL': ['SECURITY LABEL'],
  'PREPARE TRANSACTION': ['PREPARE TRANSACTION'],
  'COMMIT PREPARED': ['COMMIT PREPARED'],
  'ROLLBACK PREPARED': ['ROLLBACK PREPARED'],
  'DECLARE CURSOR': ['DECLARE'],
  'CLOSE CURSOR': ['CLOSE'],
};

/** The verbs an entry's command tag stands for; none for a function call (FUNCTION,EXECUTE) or an unknown tag. */
export function commandVerbs(record: Pick<AuditRecord, 'class' | 'command'>): string[] {
  const command = record.command.trim().toUpperCase();
  if (command === '' || command === '???') return [];
  // FUNCTION,EXECUTE is a function a statement called, not a statement: what it ran is logged on its own.
  if (record.class === 'FUNCTION' && command === 'EXECUTE') return [];
  return COMMAND_VERBS[command] ?? [command.split(' ')[0]!];
}

export interface AuditForbidden {
  verb: string;
  kind: string;
  /** What it was forbidden on; empty when it names nothing. */
  objects: string[];
  /** `forbidden_verbs`, or `sql_policy.forbid[N]`. */
  rule: string;
  user: string;
  app: string;
  /** Unredacted: redaction is the caller's. */
  text: string;
  at: string;
  pid: number;
  statementId: number;
  substatementId: number;
  /** Ran inside a function, DO block or trigger: the statement log cannot have it. */
  nested: boolean;
  /** Tables the entries named (pgaudit.log_relation), schema-qualified as pgaudit wrote them. */
  relations: string[];
}

export interface AuditTrace {
  /** Audited statements and sub-statements of everyone but the tool's own role. */
  statements: number;
  /** Of those, the ones that ran inside another statement. */
  nested: number;
  /** Left out as the tool's own (by session user). */
  excluded: number;
  verbs: string[];
  /** Statements in which each verb occurs. */
  counts: Record<string, number>;
  forbidden: AuditForbidden[];
  /** Functions called (FUNCTION,EXECUTE entries), schema-qualified, sorted. */
  functions: string[];
  /** Entries whose prefix reads more than one way. */
  ambiguous: number;
  /** Entries whose CSV did not read, and statements whose text the parser could not read. */
  malformed: number;
  unparsed: number;
  unclassified: {
    reason: 'ambiguous' | 'malformed' | 'unparsed';
    user: string;
    app: string;
    text: string;
    at: string;
    pid: number;
  }[];
}

/** `ledger.mark`, `"Odd, s"."Ta""b"` -> its parts unquoted; null when it is not one or two identifiers. */
export function splitQualifiedName(name: string): { schema: string | null; table: string } | null {
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

// pgaudit's object types that are relations (what a rule's `tables` names).
const RELATION_TYPES = new Set([
  'TABLE',
  'VIEW',
  'MATERIALIZED VIEW',
  'INDEX',
  'SEQUENCE',
  'FOREIGN TABLE',
  'TOAST TABLE',
]);

/** The object an entry names, as the classifier gives objects; null when it names none. */
function recordObject(r: AuditRecord): StatementObject | null {
  if (r.objectName === '') return null;
  const n = splitQualifiedName(r.objectName);
  if (!n) return null;
  return { schema: n.schema, name: n.table, relation: RELATION_TYPES.has(r.objectType) };
}

/** The actions an entry's command tag stands for, on the object it names. */
function recordActions(r: AuditRecord): StatementAction[] {
  const command = r.command.trim().toUpperCase();
  const o = recordObject(r);
  return commandVerbs(r).map((verb) => ({
    verb,
    kind: isStatementKind(command)
      ? command
      : command === 'CREATE TABLE AS' || command === 'SELECT INTO'
        ? verb === 'CREATE'
          ? 'CREATE TABLE'
          : verb
        : verb,
    objects: o ? [o] : [],
  }));
}

/**
 * The verbs of what the audit log recorded, as the SQL trace gives them for the statement log:
 * per statement or sub-statement, the classes of its command tags and of its text (parsed by
 * PostgreSQL's parser), forbidden ones listed under `policy`; the tool's own role left out. An
 * unqualified name in the text is the relation of that name the same statement's entries
 * resolved (pgaudit names them schema-qualified), else what `resolve` gives it.
 */
export async function auditVerbs(
  records: readonly AuditRecord[],
  opts: { toolRole: string; policy: SqlPolicy; resolve?: ResolveName },
): Promise<AuditTrace> {
  const trace: AuditTrace = {
    statements: 0,
    nested: 0,
    excluded: 0,
    verbs: [],
    counts: {},
    forbidden: [],
    functions: [],
    ambiguous: 0,
    malformed: 0,
    unparsed: 0,
    unclassified: [],
  };
  const seen = new Set<string>();
  const functions = new Set<string>();
  const known = new Map<string, Promise<ClassifiedStatement[]>>();
  const classified = (text: string) => {
    let parts = known.get(text);
    if (!parts) known.set(text, (parts = classifyStatements(text)));
    return parts;
  };
  for (const s of auditStatements(records)) {
    // An ambiguous prefix may be a forged `user=`: it is never taken for the tool's own.
    if (!s.ambiguous && s.user === opts.toolRole) {
      trace.excluded += 1;
      continue;
    }
    trace.statements += 1;
    if (s.nested) trace.nested += 1;
    const where = { user: s.user, app: s.app, text: s.text, at: s.at, pid: s.pid };
    if (s.ambiguous) {
      trace.ambiguous += 1;
      trace.unclassified.push({ reason: 'ambiguous', ...where });
    }
    const verbs = new Set<string>();
    const tagActions: StatementAction[] = [];
    if (s.malformed) {
      trace.malformed += 1;
      trace.unclassified.push({ reason: 'malformed', ...where });
      verbs.add(UNPARSED);
      tagActions.push({ verb: UNPARSED, kind: UNPARSED, objects: [] });
    }
    for (const r of s.records) {
      for (const a of recordActions(r)) {
        verbs.add(a.verb);
        tagActions.push(a);
      }
      if (r.class === 'FUNCTION' && r.command === 'EXECUTE' && r.objectName !== '') functions.add(r.objectName);
    }
    const textActions: StatementAction[] = [];
    if (!s.malformed && s.text !== NOT_LOGGED && s.text !== PREVIOUSLY_LOGGED) {
      const parts = await classified(s.text);
      if (parts.some((p) => p.classes.includes(UNPARSED))) {
        trace.unparsed += 1;
        trace.unclassified.push({ reason: 'unparsed', ...where });
      }
      for (const p of parts) {
        for (const v of p.classes) verbs.add(v);
        textActions.push(...p.actions);
      }
    }
    const resolvedHere = s.records
      .map(recordObject)
      .filter((o): o is StatementObject => o !== null && o.relation && o.schema !== null);
    const resolve: ResolveName = (o) => {
      if (o.schema !== null || o.name === null) return o;
      const same = new Set(resolvedHere.filter((x) => x.name === o.name).map((x) => x.schema));
      if (same.size === 1) return { ...o, schema: [...same][0]! };
      return opts.resolve ? opts.resolve(o) : o;
    };
    // The text's actions name what each class acts on; a class only the tags show (a text not logged) comes with the tag's object.
    const textVerbs = new Set(textActions.map((a) => a.verb));
    const actions = [...textActions, ...tagActions.filter((a) => !textVerbs.has(a.verb))];
    const relations = [
      ...new Set(s.records.filter((r) => r.objectType === 'TABLE' && r.objectName !== '').map((r) => r.objectName)),
    ];
    for (const verb of verbs) {
      seen.add(verb);
      trace.counts[verb] = (trace.counts[verb] ?? 0) + 1;
    }
    for (const b of policyBreaches(actions, opts.policy, resolve)) {
      trace.forbidden.push({
        ...b,
        ...where,
        statementId: s.statementId,
        substatementId: s.substatementId,
        nested: s.nested,
        relations,
      });
    }
  }
  trace.verbs = [...seen].sort();
  trace.functions = [...functions].sort();
  return trace;
}
