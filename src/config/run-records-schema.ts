// The records of a run inside report.json: each gate's and scenario's status, a scenario's steps
// and their checks, and the failure that decided the verdict.
import { z } from 'zod';
import { LockBudgetFailure } from './locks-schema.js';

export const Verdict = z.enum(['PASS', 'FAIL', 'INCONCLUSIVE']);
export type Verdict = z.infer<typeof Verdict>;
export const Status = z.enum(['PASS', 'FAIL', 'INCONCLUSIVE', 'NOT_RUN']);
export type Status = z.infer<typeof Status>;
export const Classification = z.enum(['sut', 'artefact', 'environment', 'tool']);
export type Classification = z.infer<typeof Classification>;

export const Check = z.object({ what: z.string(), ok: z.boolean(), expected: z.string(), actual: z.string() });
export type Check = z.infer<typeof Check>;

export const GateRecord = z.object({
  id: z.string(),
  name: z.string(),
  status: Status,
  started_at: z.string().nullable(),
  ms: z.number().int().nullable(),
  evidence: z.record(z.string(), z.unknown()).nullable(),
});
export type GateRecord = z.infer<typeof GateRecord>;

export const StepRecord = z.object({
  name: z.string(),
  argv: z.array(z.string()),
  cwd: z.string(),
  role: z.string(),
  exit_code: z.number().int().nullable(),
  timed_out: z.boolean(),
  /** The step's limit (its `timeout_ms`); absent in reports written before it was recorded. */
  timeout_ms: z.number().int().optional(),
  ms: z.number().int(),
  checks: z.array(Check),
  stdout_tail: z.array(z.string()),
  stderr_tail: z.array(z.string()),
});
export type StepRecord = z.infer<typeof StepRecord>;

export const ScenarioRecord = z.object({
  id: z.string(),
  title: z.string(),
  negative: z.boolean(),
  file: z.string(),
  status: Status,
  started_at: z.string().nullable(),
  ms: z.number().int().nullable(),
  steps: z.array(StepRecord),
  deltas: z.array(Check),
  evidence: z.record(z.string(), z.unknown()).nullable(),
});
export type ScenarioRecord = z.infer<typeof ScenarioRecord>;

export const Failure = z.object({
  gate: z.string(),
  scenario: z.string().nullable(),
  classification: Classification,
  message: z.string(),
  command: z.array(z.string()).nullable(),
  exit_code: z.number().int().nullable(),
  stderr_tail: z.array(z.string()).nullable(),
  sql_rows: z.array(z.unknown()).nullable(),
  /** How many rows there were when `sql_rows` shows only the first of them. */
  sql_rows_total: z.number().int().optional(),
  exception: z.object({ name: z.string(), message: z.string(), location: z.string().nullable() }).nullable(),
  stack: z.string().nullable(),
  /** The lock budget a step exceeded (config `locks:`), when that is the failure. */
  lock_budget: LockBudgetFailure.optional(),
});
export type Failure = z.infer<typeof Failure>;
