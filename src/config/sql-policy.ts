// The SQL policy's shape: the verbs a run (or a scenario) forbids, and rules that allow or forbid
// statements by class, statement kind, schema and table. Evaluated by evidence/sql-policy.ts over
// what evidence/statement-classifier.ts reads of each statement.
import { z } from 'zod';
import { isStatementKind } from './statement-kinds.js';

/** What a rule names a statement's objects by: `schema.table`, lower-case or quoted as the parser leaves it. */
const QUALIFIED = /^[^.\s]+\.[^.\s]+$/;
const IDENT = /^[^.\s]+$/;
const CLASS = /^[A-Z]+( [A-Z]+)*$/;

const Kind = z.string().refine(isStatementKind, {
  error: (issue) =>
    `\`${String(issue.input)}\` is not a statement kind: CREATE, ALTER or DROP with an object type (\`CREATE TABLE\`, \`DROP FUNCTION\`, ...), or a class such as \`DELETE\` (the README's table lists them)`,
});

/**
 * One rule: it matches a statement's action when every key it gives matches. `verbs`: the action's
 * class; `kinds`: its statement kind; `schemas` / `tables`: what it acts on (a rule that names
 * either matches only statements that name an object; `tables` matches relations only, `schemas`
 * any object in the schema and the schema itself).
 */
export const PolicyRule = z
  .strictObject({
    verbs: z.array(z.string().regex(CLASS, 'an upper-case SQL class such as `DELETE`')).min(1).optional(),
    kinds: z.array(Kind).min(1).optional(),
    schemas: z.array(z.string().regex(IDENT, 'a schema name such as `sqitch`')).min(1).optional(),
    tables: z.array(z.string().regex(QUALIFIED, 'a table as `schema.table`')).min(1).optional(),
  })
  .refine((r) => r.verbs !== undefined || r.kinds !== undefined || r.schemas !== undefined || r.tables !== undefined, {
    message: 'a rule names at least one of verbs, kinds, schemas, tables',
  });
export type PolicyRule = z.infer<typeof PolicyRule>;

/** The run's rules: each list defaults to empty. */
export const SqlPolicyRules = z.strictObject({
  /** Statements these match are allowed although their class is in forbidden_verbs. */
  allow: z.array(PolicyRule).default([]),
  /** Statements these match are forbidden whatever forbidden_verbs and allow say. */
  forbid: z.array(PolicyRule).default([]),
});

/** A scenario's rules: a list it gives replaces the run's, a list it leaves out is the run's. */
export const ScenarioSqlPolicyRules = z.strictObject({
  allow: z.array(PolicyRule).optional(),
  forbid: z.array(PolicyRule).optional(),
});

/** The policy in force for some statements: the run's, or a scenario's after its replacements. */
export interface SqlPolicy {
  forbidden_verbs: readonly string[];
  allow: readonly PolicyRule[];
  forbid: readonly PolicyRule[];
}

/** A policy of forbidden verbs alone. */
export function verbPolicy(forbidden: readonly string[]): SqlPolicy {
  return { forbidden_verbs: forbidden, allow: [], forbid: [] };
}

/** The policy of a scenario's window: each key the scenario gives replaces the run's. */
export function scenarioPolicy(
  run: {
    forbidden_verbs: readonly string[];
    sql_policy: { allow: readonly PolicyRule[]; forbid: readonly PolicyRule[] };
  },
  scenario: {
    forbidden_verbs?: readonly string[] | undefined;
    sql_policy?: { allow?: readonly PolicyRule[] | undefined; forbid?: readonly PolicyRule[] | undefined } | undefined;
  },
): SqlPolicy {
  return {
    forbidden_verbs: scenario.forbidden_verbs ?? run.forbidden_verbs,
    allow: scenario.sql_policy?.allow ?? run.sql_policy.allow,
    forbid: scenario.sql_policy?.forbid ?? run.sql_policy.forbid,
  };
}

/** One line per part of a policy, for `rehearse plan` and the report. */
export function describeRule(rule: PolicyRule): string {
  const parts: string[] = [];
  if (rule.verbs) parts.push(`verbs ${rule.verbs.join(', ')}`);
  if (rule.kinds) parts.push(`kinds ${rule.kinds.join(', ')}`);
  if (rule.schemas) parts.push(`in schema ${rule.schemas.join(', ')}`);
  if (rule.tables) parts.push(`on ${rule.tables.join(', ')}`);
  return parts.join('; ');
}
