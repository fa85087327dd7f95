// The first server error psql printed, read from its stderr. The formats are psql 15's own, captured
// from real runs (fixtures/stderr/psql-*.stderr, README there):
//   psql:sql/003-broken.sql:3: ERROR:  column "colour" of relation "device" does not exist   (-f FILE)
//   psql:<stdin>:3: ERROR:  ...                                                              (-f - or a pipe)
//   ERROR:  ...                                                                              (-c, no file)
//   psql:sql/x.sql:3: ERROR:  42703: column ...   (\set VERBOSITY verbose: the SQLSTATE, then a LOCATION: line
//                                                 naming the server's C function, never the migration's line)
// then, one a line: `LINE 1: ...` and its caret, `DETAIL:  `, `HINT:  `, `CONTEXT:  `, `QUERY:  `, and in
// verbose mode `SCHEMA NAME:  `, `TABLE NAME:  `, `LOCATION:  `. The line number is psql's input line at
// the end of the statement (a statement over lines 2-3 is reported at 3). sqitch runs psql with its
// deploy script as `-f`, so its failures read the same: `psql:deploy/x.sql:3: ERROR:  ...`.
import { serverErrorName } from './sqlstate.js';

export interface PsqlError {
  /** `ERROR 42703 undefined_column`, `ERROR 42703` (a code not in the table) or `ERROR` (no SQLSTATE printed). */
  name: string;
  /** The ERROR's text, then its DETAIL and HINT when psql printed them. */
  message: string;
  /** The script as psql named it (relative to psql's cwd, or absolute); null for `-c` or stdin. */
  file: string | null;
  line: number | null;
}

// psql's prefix may follow other output on the same line (sqitch's `  + change .. ` when both streams are one).
const PREFIXED = /(?:^|\s)psql:(.+?):(\d+): (ERROR|FATAL|PANIC):  (?:([0-9A-Z]{5}): )?(.*)$/;
const BARE = /^(ERROR|FATAL|PANIC):  (?:([0-9A-Z]{5}): )?(.*)$/;
const KEPT = /^(DETAIL|HINT):  (.*)$/;
// The lines psql prints after an error, before the next output of its own.
const FOLLOWING = /^(?:[A-Z][A-Z ]*:  |LINE \d+: |\s+\^\s*$|\s)/;

export function psqlErrorOf(lines: readonly string[]): PsqlError | null {
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const p = PREFIXED.exec(line);
    const b = p ? null : BARE.exec(line);
    if (!p && !b) continue;
    const [severity, sqlstate, text] = p ? [p[3]!, p[4], p[5]!] : [b![1]!, b![2], b![3]!];
    const file = p && p[1] !== '<stdin>' ? p[1]! : null;
    const kept: string[] = [];
    for (const next of lines.slice(i + 1)) {
      if (!FOLLOWING.test(next)) break;
      const k = KEPT.exec(next);
      if (k) kept.push(`${k[1]}: ${k[2]}`);
    }
    return {
      name: serverErrorName(severity, sqlstate ?? null),
      message: [text, ...kept].join('; '),
      file,
      line: file === null ? null : Number(p![2]),
    };
  }
  return null;
}
