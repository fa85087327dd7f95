// The SQL trace: every statement the dry-run server logged (log_statement = 'all'), attributed to
// the session user the server printed, and classified by verb with PostgreSQL's own parser
// (libpg-query, WASM). Who ran a statement is decided by `user=` (authenticated), never by
// `app=` (any client sets its application name, to "pg-rehearse" too).
import type { SqlPolicy } from '../config/index.js';
import { LINE_START, lineStartOf, readingsOf, type LineStart, type Reading } from './log-line.js';
import { policyBreaches, type ResolveName } from './sql-policy.js';
import { classifyStatements, objectName, UNPARSED, type ClassifiedStatement } from './statement-classifier.js';

/** What the tool forbids the system under test by default: writes to schema, privileges, bulk I/O, deletes. */
// The default list lives with the config that applies it.

export { classify, UNPARSED } from './statement-classifier.js';

/** One way to read a log line's prefix: who, from which application, what. */
export interface StatementReading {
  app: string;
  /** The session user (`%u`): authenticated, unlike the application name. */
  user: string;
  db: string;
  /** The statement as the server logged it (continuation lines joined, their tab removed), trimmed. */
  text: string;
}

/** Time, pid, session, transaction id and virtual transaction id (the statement's own line: log-line.ts). */
export interface LoggedStatement extends StatementReading, LineStart {
  /** `$1 = '...', $2 = '...'` from the DETAIL line of a prepared statement, or null. May hold secrets: redact. */
  parameters: string | null;
  /**
   * The prefix reads more than one way: an application name or a statement that imitates
   * ` user=X db=Y LOG:  `. The reading above is the likeliest (the last one, as an application
   * name is the easier place to fake it); `alternatives` are the others, and none is left out.
   */
  ambiguous: boolean;
  alternatives: StatementReading[];
  /** How long it ran, from the server's `duration:` line (log_min_duration_statement = 0); absent when not logged. */
  duration_ms?: number;
}

export interface ForbiddenStatement {
  verb: string;
  /** The statement kind that carries the verb (`CREATE TABLE`, `ALTER TABLE`, `DELETE`). */
  kind: string;
  /** What it was forbidden on (`schema.table`, a name as written, a schema); empty when it names nothing. */
  objects: string[];
  /** The rule that forbids it: `forbidden_verbs` or `sql_policy.forbid[N]`. */
  rule: string;
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

/** A statement that may rewrite a table whole (ALTER COLUMN ... TYPE, SET LOGGED, CLUSTER, VACUUM FULL). */
export interface RewritingStatement {
  user: string;
  app: string;
  text: string;
  at: string;
  pid: number;
  tables: string[];
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
  rewrites: RewritingStatement[];
}

// ---------------------------------------------------------------------------------------------
// The server log

// `execute fetch from NAME: ...` continues a portal already logged as `execute NAME: ...`.
const STATEMENT = /^(?:statement: |execute (?!fetch from )(?:[^:]|:(?! ))*: )/;
const PARAMETERS = /^parameters: /;
// log_min_duration_statement's line once a statement logged by log_statement ends (its text not repeated).
const DURATION = /^duration: (\d+(?:\.\d+)?) ms/;

interface Message extends LineStart {
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
      current = readings.length > 0 ? { ...lineStartOf(start), readings, more: [] } : null;
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
  // The last statement of each backend still without its duration.
  const running = new Map<number, LoggedStatement>();
  for (const msg of messagesOf(log)) {
    const statementReadings = msg.readings.filter((r) => r.severity === 'LOG' && STATEMENT.test(r.message));
    const last = msg.readings[msg.readings.length - 1]!;
    if (statementReadings.length > 0) {
      // The last reading is the likeliest true one; any reading that is a statement is kept.
      const main = statementReadings[statementReadings.length - 1]!;
      const ambiguous = msg.readings.length > 1;
      const toReading = (r: Reading): StatementReading => ({
        app: r.app,
        user: r.user,
        db: r.db,
        text: textOf(r, msg.more, STATEMENT),
      });
      const statement: LoggedStatement = {
        at: msg.at,
        pid: msg.pid,
        session: msg.session,
        xid: msg.xid,
        vxid: msg.vxid,
        ...toReading(main),
        parameters: null,
        ambiguous,
        alternatives: statementReadings.filter((r) => r !== main).map(toReading),
      };
      statements.push(statement);
      open.set(msg.pid, statement);
      running.set(msg.pid, statement);
      continue;
    }
    const took = last.severity === 'LOG' ? DURATION.exec(last.message) : null;
    const ran = running.get(msg.pid);
    if (took && ran) {
      ran.duration_ms = Number(took[1]);
      running.delete(msg.pid);
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
// The trace

/**
 * Classes by statement, forbidden ones (each occurrence, with the rule that forbids it), unreadable
 * ones, the ones that may rewrite a table; the tool's own statements (by session user) left out.
 * `resolve` gives unqualified names their schema where it can be known (evidence/sql-policy.ts).
 */
export async function traceStatements(
  statements: readonly LoggedStatement[],
  opts: { toolRole: string; policy: SqlPolicy; resolve?: ResolveName },
): Promise<SqlTrace> {
  const trace: SqlTrace = {
    statements: 0,
    excluded: 0,
    verbs: [],
    counts: {},
    forbidden: [],
    unparsed: 0,
    ambiguous: 0,
    unclassified: [],
    rewrites: [],
  };
  const seen = new Set<string>();
  // A prepared statement is logged once per execution: parse each text once.
  const known = new Map<string, Promise<ClassifiedStatement[]>>();
  const classified = (text: string) => {
    let parts = known.get(text);
    if (!parts) known.set(text, (parts = classifyStatements(text)));
    return parts;
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
    const forbiddenOfStatement = new Set<string>();
    let unparsed = false;
    for (const reading of [s, ...s.alternatives]) {
      const parts = await classified(reading.text);
      for (const b of policyBreaches(
        parts.flatMap((p) => p.actions),
        opts.policy,
        opts.resolve,
      )) {
        if (forbiddenOfStatement.has(b.verb)) continue;
        forbiddenOfStatement.add(b.verb);
        trace.forbidden.push({ ...b, user: reading.user, app: reading.app, text: reading.text, ...where });
      }
      for (const verb of parts.flatMap((p) => p.classes)) {
        if (verb === UNPARSED) unparsed = true;
        seen.add(verb);
        trace.counts[verb] = (trace.counts[verb] ?? 0) + 1;
      }
      const rewrites = parts.flatMap((p) => p.rewrites).map((o) => objectName(opts.resolve ? opts.resolve(o) : o));
      if (rewrites.length > 0 && reading === s)
        trace.rewrites.push({ user: s.user, app: s.app, text: s.text, ...where, tables: [...new Set(rewrites)] });
    }
    if (unparsed) {
      trace.unparsed += 1;
      trace.unclassified.push({ reason: 'unparsed', user: s.user, app: s.app, text: s.text, ...where });
    }
  }
  trace.verbs = [...seen].sort();
  return trace;
}
