// The prefix of a dry-run server's log line (log_line_prefix = '%m [%p] app=%a user=%u db=%d ')
// and the SQL text splitting, shared by the statement trace and the audit log.
import { scan } from './sql-parser.js';

// `%m [%p] app=` of log_line_prefix = '%m [%p] app=%a user=%u db=%d '.
export const LINE_START = /^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d+)?) ([^\s[\]]+) \[(\d+)\] app=/;
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

/** The log's timestamp as ISO 8601 when its zone is UTC or a numeric offset, else as logged. */
export function isoOf(date: string, zone: string): string {
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
