// pgaudit's session audit log, as it appears in the dry-run server's stderr
// (log_line_prefix = '%m [%p] %c %x %v app=%a user=%u db=%d ', log_timezone UTC, lc_messages C):
//
//   2026-11-25 17:42:27.402 UTC [107] 6925ea61.6b 0 3/12 app=psql user=cutter_app db=ledger LOG:  AUDIT: SESSION,4,2,WRITE,DELETE,TABLE,ledger.mark,delete from ledger.mark where id = 3,<not logged>
//
// The part after `AUDIT: ` is CSV (AUDIT_TYPE, STATEMENT_ID, SUBSTATEMENT_ID, CLASS, COMMAND,
// OBJECT_TYPE, OBJECT_NAME, STATEMENT, PARAMETER[, ROWS]); pgaudit quotes a field holding a comma,
// a double quote or a line break, and the server indents every further line of a message with one
// tab. Unlike the statement log, it records what runs inside functions, DO blocks and triggers
// (dynamic SQL included) as sub-statements, each with its own text (session/audit settings:
// pg/session-audit.ts). Who ran it is the session user (`user=`), never the application name.
import { LINE_START, lineStartOf, readingsOf, type LineStart, type Reading } from './log-line.js';
import type { AuditRecord } from './audit-record.js';

export type { AuditRecord } from './audit-record.js';
export { auditStatements } from './audit-statements.js';
export { auditVerbs, commandVerbs } from './audit-verbs.js';

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

function recordOf(start: LineStart, main: Reading, others: Reading[], body: string): AuditRecord {
  const base = {
    ...start,
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
  let open: { start: LineStart; readings: Reading[]; audits: Reading[]; more: string[] } | null = null;
  const close = () => {
    if (!open) return;
    const { start, readings, audits, more } = open;
    const bodyOf = (r: Reading) => [r.message.slice(AUDIT.length), ...more].join('\n');
    // The last reading is the likeliest true one (an application name is the easier place to fake
    // a prefix), unless its entry does not read while an earlier one does (a statement imitating
    // the prefix inside a quoted field cuts the entry short). Either way the record is ambiguous.
    const candidates = audits.map((r) => ({
      r,
      record: recordOf(
        start,
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
      if (audits.length > 0) open = { start: lineStartOf(start), readings, audits, more: [] };
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
