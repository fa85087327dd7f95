// What the lint reads from the trace: the DDL the system under test ran, as the server logged
// it, and the DDL pgaudit saw run inside its functions, DO blocks and triggers (EXECUTE'd strings
// included), which no log line shows. The tool's own statements are left out by session user.
import { NOT_LOGGED, PREVIOUSLY_LOGGED, type AuditRecord } from './audit-record.js';
import { auditStatements } from './audit-statements.js';
import type { LoggedStatement } from './sql-trace.js';
import { classifyStatements } from './statement-classifier.js';

/** The verbs whose statements squawk has rules for: schema changes, and TRUNCATE (`ban-truncate-cascade`). */
const LINTED_VERBS: ReadonlySet<string> = new Set([
  'CREATE',
  'ALTER',
  'DROP',
  'TRUNCATE',
  'COMMENT',
  'REINDEX',
  'CLUSTER',
  'REFRESH',
]);

export interface TraceLintInput {
  text: string;
  at: string;
  /** Ran inside a function, DO block or trigger (pgaudit's sub-statement). */
  nested: boolean;
}

/** A text with a statement whose own verb is a schema change (a DO block is not: its sub-statements are audited). */
async function isLinted(text: string): Promise<boolean> {
  return (await classifyStatements(text)).some((c) => LINTED_VERBS.has(c.classes[0] ?? ''));
}

/** The DDL of the trace, logged then audited, in log order within each. Forged-looking prefixes are left to G6's own failure. */
export async function traceLintInputs(
  statements: readonly LoggedStatement[],
  records: readonly AuditRecord[],
  toolRole: string,
): Promise<TraceLintInput[]> {
  const out: TraceLintInput[] = [];
  for (const s of statements) {
    if (s.user === toolRole || s.ambiguous) continue;
    if (await isLinted(s.text)) out.push({ text: s.text, at: s.at, nested: false });
  }
  for (const s of auditStatements(records)) {
    if (!s.nested || s.ambiguous || s.malformed || s.user === toolRole) continue;
    if (s.text === NOT_LOGGED || s.text === PREVIOUSLY_LOGGED) continue;
    if (await isLinted(s.text)) out.push({ text: s.text, at: s.at, nested: true });
  }
  return out;
}
