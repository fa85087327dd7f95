// What a scenario step must show, checked against what it did: pure functions, data in and out.
// Each check says what it looked at, what was expected and what was there, so a report can show
// the failing one without re-running anything.
import type { SqlExpectation, StepExpectation } from '../config/scenario.js';
import type { StepRun } from './step-runner.js';

export interface Check {
  /** What was checked: "exit code", "stdout matches /^marked 12 entries/", "names error ConfigMismatch". */
  what: string;
  ok: boolean;
  expected: string;
  actual: string;
}

/** The part of a StepRun the checks read. */
export type RunOutcome = Pick<StepRun, 'exitCode' | 'signal' | 'timedOut' | 'stdout' | 'stderr'>;

const EXCERPT_LINES = 5;
const EXCERPT_CHARS = 400;
const ROWS_SHOWN = 5;

/** The first lines of an output, quoted, for a check's `actual`. */
export function excerpt(text: string): string {
  if (text === '') return '(empty)';
  const lines = text.split('\n');
  let shown = lines.slice(0, EXCERPT_LINES).join('\n');
  let cut = lines.length > EXCERPT_LINES;
  if (shown.length > EXCERPT_CHARS) {
    shown = shown.slice(0, EXCERPT_CHARS);
    cut = true;
  }
  return JSON.stringify(shown) + (cut ? ` … (${lines.length} lines, ${text.length} chars)` : '');
}

/** How the process ended, in words: its exit code, or why it has none. */
export function endOf(run: Pick<StepRun, 'exitCode' | 'signal' | 'timedOut'>): string {
  if (run.timedOut) return `timed out${run.signal ? ` (killed by ${run.signal})` : ''}`;
  if (run.signal !== null) return `killed by ${run.signal}`;
  if (run.exitCode === null) return 'did not start';
  return String(run.exitCode);
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** True when stderr names the error: `Name:` at a line start, or `Name` as a whole word. */
export function namesError(stderr: string, name: string): boolean {
  const n = escapeRegExp(name);
  return new RegExp(`^${n}:`, 'm').test(stderr) || new RegExp(`(?<![\\w$])${n}(?![\\w$])`).test(stderr);
}

export interface CheckOptions {
  /**
   * Applied to the output shown in `actual` (never to what the patterns match): pass the run's
   * redaction, so an excerpt carries no secret (JSON escaping would hide a secret holding a quote
   * or a backslash from a later scan of the report).
   */
  redact?: (text: string) => string;
}

/** The checks of one step: exit code, each stdout and stderr pattern, the named error. */
export function checkStep(expect: StepExpectation, run: RunOutcome, opts: CheckOptions = {}): Check[] {
  const show = (text: string) => excerpt(opts.redact ? opts.redact(text) : text);
  const checks: Check[] = [];
  checks.push({
    what: 'exit code',
    // A timeout or a signal is never the expected exit, whatever the code says.
    ok: !run.timedOut && run.signal === null && run.exitCode === expect.exit_code,
    expected: String(expect.exit_code),
    actual: endOf(run),
  });
  for (const [stream, patterns] of [
    ['stdout', expect.stdout],
    ['stderr', expect.stderr],
  ] as const) {
    for (const pattern of patterns) {
      checks.push({
        what: `${stream} matches /${pattern}/`,
        // Compiled without flags, as written: `^` is the start of the whole output.
        ok: new RegExp(pattern).test(run[stream]),
        expected: `/${pattern}/`,
        actual: show(run[stream]),
      });
    }
  }
  if (expect.error !== null) {
    checks.push({
      what: `names error ${expect.error}`,
      ok: namesError(run.stderr, expect.error),
      expected: expect.error,
      actual: show(run.stderr),
    });
  }
  return checks;
}

/** A value as JSON would carry it: bigint and Date become strings, byte arrays hex. */
function normalise(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value, function (this: unknown, key: string, v: unknown) {
      // `this[key]` is the value before Date#toJSON ran.
      const raw = (this as Record<string, unknown>)[key];
      if (typeof v === 'bigint') return v.toString();
      if (raw instanceof Date) return Number.isNaN(raw.getTime()) ? 'Invalid Date' : raw.toISOString();
      if (raw instanceof Uint8Array) return `\\x${Buffer.from(raw).toString('hex')}`;
      return v;
    }) ?? 'null',
  );
}

/** JSON with object keys sorted at every level, so key order never matters. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function showRows(rows: readonly unknown[]): string {
  const shown = rows
    .slice(0, ROWS_SHOWN)
    .map((r) => JSON.stringify(r))
    .join(', ');
  return `[${shown}${rows.length > ROWS_SHOWN ? `, … (${rows.length} rows in all)` : ''}]`;
}

/** Rows equal: same rows in the same order, same keys in any order, values compared as JSON. */
export function checkRows(expected: SqlExpectation['rows'], actual: readonly unknown[], what = 'rows'): Check {
  const want = normalise(expected) as unknown[];
  const got = normalise(actual) as unknown[];
  return {
    what,
    ok: canonical(want) === canonical(got),
    expected: showRows(want),
    actual: showRows(got),
  };
}

const signed = (n: number) => (n > 0 ? `+${n}` : String(n));

/**
 * One check per watched table: the change of its exact row count over the scenario. A table the
 * scenario does not list expects 0; a negative scenario expects 0 everywhere. A table listed in
 * `expected` that is not watched fails: its count was never taken.
 */
export function checkDeltas(
  expected: Readonly<Record<string, number>>,
  negative: boolean,
  before: Readonly<Record<string, number>>,
  after: Readonly<Record<string, number>>,
  watched: readonly string[],
): Check[] {
  const checks: Check[] = watched.map((table) => {
    const want = negative ? 0 : (expected[table] ?? 0);
    const b = before[table];
    const a = after[table];
    if (b === undefined || a === undefined) {
      return {
        what: `delta ${table}`,
        ok: false,
        expected: signed(want),
        actual: `no count ${b === undefined ? 'before' : 'after'} the scenario`,
      };
    }
    return {
      what: `delta ${table}`,
      ok: a - b === want,
      expected: signed(want),
      actual: `${signed(a - b)} (${b} → ${a})`,
    };
  });
  const known = new Set(watched);
  for (const [table, want] of Object.entries(expected)) {
    if (!known.has(table)) {
      checks.push({
        what: `delta ${table}`,
        ok: false,
        expected: signed(negative ? 0 : want),
        actual: 'not a watched table: never counted',
      });
    }
  }
  return checks;
}

/** The first check that failed, or null when all passed. */
export function firstFailure(checks: readonly Check[]): Check | null {
  return checks.find((c) => !c.ok) ?? null;
}
