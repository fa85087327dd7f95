// One entry of pgaudit's session audit log, as audit-log.ts reads it from the server's stderr.
import type { LineStart } from './log-line.js';

/** pgaudit's placeholders for a statement or parameter field it did not log. */
export const NOT_LOGGED = '<not logged>';
export const PREVIOUSLY_LOGGED = '<previously logged>';

/** Time, pid, session, transaction id and virtual transaction id of its line (log-line.ts). */
export interface AuditRecord extends LineStart {
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
