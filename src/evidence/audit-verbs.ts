// The verbs of what the audit log recorded, as the SQL trace gives them for the statement log:
// per audited statement or sub-statement, the classes of its command tags and of its text, and
// the statements the SQL policy forbids.
import type { SqlPolicy } from '../config/index.js';
import { isStatementKind } from '../config/statement-kinds.js';
import { NOT_LOGGED, PREVIOUSLY_LOGGED, type AuditRecord } from './audit-record.js';
import { auditStatements, type AuditStatement } from './audit-statements.js';
import { splitQualifiedName } from './qualified-name.js';
import type { ForbiddenStatement } from './sql-trace.js';
import { policyBreaches, type ResolveName } from './sql-policy.js';
import {
  classifyStatements,
  UNPARSED,
  type ClassifiedStatement,
  type StatementAction,
  type StatementObject,
} from './statement-classifier.js';

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

/** A forbidden statement of the audit log: one of the statement log's, with pgaudit's ids, nesting and relations. */
export interface AuditForbidden extends ForbiddenStatement {
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

/** What one audited statement does: its verbs (tags' and text's), the actions they stand for, the functions it called. */
interface StatementReading {
  verbs: Set<string>;
  /** The text's actions, then those of a verb only the tags show. */
  actions: StatementAction[];
  /** Its text was logged and the parser could not read it (in part). */
  unparsed: boolean;
  functions: string[];
}

type Classify = (text: string) => Promise<ClassifiedStatement[]>;

/** A statement's verbs and actions, from its entries' command tags and from its text where it was logged. */
async function readStatement(s: AuditStatement, classified: Classify): Promise<StatementReading> {
  const verbs = new Set<string>();
  const tagActions: StatementAction[] = [];
  const functions: string[] = [];
  if (s.malformed) {
    verbs.add(UNPARSED);
    tagActions.push({ verb: UNPARSED, kind: UNPARSED, objects: [] });
  }
  for (const r of s.records) {
    for (const a of recordActions(r)) {
      verbs.add(a.verb);
      tagActions.push(a);
    }
    if (r.class === 'FUNCTION' && r.command === 'EXECUTE' && r.objectName !== '') functions.push(r.objectName);
  }
  const textActions: StatementAction[] = [];
  let unparsed = false;
  if (!s.malformed && s.text !== NOT_LOGGED && s.text !== PREVIOUSLY_LOGGED) {
    const parts = await classified(s.text);
    unparsed = parts.some((p) => p.classes.includes(UNPARSED));
    for (const p of parts) {
      for (const v of p.classes) verbs.add(v);
      textActions.push(...p.actions);
    }
  }
  // The text's actions name what each class acts on; a class only the tags show (a text not logged) comes with the tag's object.
  const textVerbs = new Set(textActions.map((a) => a.verb));
  return { verbs, actions: [...textActions, ...tagActions.filter((a) => !textVerbs.has(a.verb))], unparsed, functions };
}

/** An unqualified name is the relation of that name the statement's entries resolved, when only one; else `fallback`'s. */
function statementResolver(s: AuditStatement, fallback: ResolveName | undefined): ResolveName {
  const resolvedHere = s.records
    .map(recordObject)
    .filter((o): o is StatementObject => o !== null && o.relation && o.schema !== null);
  return (o) => {
    if (o.schema !== null || o.name === null) return o;
    const same = new Set(resolvedHere.filter((x) => x.name === o.name).map((x) => x.schema));
    if (same.size === 1) return { ...o, schema: [...same][0]! };
    return fallback ? fallback(o) : o;
  };
}

const emptyTrace = (): AuditTrace => ({
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
});

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
  const trace = emptyTrace();
  const seen = new Set<string>();
  const functions = new Set<string>();
  const known = new Map<string, Promise<ClassifiedStatement[]>>();
  const classified: Classify = (text) => {
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
    const read = await readStatement(s, classified);
    if (s.ambiguous) {
      trace.ambiguous += 1;
      trace.unclassified.push({ reason: 'ambiguous', ...where });
    }
    if (s.malformed) {
      trace.malformed += 1;
      trace.unclassified.push({ reason: 'malformed', ...where });
    }
    if (read.unparsed) {
      trace.unparsed += 1;
      trace.unclassified.push({ reason: 'unparsed', ...where });
    }
    for (const f of read.functions) functions.add(f);
    for (const verb of read.verbs) {
      seen.add(verb);
      trace.counts[verb] = (trace.counts[verb] ?? 0) + 1;
    }
    const relations = [
      ...new Set(s.records.filter((r) => r.objectType === 'TABLE' && r.objectName !== '').map((r) => r.objectName)),
    ];
    const place = { statementId: s.statementId, substatementId: s.substatementId, nested: s.nested, relations };
    for (const b of policyBreaches(read.actions, opts.policy, statementResolver(s, opts.resolve)))
      trace.forbidden.push({ ...b, ...where, ...place });
  }
  trace.verbs = [...seen].sort();
  trace.functions = [...functions].sort();
  return trace;
}
