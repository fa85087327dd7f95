// The static lint of the SQL under review (squawk): the config's `lint` key, and report.json's
// `lint` section (what squawk found in the DDL that ran and in the SQL files the change adds).
import { z } from 'zod';

/** report: findings are listed; fail: they are an artefact failure of G6; off: squawk does not run. */
export const LintMode = z.enum(['report', 'fail', 'off']);
export type LintMode = z.infer<typeof LintMode>;

const RuleName = z.string().regex(/^[a-z0-9-]+$/, 'a squawk rule name (e.g. `prefer-bigint-over-int`)');

const LintOptions = z.strictObject({
  mode: LintMode.default('report'),
  /** squawk rules left out, over the ones pg-rehearse leaves out of the trace's lint. */
  exclude: z.array(RuleName).default([]),
  /** The migration tool wraps each SQL file in a transaction (squawk's --assume-in-transaction), for the files' lint. */
  assume_in_transaction: z.boolean().default(false),
});

/** `lint: report | fail | off`, or `lint: { mode, exclude, assume_in_transaction }`. */
export const LintConfig = z
  .union([LintMode, LintOptions])
  .transform((v) => (typeof v === 'string' ? { mode: v, exclude: [], assume_in_transaction: false } : v));
export type LintConfig = z.infer<typeof LintConfig>;

export const LintFinding = z.object({
  rule: z.string(),
  /** squawk's level: Warning or Error. */
  level: z.string(),
  message: z.string(),
  help: z.string().nullable(),
  /** The whole statement the finding is in, redacted and cut. */
  statement: z.string(),
  /** trace: a statement the system under test ran (logged, or audited inside a function or DO block); file: a file of the change. */
  source: z.enum(['trace', 'file']),
  scenario: z.string().nullable(),
  step: z.string().nullable(),
  /** Ran inside a function, DO block or trigger (pgaudit's sub-statement). */
  nested: z.boolean(),
  file: z.string().nullable(),
  /** 1-based line in the file. */
  line: z.number().int().nullable(),
});
export type LintFinding = z.infer<typeof LintFinding>;

export const LintUnparsed = LintFinding.pick({
  statement: true,
  source: true,
  scenario: true,
  step: true,
  nested: true,
  file: true,
  line: true,
}).extend({ message: z.string() });
export type LintUnparsed = z.infer<typeof LintUnparsed>;

export const Lint = z.object({
  tool: z.literal('squawk'),
  /** squawk's version, null when it could not be run. */
  version: z.string().nullable(),
  mode: z.enum(['report', 'fail']),
  pg_version: z.string(),
  /** Rules left out of the trace's lint, and of the files' lint. */
  excluded: z.object({ trace: z.array(z.string()), files: z.array(z.string()) }),
  assume_in_transaction: z.boolean(),
  /** DDL statements of the trace given to squawk (logged and audited). */
  statements: z.number().int(),
  /** SQL files the change adds or modifies (base_commit..accepted_commit); null when no base commit is configured. */
  files: z.array(z.string()).nullable(),
  findings: z.array(LintFinding),
  /** What squawk could not parse, so did not lint: listed, never counted as clean. */
  unparsed: z.array(LintUnparsed),
  /** Why squawk could not run, when it could not: nothing was linted then. `missing`: its binary is not installed or does not start; `failed`: it crashed, refused its options or wrote output that does not read. */
  error: z.object({ kind: z.enum(['missing', 'failed']), message: z.string() }).nullable(),
});
export type Lint = z.infer<typeof Lint>;

/** Where a finding is, for a message or a report line: `S2 step "migrate"`, `the run`, `sql/003.sql:4`. */
export function lintPlace(f: Pick<LintFinding, 'source' | 'scenario' | 'step' | 'file' | 'line'>): string {
  if (f.source === 'file') return `${f.file ?? '?'}:${f.line ?? '?'}`;
  if (f.scenario === null) return 'the run';
  return f.step === null ? f.scenario : `${f.scenario} step "${f.step}"`;
}
