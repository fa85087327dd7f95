// report.json's `lint`: squawk over the DDL the system under test ran (from G6's trace) and over
// the SQL files the change adds or modifies, each finding with its rule, its whole statement
// (redacted, cut) and where it came from; and the decision of `lint: fail`.
import { lintPlace, type Lint, type LintConfig, type LintFinding, type LintUnparsed } from '../config/index.js';
import {
  redactStatement,
  statementAt,
  SquawkError,
  SYNTAX_ERROR_RULE,
  type ChangedSqlFile,
  type SquawkFinding,
  type SquawkOptions,
  type TraceLintInput,
} from '../evidence/index.js';
import { plural } from '../plural.js';
import { GateFailure } from './gate-failure.js';
import { placeOf, type ScenarioWindow } from './trace-gate.js';

/**
 * Rules left out of the trace's lint: each statement is linted alone, so squawk cannot see the
 * `SET lock_timeout` or the transaction its session ran before it and would report every one.
 * What the locks really were is the lock evidence's (locks:, lock budgets), measured, not guessed.
 */
export const TRACE_EXCLUDED_RULES = ['require-lock-timeout', 'require-statement-timeout', 'transaction-nesting'];

/** The squawk the lint drives: its version and a lint of texts (evidence/squawk.ts, or a test's). */
export interface SquawkRunner {
  version(): Promise<string>;
  lint(texts: readonly string[], opts: Omit<SquawkOptions, 'binary'>): Promise<SquawkFinding[][]>;
}

export interface LintInput {
  config: LintConfig & { mode: 'report' | 'fail' };
  pgVersion: string;
  trace: readonly TraceLintInput[];
  windows: readonly ScenarioWindow[];
  /** Null: no base commit is configured. */
  files: readonly ChangedSqlFile[] | null;
  secrets: readonly string[];
}

/** `rehearse plan`'s line for the lint a run would make. */
export function lintPlanLine(config: LintConfig, baseCommit: string | undefined): string {
  if (config.mode === 'off') return 'lint: off (squawk does not run)';
  const what = `the DDL the system under test runs${baseCommit ? `, and the SQL files ${baseCommit.slice(0, 12)}..accepted adds or modifies` : ' (no sut.base_commit: no files)'}`;
  const mode =
    config.mode === 'fail'
      ? "fail (a finding fails G6 as the artefact's)"
      : 'report (findings are listed; nothing fails on them)';
  const options = [
    ...(config.exclude.length ? [`rules left out: ${config.exclude.join(', ')}`] : []),
    ...(config.assume_in_transaction ? ['each file assumed in a transaction'] : []),
  ];
  return `lint: squawk over ${what}, ${mode}${options.length ? `; ${options.join('; ')}` : ''}`;
}

/** `15.18 (Debian 15.18-0+deb12u1)` -> `15.18`; the rehearsal's PostgreSQL 15 when the server's version is unknown. */
export function pgVersionFor(serverVersion: string | null | undefined): string {
  return /^(\d+(?:\.\d+)?)/.exec(serverVersion ?? '')?.[1] ?? '15';
}

type Where = Pick<LintFinding, 'source' | 'scenario' | 'step' | 'nested' | 'file'>;

/** One text's squawk findings as the report's findings, or its unparsed entry when squawk could not parse it. */
async function findingsOf(
  text: string,
  found: readonly SquawkFinding[],
  where: Where,
  secrets: readonly string[],
): Promise<{ findings: LintFinding[]; unparsed: LintUnparsed[] }> {
  const line = (f: SquawkFinding) => (where.source === 'file' ? f.line + 1 : null);
  // squawk's messages may quote the SQL (a name, a type): they are redacted as its statements are.
  const said = (t: string) => redactStatement(t, secrets, 1000);
  const syntax = found.find((f) => f.rule === SYNTAX_ERROR_RULE);
  if (syntax) {
    const statement = redactStatement(await statementAt(text, syntax.line, syntax.column), secrets);
    return { findings: [], unparsed: [{ ...where, line: line(syntax), statement, message: said(syntax.message) }] };
  }
  const findings: LintFinding[] = [];
  for (const f of found) {
    findings.push({
      rule: f.rule,
      level: f.level,
      message: said(f.message),
      help: f.help === null ? null : said(f.help),
      statement: redactStatement(await statementAt(text, f.line, f.column), secrets),
      ...where,
      line: line(f),
    });
  }
  return { findings, unparsed: [] };
}

/** The lint section of a run: squawk's version, then the trace's DDL and the change's files. */
export async function lintSection(input: LintInput, squawk: SquawkRunner): Promise<Lint> {
  const { config, pgVersion, secrets } = input;
  const traceExcluded = [...new Set([...TRACE_EXCLUDED_RULES, ...config.exclude])];
  const section: Lint = {
    tool: 'squawk',
    version: null,
    mode: config.mode,
    pg_version: pgVersion,
    excluded: { trace: traceExcluded, files: [...config.exclude] },
    assume_in_transaction: config.assume_in_transaction,
    statements: input.trace.length,
    files: input.files?.map((f) => f.path) ?? null,
    findings: [],
    unparsed: [],
    error: null,
  };
  try {
    section.version = await squawk.version();
    const traced = await squawk.lint(
      input.trace.map((t) => t.text),
      { pgVersion, exclude: traceExcluded, assumeInTransaction: false },
    );
    const files = input.files ?? [];
    const filed = await squawk.lint(
      files.map((f) => f.text),
      { pgVersion, exclude: config.exclude, assumeInTransaction: config.assume_in_transaction },
    );
    for (const [i, t] of input.trace.entries()) {
      const where = { source: 'trace', ...placeOf(input.windows, t.at), nested: t.nested, file: null } as const;
      add(section, await findingsOf(t.text, traced[i] ?? [], where, secrets));
    }
    for (const [i, f] of files.entries()) {
      const where = { source: 'file', scenario: null, step: null, nested: false, file: f.path } as const;
      add(section, await findingsOf(f.text, filed[i] ?? [], where, secrets));
    }
  } catch (err) {
    if (!(err instanceof SquawkError)) throw err;
    section.findings = [];
    section.unparsed = [];
    section.error = { kind: err.kind, message: err.message };
  }
  return section;
}

function add(section: Lint, r: { findings: LintFinding[]; unparsed: LintUnparsed[] }): void {
  section.findings.push(...r.findings);
  section.unparsed.push(...r.unparsed);
}

const cut = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

/** `lint: fail`'s decision: squawk's findings are the artefact's failure; squawk not running leaves the lint unproved. */
export function lintFailure(lint: Lint | null): GateFailure | null {
  if (lint === null || lint.mode !== 'fail') return null;
  if (lint.error)
    return new GateFailure(
      lint.error.kind === 'missing' ? 'environment' : 'tool',
      `lint: fail, but squawk could not lint the SQL under review: ${lint.error.message}`,
    );
  if (lint.findings.length === 0) return null;
  const shown = lint.findings
    .slice(0, 3)
    .map((f) => `${f.rule} in ${lintPlace(f)}: ${cut(f.statement.replace(/;\s*$/, '').replace(/\s+/g, ' '), 120)}`);
  const more = lint.findings.length > shown.length ? ` (and ${lint.findings.length - shown.length} more)` : '';
  return new GateFailure(
    'artefact',
    `squawk found ${plural(lint.findings.length, 'problem')} in the SQL under review (lint: fail): ${shown.join('; ')}${more}`,
  );
}
