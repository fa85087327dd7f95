// The scenario file format (scenarios/*.yaml): one scenario of the system under test per file,
// its steps, what each step must show, and the row-count deltas it may cause.
import { posix } from 'node:path';
import { z } from 'zod';
import { ScenarioSqlPolicyRules } from './sql-policy.js';
import { LocksConfig } from './locks-config.js';

/** `S4`, `S3-neg`: the number orders the run; one id per number in a pack. */
export const SCENARIO_ID = /^S[0-9]+(-[a-z0-9]+)?$/;
/** A watched table, `schema.table`, lower-case SQL identifiers. */
export const TABLE_NAME = /^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$/;
/** A role of the dry run the step connects as. */
export const ROLE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const VERB = /^[A-Z]+( [A-Z]+)*$/;

/** The compile error of a pattern compiled the way the checks compile it (no flags), or null. */
export function regexError(pattern: string): string | null {
  try {
    new RegExp(pattern);
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

// Keys are checked here rather than by a key schema, so the issue names the key itself.
function keyIssues(record: Record<string, unknown>, re: RegExp, what: string, ctx: z.RefinementCtx): void {
  for (const key of Object.keys(record)) {
    if (!re.test(key)) ctx.addIssue({ code: 'custom', path: [key], message: `\`${key}\` is not ${what}` });
  }
}

/** A regular expression as written in a scenario; it must compile without flags. */
export const Pattern = z.string().superRefine((pattern, ctx) => {
  const error = regexError(pattern);
  if (error !== null) ctx.addIssue({ code: 'custom', message: `not a valid regular expression: ${error}` });
});

export const SqlExpectation = z.strictObject({
  /** Run as the tool's own read-only role after the step. */
  query: z.string().trim().min(1, 'a non-empty SQL query'),
  /** Every row, in order; keys in any order. */
  rows: z.array(z.record(z.string(), z.unknown())),
});
export type SqlExpectation = z.infer<typeof SqlExpectation>;

export const StepExpectation = z.strictObject({
  exit_code: z.number().int().min(0).max(255).default(0),
  /** Each must match stdout (compiled without flags: `^` is the start of the whole output). */
  stdout: z.array(Pattern).default([]),
  stderr: z.array(Pattern).default([]),
  /** A named error stderr must name (`Name:` at a line start, or `Name` as a word). */
  error: z
    .string()
    .regex(/^[A-Za-z_$][\w$.]*$/, 'an error name such as `ConfigMismatch`')
    .nullable()
    .default(null),
  sql: z.array(SqlExpectation).default([]),
});
export type StepExpectation = z.infer<typeof StepExpectation>;

/** A folder inside the system under test: relative, and never above it. */
export const StepCwd = z
  .string()
  .min(1)
  .refine((cwd) => !posix.isAbsolute(cwd) && !cwd.includes('\\'), 'a path relative to the system under test')
  .refine((cwd) => {
    const normal = posix.normalize(cwd);
    return normal !== '..' && !normal.startsWith('../');
  }, 'a folder inside the system under test (no `..` above it)');

export const Step = z.strictObject({
  name: z.string().trim().min(1),
  /** argv of the system under test's command; never holds a secret (the DSN comes by env). */
  run: z.array(z.string().min(1)).min(1, 'a non-empty argv: [program, ...arguments]'),
  cwd: StepCwd.default('.'),
  role: z.string().regex(ROLE_NAME, 'a dry-run role name (a lower-case SQL identifier)'),
  env: z
    .record(z.string(), z.string())
    .default({})
    .superRefine((env, ctx) => keyIssues(env, ENV_NAME, 'an environment variable name', ctx)),
  timeout_ms: z.number().int().min(1).max(3_600_000).default(60_000),
  expect: StepExpectation.prefault({}),
});
export type Step = z.infer<typeof Step>;

export const Scenario = z
  .strictObject({
    id: z.string().regex(SCENARIO_ID, 'an id such as `S4` or `S3-neg` (^S[0-9]+(-[a-z0-9]+)?$)'),
    title: z.string().trim().min(1),
    /** A negative scenario must change no watched table. */
    negative: z.boolean().default(false),
    steps: z.array(Step).min(1, 'at least one step'),
    /** Expected row-count change per watched table; a table not listed expects 0. */
    deltas: z
      .record(z.string(), z.number().int())
      .default({})
      .superRefine((deltas, ctx) =>
        keyIssues(deltas, TABLE_NAME, 'a table as `schema.table` (lower-case SQL identifiers)', ctx),
      ),
    /** Replaces the run's forbidden verbs for this scenario. */
    forbidden_verbs: z.array(z.string().regex(VERB, 'an upper-case SQL verb such as `DELETE`')).optional(),
    /** Replaces the run's sql_policy.allow and/or sql_policy.forbid (each list given) for this scenario. */
    sql_policy: ScenarioSqlPolicyRules.optional(),
    /** Replaces each of the run's lock budgets it gives, for this scenario. */
    locks: LocksConfig.optional(),
  })
  .superRefine((scenario, ctx) => {
    if (!scenario.negative) return;
    for (const [table, delta] of Object.entries(scenario.deltas)) {
      if (delta !== 0) {
        ctx.addIssue({
          code: 'custom',
          path: ['deltas', table],
          message: `a negative scenario expects no change, got ${delta}`,
        });
      }
    }
  });
export type Scenario = z.infer<typeof Scenario>;

/** The number of a scenario id: `S3-neg` is 3. */
export function scenarioNumber(id: string): number {
  const match = /^S([0-9]+)/.exec(id);
  if (!match) throw new TypeError(`not a scenario id: ${id}`);
  return Number(match[1]);
}
