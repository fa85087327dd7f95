// pg_dump's `--lock-wait-timeout`: the dump gives up instead of queueing behind a DDL lock (its
// ACCESS SHARE would sit in the lock queue, and every reader that comes after it behind it). Its
// stderr then says the LOCK TABLE that was cancelled:
//   pg_dump: error: query failed: ERROR:  canceling statement due to statement timeout
//   pg_dump: detail: Query was: LOCK TABLE public.b IN ACCESS SHARE MODE
// (before PostgreSQL 15: `pg_dump: error: query was: ...`; a newer pg_dump may lock several tables
// in one statement). This is the environment's failure (production was busy), never the system's.
import { DumpError } from './dump-error.js';

const CANCELLED = /canceling statement due to (statement|lock) timeout/;
const LOCK_QUERY = /query was:\s*LOCK TABLE\s+(?:ONLY\s+)?(.+?)\s+IN ACCESS SHARE MODE/i;

/** The tables of the LOCK TABLE pg_dump's lock wait timeout cancelled, as pg_dump wrote them; null when its stderr says something else. */
export function lockWaitTimeoutTables(stderrTail: readonly string[]): string[] | null {
  if (!stderrTail.some((l) => CANCELLED.test(l))) return null;
  for (const line of stderrTail) {
    const m = LOCK_QUERY.exec(line);
    if (m) return splitNames(m[1]!);
  }
  return null;
}

/** `public.a, "odd, name".b` -> its names, a comma inside double quotes kept. */
function splitNames(list: string): string[] {
  const names: string[] = [];
  let current = '';
  let quoted = false;
  for (const ch of list) {
    if (ch === '"') quoted = !quoted;
    if (ch === ',' && !quoted) {
      names.push(current.trim());
      current = '';
    } else current += ch;
  }
  if (current.trim() !== '') names.push(current.trim());
  return names;
}

/** The dump stopped at its lock wait timeout: a table was locked by another session (the environment's, INCONCLUSIVE). */
export class DumpLockWaitError extends DumpError {
  constructor(
    dump: DumpError,
    /** The table it waited for (the sampler's, when it saw which), else those the cancelled LOCK TABLE named. */
    readonly tables: string[],
    readonly lockWaitTimeoutMs: number,
    /** Who held the lock, as the sampler saw it (redacted by the caller), or null. */
    heldBy: string | null,
  ) {
    const what = tables.length === 1 ? `table ${tables[0]}` : `one of the tables ${tables.join(', ')}`;
    super(dump.database, dump.exitCode, dump.stderrTail, 'lock wait timeout', {
      message: `pg_dump of database \`${dump.database}\` gave up after its lock wait timeout of ${lockWaitTimeoutMs} ms waiting for ACCESS SHARE on ${what}: another session holds a lock that conflicts with it${heldBy ? ` (${heldBy})` : ''}; the dump gave up rather than queue behind it, where every later reader of the table would have queued behind the dump; nothing of the partial dump was kept`,
      hint: 'rehearse again once the DDL on that table is over, or raise production.lock_wait_timeout_ms (a longer wait makes every reader that comes after the dump wait too)',
      cause: dump,
    });
  }
}
