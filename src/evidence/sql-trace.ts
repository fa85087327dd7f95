// The SQL trace: every statement the dry-run server logged (log_statement = 'all'), attributed to
// the session user the server printed, and classified by verb with PostgreSQL's own parser
// (libpg-query, WASM). Who ran a statement is decided by `user=` (authenticated), never by
// `app=` (any client sets its application name, to "pg-rehearse" too).
import { parse } from './sql-parser.js';
import { isoOf, LINE_START, partsOf, readingsOf, type Reading } from './log-line.js';
import { doBody, isTree, type Tree } from './plpgsql-body.js';

/** What the tool forbids the system under test by default: writes to schema, privileges, bulk I/O, deletes. */
// The default list lives with the config that applies it.
export { DEFAULT_FORBIDDEN_VERBS } from '../config/index.js';

/** The verb of a statement the parser could not read: reported, never dropped. */
export const UNPARSED = 'UNPARSED';

/** One way to read a log line's prefix: who, from which application, what. */
export interface StatementReading {
  app: string;
  /** The session user (`%u`): authenticated, unlike the application name. */
  user: string;
  db: string;
  /** The statement as the server logged it (continuation lines joined, their tab removed), trimmed. */
  text: string;
}

export interface LoggedStatement extends StatementReading {
  /** ISO 8601 when the log's zone is UTC or a numeric offset, else the timestamp as logged. */
  at: string;
  pid: number;
  /** `$1 = '...', $2 = '...'` from the DETAIL line of a prepared statement, or null. May hold secrets: redact. */
  parameters: string | null;
  /**
   * The prefix reads more than one way: an application name or a statement that imitates
   * ` user=X db=Y LOG:  `. The reading above is the likeliest (the last one, as an application
   * name is the easier place to fake it); `alternatives` are the others, and none is left out.
   */
  ambiguous: boolean;
  alternatives: StatementReading[];
}

export interface ForbiddenStatement {
  verb: string;
  user: string;
  app: string;
  /** Unredacted: redaction is the caller's. */
  text: string;
  at: string;
  pid: number;
}

export interface UnclassifiedStatement {
  /** `unparsed`: the parser could not read it; `ambiguous`: its prefix reads more than one way. */
  reason: 'unparsed' | 'ambiguous';
  user: string;
  app: string;
  text: string;
  at: string;
  pid: number;
}

export interface SqlTrace {
  /** Statements of everyone but the tool's own role. */
  statements: number;
  /** Statements left out as the tool's own (by session user). */
  excluded: number;
  /** Sorted set of every verb seen. */
  verbs: string[];
  /** Statements in which each verb occurs (a multi-statement string counts each part). */
  counts: Record<string, number>;
  forbidden: ForbiddenStatement[];
  /** Statements with a part the parser could not read. */
  unparsed: number;
  /** Statements whose log prefix reads more than one way. */
  ambiguous: number;
  unclassified: UnclassifiedStatement[];
}

// ---------------------------------------------------------------------------------------------
// The server log

// `execute fetch from NAME: ...` continues a portal already logged as `execute NAME: ...`.
const STATEMENT = /^(?:statement: |execute (?!fetch from )(?:[^:]|:(?! ))*: )/;
const PARAMETERS = /^parameters: /;

interface Message {
  at: string;
  pid: number;
  readings: Reading[];
  /** Lines after the first, their leading tab removed. */
  more: string[];
}

/** The messages of a server log: a prefixed line and the tab-indented lines that continue it. */
function messagesOf(log: string): Message[] {
  const messages: Message[] = [];
  let current: Message | null = null;
  for (const line of log.split(/\r?\n/)) {
    const start = LINE_START.exec(line);
    if (start) {
      const readings = readingsOf(line.slice(start[0].length));
      current = readings.length > 0 ? { at: isoOf(start[1]!, start[2]!), pid: Number(start[3]), readings, more: [] } : null;
      if (current) messages.push(current);
    } else if (current && line.startsWith('\t')) {
      // The server indents every further line of a message with one tab.
      current.more.push(line.slice(1));
    } else {
      // Output that is not the server's (an entrypoint's echo, a docker line) ends the message.
      current = null;
    }
  }
  return messages;
}

function textOf(reading: Reading, more: readonly string[], prefix: RegExp): string {
  return [reading.message.replace(prefix, ''), ...more].join('\n').trim();
}

/** The statements of a dry-run server's stderr, in order, with their session user and parameters. */
export function parseServerLog(log: string): LoggedStatement[] {
  const statements: LoggedStatement[] = [];
  // The statement a DETAIL line of the same backend may still belong to.
  const open = new Map<number, LoggedStatement>();
  for (const msg of messagesOf(log)) {
    const statementReadings = msg.readings.filter((r) => r.severity === 'LOG' && STATEMENT.test(r.message));
    const last = msg.readings[msg.readings.length - 1]!;
    if (statementReadings.length > 0) {
      // The last reading is the likeliest true one; any reading that is a statement is kept.
      const main = statementReadings[statementReadings.length - 1]!;
      const ambiguous = msg.readings.length > 1;
      const toReading = (r: Reading): StatementReading => ({ app: r.app, user: r.user, db: r.db, text: textOf(r, msg.more, STATEMENT) });
      const statement: LoggedStatement = {
        at: msg.at,
        pid: msg.pid,
        ...toReading(main),
        parameters: null,
        ambiguous,
        alternatives: statementReadings.filter((r) => r !== main).map(toReading),
      };
      statements.push(statement);
      open.set(msg.pid, statement);
      continue;
    }
    const pending = open.get(msg.pid);
    if (pending && last.severity === 'DETAIL' && PARAMETERS.test(last.message) && pending.parameters === null) {
      pending.parameters = textOf(last, msg.more, PARAMETERS);
    }
    open.delete(msg.pid);
  }
  return statements;
}

// ---------------------------------------------------------------------------------------------
// Verbs



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

// Data-modifying statements that may sit inside another one (a WITH, EXPLAIN, PREPARE, COPY (...)).
const NESTED_WRITES: Record<string, string> = { InsertStmt: 'INSERT', UpdateStmt: 'UPDATE', DeleteStmt: 'DELETE', MergeStmt: 'MERGE' };
const MERGE_ACTIONS: Record<string, string> = { CMD_INSERT: 'INSERT', CMD_UPDATE: 'UPDATE', CMD_DELETE: 'DELETE' };

/** The verb of a top-level statement node. */
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

/** Verbs written inside a statement: data-modifying CTEs, MERGE actions, SELECT INTO, default privileges. */
function innerVerbs(type: string, node: Tree, verbs: Set<string>): void {
  if (type === 'SelectStmt' && node.intoClause !== undefined) verbs.add('CREATE');
  if (type === 'AlterDefaultPrivilegesStmt' && isTree(node.action)) verbs.add(node.action.is_grant === true ? 'GRANT' : 'REVOKE');
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) {
      value.forEach(walk);
      return;
    }
    if (!isTree(value)) return;
    for (const [key, child] of Object.entries(value)) {
      const nested = NESTED_WRITES[key];
      if (nested) verbs.add(nested);
      if (key === 'MergeWhenClause' && isTree(child)) {
        const action = MERGE_ACTIONS[String(child.commandType)];
        if (action) verbs.add(action);
      }
      walk(child);
    }
  };
  walk(node);
}

async function doBodyVerbs(node: Tree, depth: number): Promise<string[]> {
  const body = await doBody(node);
  if (!body) return [UNPARSED];
  const verbs = new Set<string>();
  for (const query of body.queries) for (const verb of await classifyText(query, depth + 1)) verbs.add(verb);
  if (body.dynamic) verbs.add('EXECUTE');
  return [...verbs];
}

/** The verbs of one parsed statement: its own first, then what it writes inside. */
async function statementVerbs(stmt: unknown, depth: number): Promise<string[]> {
  if (!isTree(stmt)) return [UNPARSED];
  const [type, node] = Object.entries(stmt)[0] ?? [];
  if (type === undefined || !isTree(node)) return [UNPARSED];
  const verbs = new Set<string>([verbOf(type, node)]);
  innerVerbs(type, node, verbs);
  if (type === 'DoStmt' && depth < 4) for (const verb of await doBodyVerbs(node, depth)) verbs.add(verb);
  return [...verbs];
}


async function classifyText(text: string, depth: number): Promise<string[]> {
  if (text.trim() === '') return [];
  try {
    const result = await parse(text);
    const verbs: string[] = [];
    for (const raw of result.stmts ?? []) verbs.push(...(await statementVerbs(raw.stmt, depth)));
    return verbs;
  } catch {
    // One bad part must not hide the others: classify each part on its own.
    const parts = await partsOf(text);
    if (parts.length <= 1) return [UNPARSED];
    const verbs: string[] = [];
    for (const part of parts) verbs.push(...(await classifyText(part, depth)));
    return verbs;
  }
}

/**
 * The verbs of a SQL string: per statement, its own verb then the verbs it writes inside
 * (`WITH gone AS (DELETE ...) SELECT` gives SELECT, DELETE); one group per part of a
 * multi-statement string; UNPARSED for a part the parser cannot read.
 */
export async function classify(text: string): Promise<string[]> {
  return classifyText(text, 0);
}

// ---------------------------------------------------------------------------------------------
// The trace

/** Verbs by statement, forbidden ones, unreadable ones; the tool's own statements (by session user) left out. */
export async function traceStatements(
  statements: readonly LoggedStatement[],
  opts: { toolRole: string; forbidden: readonly string[] },
): Promise<SqlTrace> {
  const forbiddenSet = new Set(opts.forbidden.map((v) => v.toUpperCase()));
  const trace: SqlTrace = { statements: 0, excluded: 0, verbs: [], counts: {}, forbidden: [], unparsed: 0, ambiguous: 0, unclassified: [] };
  const seen = new Set<string>();
  // A prepared statement is logged once per execution: parse each text once.
  const known = new Map<string, Promise<string[]>>();
  const verbsOf = (text: string) => {
    let verbs = known.get(text);
    if (!verbs) known.set(text, (verbs = classify(text)));
    return verbs;
  };
  for (const s of statements) {
    // An ambiguous prefix may be a forged `user=`: it is never taken for the tool's own.
    if (!s.ambiguous && s.user === opts.toolRole) {
      trace.excluded += 1;
      continue;
    }
    trace.statements += 1;
    const where = { at: s.at, pid: s.pid };
    if (s.ambiguous) {
      trace.ambiguous += 1;
      trace.unclassified.push({ reason: 'ambiguous', user: s.user, app: s.app, text: s.text, ...where });
    }
    const verbsOfStatement = new Set<string>();
    let unparsed = false;
    for (const reading of [s, ...s.alternatives]) {
      const verbs = await verbsOf(reading.text);
      for (const verb of new Set(verbs)) {
        if (verb === UNPARSED) unparsed = true;
        if (forbiddenSet.has(verb) && !verbsOfStatement.has(verb)) {
          trace.forbidden.push({ verb, user: reading.user, app: reading.app, text: reading.text, ...where });
        }
        verbsOfStatement.add(verb);
      }
      for (const verb of verbs) {
        seen.add(verb);
        trace.counts[verb] = (trace.counts[verb] ?? 0) + 1;
      }
    }
    if (unparsed) {
      trace.unparsed += 1;
      trace.unclassified.push({ reason: 'unparsed', user: s.user, app: s.app, text: s.text, ...where });
    }
  }
  trace.verbs = [...seen].sort();
  return trace;
}
