// Where the system under test failed, read from its stderr: the exception it printed and the first
// frame of its own code (not a dependency's, not the runtime's), or the server error psql,
// node-pg-migrate or sqitch printed and the migration file it names. Pure: text in, facts out.
import { isAbsolute, posix, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodePgMigrateErrorOf } from './node-pg-migrate-error.js';
import { psqlErrorOf } from './psql-error.js';

export interface ExceptionSite {
  /** `TypeError`, `ConfigMismatch`, `psycopg.errors.InsufficientPrivilege`, `ERROR 42703 undefined_column` (a server error). */
  name: string;
  message: string;
  /**
   * `src/phases.ts:89:15` (node), `cutter_agent/phases.py:6` (Python), `sql/003-broken.sql:3` (psql, sqitch) or
   * `migrations/1700000000000_x` (node-pg-migrate), relative to the SUT; null when no frame or file is in it.
   */
  location: string | null;
}

/** What else of the step the exception may be read from. */
export interface StepOutput {
  /** The step's cwd, relative to the SUT (`.` by default): psql names its script relative to it. */
  cwd?: string;
  stdout?: string;
  argv?: readonly string[];
}

// `Name: message` at the very start of a line; node adds ` [ERR_CODE]` after some names.
const EXCEPTION_LINE = /^((?:[A-Za-z_$][\w$]*\.)*[A-Z][\w$]*)(?: \[[A-Z0-9_]+\])?: (.*)$/;
// Node's `at fn (file:line:col)` or `at file:line:col`.
const NODE_FRAME = /^\s+at (?:(?:async |new )?.*? \()?(.+?):(\d+):(\d+)\)?$/;
const PYTHON_FRAME = /^\s+File "(.+)", line (\d+)(?:, in .*)?$/;
const PYTHON_TRACEBACK = /^Traceback \(most recent call last\):$/;
// Labels that look like `Name: text` but name no exception.
// Compared in lower case: psql prints them in capitals (`DETAIL:  Key (id)=(1) already exists.`).
const NOT_EXCEPTIONS = new Set([
  'warning',
  'note',
  'hint',
  'detail',
  'usage',
  'info',
  'notice',
  'debug',
  'context',
  'statement',
  'location',
  'query',
]);
const FOREIGN = /(^|[\\/])(node_modules|site-packages|dist-packages)([\\/]|$)/;

/** A frame's file, relative to the system under test, or null when it is not the SUT's own code. */
function ownFile(file: string, sutPath: string, allowRelative: boolean): string | null {
  let path = file;
  if (path.startsWith('file://')) {
    try {
      path = fileURLToPath(path);
    } catch {
      return null;
    }
  }
  if (path.startsWith('node:') || path.startsWith('<') || path === 'native') return null;
  // Node names a real file by its absolute path or URL; anything else is eval'd or native code.
  if (!isAbsolute(path) && !allowRelative) return null;
  const root = resolve(sutPath);
  const absolute = isAbsolute(path) ? path : resolve(root, path);
  const rel = relative(root, absolute);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return null;
  if (FOREIGN.test(rel)) return null;
  return rel.split(sep).join(posix.sep);
}

/** A file a step named relative to its cwd (or absolutely), relative to the SUT; null when outside it. */
function stepFile(file: string, sutPath: string, cwd: string): string | null {
  return ownFile(isAbsolute(file) ? file : posix.join(cwd, file), sutPath, true);
}

/** The server error a migration tool printed: psql's (sqitch's too), then node-pg-migrate's. */
function migrationErrorOf(lines: string[], sutPath: string, more: StepOutput): ExceptionSite | null {
  const cwd = more.cwd ?? '.';
  const psql = psqlErrorOf(lines);
  if (psql) {
    const file = psql.file === null ? null : stepFile(psql.file, sutPath, cwd);
    return { name: psql.name, message: psql.message, location: file === null ? null : `${file}:${psql.line}` };
  }
  const npm = nodePgMigrateErrorOf(lines, (more.stdout ?? '').split(/\r?\n/), more.argv ?? []);
  if (npm) {
    const location = npm.migration === null ? null : stepFile(npm.migration, sutPath, cwd);
    return { name: npm.name, message: npm.message, location };
  }
  return null;
}

/** The first exception stderr names, and the frame of the SUT's own code where it was raised. */
export function exceptionOf(stderr: string, sutPath: string, more: StepOutput = {}): ExceptionSite | null {
  const lines = stderr.split(/\r?\n/);
  const fromTool = migrationErrorOf(lines, sutPath, more);
  if (fromTool) return fromTool;
  const at = lines.findIndex((l) => {
    const m = EXCEPTION_LINE.exec(l);
    return m !== null && !NOT_EXCEPTIONS.has(m[1]!.toLowerCase());
  });
  if (at < 0) return null;
  const [, name, message] = EXCEPTION_LINE.exec(lines[at]!)!;

  // Python prints its frames before the exception, innermost last: the last own frame of the
  // traceback that ends at this line.
  let tracebackStart = -1;
  for (let i = at - 1; i >= 0; i--) {
    if (PYTHON_TRACEBACK.test(lines[i]!)) {
      tracebackStart = i;
      break;
    }
  }
  if (tracebackStart >= 0) {
    let location: string | null = null;
    for (const line of lines.slice(tracebackStart + 1, at)) {
      const frame = PYTHON_FRAME.exec(line);
      const file = frame ? ownFile(frame[1]!, sutPath, true) : null;
      if (frame && file) location = `${file}:${frame[2]}`;
    }
    return { name: name!, message: message!, location };
  }

  // Node prints its frames after the exception, innermost first.
  for (const line of lines.slice(at + 1)) {
    const frame = NODE_FRAME.exec(line);
    if (!frame) {
      if (/^\s+at /.test(line) || /^\s*$/.test(line)) continue;
      break; // the end of this stack: a later exception's frames are not this one's
    }
    const file = ownFile(frame[1]!, sutPath, false);
    if (file) return { name: name!, message: message!, location: `${file}:${frame[2]}:${frame[3]}` };
  }
  return { name: name!, message: message!, location: null };
}
