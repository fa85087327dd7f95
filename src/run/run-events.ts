// What a run tells a pipeline or a terminal while it works: one typed event per thing that
// happened. The console draws them (a live line on a terminal, a line per start and end off one)
// and `--events FILE` writes them as NDJSON (schema/events.schema.json). Every text in an event is
// redacted with the run's secrets before any writer sees it (redacted-events.ts). The events' zod
// schema, their single source, is src/config/events-schema.ts.
import { EVENTS_SCHEMA_VERSION, type RunEvent } from '../config/index.js';

export type { RunEvent };

/** The run's first event: the events' schema version, the tool and the run. */
export const versionEvent = (runId: string, toolVersion: string): RunEvent => ({
  type: 'version',
  schema_version: EVENTS_SCHEMA_VERSION,
  tool: 'pg-rehearse',
  tool_version: toolVersion,
  run_id: runId,
});
