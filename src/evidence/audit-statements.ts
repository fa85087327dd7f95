// The audited statements of a log: pgaudit's entries grouped by statement and sub-statement, each
// session of a reused pid apart, and whether a sub-statement ran inside another statement.
import { NOT_LOGGED, PREVIOUSLY_LOGGED, type AuditRecord } from './audit-record.js';

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
