// The events a run tells as it works (`rehearse run --events FILE|-`): the single source of their
// type and of the shipped JSON Schema (schema/events.schema.json). A line of the events file is an
// event with `at` (ISO 8601, UTC) added; the first line is `version`, the last `verdict`.
import { z } from 'zod';
import { Classification, Status, Verdict } from './report-schema.js';

/**
 * The events' schema version, MAJOR.MINOR: the minor bumps for an additive change (a new event
 * type, a new field), the major for any other (a field removed, renamed or retyped), as
 * Terraform's `-json` output does. A reader accepts any minor of the major it knows.
 */
export const EVENTS_SCHEMA_VERSION = '1.0';

const ms = z.number().int().nonnegative().describe('milliseconds');

const EVENTS = [
  z
    .strictObject({
      type: z.literal('version'),
      schema_version: z.literal(EVENTS_SCHEMA_VERSION),
      tool: z.literal('pg-rehearse'),
      tool_version: z.string(),
      run_id: z.string(),
    })
    .describe('The first event: the schema version of the events, the tool and the run.'),
  z
    .strictObject({ type: z.literal('gate_start'), id: z.string(), scenario: z.string().nullable(), title: z.string() })
    .describe('A gate (scenario null) or a scenario (its id in both `id` and `scenario`) starts.'),
  z
    .strictObject({
      type: z.literal('gate_end'),
      id: z.string(),
      scenario: z.string().nullable(),
      title: z.string(),
      status: Status,
      ms,
      classification: Classification.nullable(),
      message: z
        .string()
        .nullable()
        .describe('Why it did not pass, or what it did when it had nothing to do; null when it passed with work done.'),
    })
    .describe('A gate or a scenario ended: its status, time and, when it did not pass, its classification.'),
  z
    .strictObject({
      type: z.literal('step_start'),
      scenario: z.string(),
      step: z.string(),
      argv: z.array(z.string()),
    })
    .describe("A step of a scenario starts: the system under test's command."),
  z
    .strictObject({
      type: z.literal('step_end'),
      scenario: z.string(),
      step: z.string(),
      exit_code: z.number().int().nullable(),
      timed_out: z.boolean(),
      ms,
    })
    .describe('A step of a scenario ended: its exit code (null when it did not exit by itself).'),
  z
    .strictObject({
      type: z.literal('progress'),
      what: z.enum(['dump', 'restore']),
      bytes: z.number().int().nonnegative(),
      total_bytes: z
        .number()
        .int()
        .nonnegative()
        .nullable()
        .describe(
          "Only where it is really known (a restore from a file): a logical dump's size is not known before it ends.",
        ),
    })
    .describe('Bytes done of the dump or the restore, at most about once a second.'),
  z
    .strictObject({ type: z.literal('retry'), what: z.string(), attempt: z.number().int(), reason: z.string() })
    .describe(
      "A retry of environment readiness (never of the system under test), as the report's retries[] records it.",
    ),
  z
    .strictObject({ type: z.literal('alert'), message: z.string() })
    .describe(
      'What the report tells loudly at its top (a signal, production changed, teardown incomplete), when it is learnt.',
    ),
  z
    .strictObject({
      type: z.literal('teardown'),
      kind: z.string(),
      name: z.string(),
      action: z.string().describe('What teardown did: removed, already-gone, not-ours (left alone) or error.'),
      removed: z.boolean().describe('Proved gone: removed by its recorded id now, or already gone (see action).'),
      proof: z.string(),
    })
    .describe('A resource the run created, removed at teardown, and the proof that it is gone.'),
  z
    .strictObject({
      type: z.literal('verdict'),
      execution_status: Verdict,
      exit_code: z.number().int(),
      report: z.string().describe("report.json's path."),
      sha256: z
        .string()
        .regex(/^[0-9a-f]{64}$/)
        .describe("report.json's sha256."),
    })
    .describe('The last event: the verdict, the exit code, and report.json with its sha256.'),
] as const;

export const RunEvent = z.discriminatedUnion('type', [...EVENTS]);
export type RunEvent = z.infer<typeof RunEvent>;

/** When an event happened: `Date.prototype.toISOString()`, UTC to the millisecond. */
const at = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);

/** One line of the events file: an event and when it happened (`at`). */
export type EventLine = RunEvent & { at: string };
// A copy made by extend() keeps no description: each line's is its event's.
const LINES = EVENTS.map((e) => e.extend({ at }).describe(e.description ?? ''));
export const EventLine: z.ZodType<EventLine> = z.discriminatedUnion(
  'type',
  LINES as [(typeof LINES)[number], ...typeof LINES],
);

/** The JSON Schema shipped with the package (schema/events.schema.json): one line of the events file. */
export function eventsJsonSchema(): unknown {
  const described = EventLine.describe(
    `One line of \`rehearse run --events\` (NDJSON), schema version ${EVENTS_SCHEMA_VERSION}: an event and \`at\`, when it happened. The first line is \`version\`, the last \`verdict\`.`,
  );
  return z.toJSONSchema(described, { target: 'draft-2020-12' });
}
