// The prefix of a dry-run server's log line (log_line_prefix = '%m [%p] %c %x %v app=%a user=%u db=%d ')
// and the SQL text splitting, shared by the statement trace and the audit log. Every field before
// `app=` has a fixed format the server alone writes; the application name (any client sets it) comes
// after them, so it can imitate only what follows it.
import { scan } from './sql-parser.js';

// `%m [%p] %c %x %v app=`: the session id (`%c`, hex start time `.` hex pid), the transaction id (`%x`,
// 0 until one is assigned) and the virtual transaction id (`%v`, backend/local; empty outside a backend,
// `N/0` once its transaction ended, as on the duration line after a COMMIT). A line written with the
// earlier prefix, without `%c %x %v` (the captured fixtures), reads with those three unknown.
export const LINE_START =
  /^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d+)?) ([^\s[\]]+) \[(\d+)\] (?:([0-9a-f]+\.[0-9a-f]+) (\d+) (\d+\/\d+)? )?app=/;
// ` user=%u db=%d SEVERITY:  `; every place it occurs is one reading of the line.
const READING =
  / user=(\S*) db=(\S*) (DEBUG[1-5]|LOG|INFO|NOTICE|WARNING|ERROR|FATAL|PANIC|DETAIL|HINT|QUERY|CONTEXT|LOCATION|STATEMENT): {2}/g;
// application_name is at most 63 bytes; PostgreSQL 16+ may print a non-ASCII byte as `\xHH` (4 characters).
const MAX_APP_CHARS = 63 * 4;

export interface Reading {
  app: string;
  user: string;
  db: string;
  severity: string;
  message: string;
}

/** What the fixed-format start of a line says: when, which backend, session and transaction. */
export interface LineStart {
  /** ISO 8601 when the log's zone is UTC or a numeric offset, else the timestamp as logged. */
  at: string;
  pid: number;
  /** `%c`: unique per session, unlike a pid the server may reuse; null when the prefix has no `%c`. */
  session: string | null;
  /** `%x`: 0 until the transaction writes (a statement's own line shows 0 for its first write); null when not in the prefix. */
  xid: number | null;
  /** `%v` (`3/24`): one value per transaction of a session; null when empty or not in the prefix. */
  vxid: string | null;
}

/** The fields of a LINE_START match. */
export function lineStartOf(m: RegExpExecArray): LineStart {
  return {
    at: isoOf(m[1]!, m[2]!),
    pid: Number(m[3]),
    session: m[4] ?? null,
    xid: m[5] === undefined ? null : Number(m[5]),
    vxid: m[6] ?? null,
  };
}

/** The log's timestamp as ISO 8601 when its zone is UTC or a numeric offset, else as logged. */
function isoOf(date: string, zone: string): string {
  const [day, time] = date.split(' ') as [string, string];
  const offset =
    zone === 'UTC' || zone === 'GMT' || zone === 'Z' || zone === 'Etc/UTC'
      ? 'Z'
      : /^[+-]\d{2}(:?\d{2})?$/.test(zone)
        ? zone.length === 3
          ? `${zone}:00`
          : zone
        : null;
  if (offset === null) return `${date} ${zone}`;
  const parsed = new Date(`${day}T${time}${offset}`);
  return Number.isNaN(parsed.getTime()) ? `${date} ${zone}` : parsed.toISOString();
}

/** Every reading of a prefixed line's rest (after `app=`), in order of position. */
export function readingsOf(rest: string): Reading[] {
  const readings: Reading[] = [];
  const re = new RegExp(READING.source, 'g');
  for (let m = re.exec(rest); m !== null; m = re.exec(rest)) {
    if (m.index > MAX_APP_CHARS) break;
    readings.push({
      app: rest.slice(0, m.index),
      user: m[1]!,
      db: m[2]!,
      severity: m[3]!,
      message: rest.slice(m.index + m[0].length),
    });
    re.lastIndex = m.index + 1;
  }
  return readings;
}

/** Split a string that does not parse as a whole at its top-level semicolons (the scanner knows quoting). */
export async function partsOf(text: string): Promise<string[]> {
  let tokens: { start: number; end: number; text: string }[];
  try {
    tokens = (await scan(text)).tokens;
  } catch {
    return [text];
  }
  const parts: string[] = [];
  let from = 0;
  for (const token of tokens) {
    if (token.text === ';') {
      parts.push(text.slice(from, token.start));
      from = token.end;
    }
  }
  parts.push(text.slice(from));
  return parts.filter((p) => p.trim() !== '');
}
