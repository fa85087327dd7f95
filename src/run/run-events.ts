// What a run tells a pipeline or a terminal while it works: one typed event per thing that
// happened. The console draws them (a live line on a terminal, a line per start and end off one)
// and `--events FILE` writes them as NDJSON (schema/events.schema.json). Every text in an event is
// redacted before it leaves the tool.
import type { Classification, Status } from '../config/index.js';

/** The events' schema version: its minor bumps for additive changes, its major for any other. */
const EVENTS_SCHEMA_VERSION = '1.0';

void EVENTS_SCHEMA_VERSION; // used by the events file (--events)

export type RunEvent =
  | { type: 'version'; schema_version: string; tool: 'pg-rehearse'; tool_version: string; run_id: string }
  | { type: 'gate_start'; id: string; scenario: string | null; title: string }
  | {
      type: 'gate_end';
      id: string;
      scenario: string | null;
      title: string;
      status: Status;
      ms: number;
      classification: Classification | null;
      /** Why it did not pass, or what it did when it had nothing to do; null when it passed with work done. */
      message: string | null;
    }
  | { type: 'step_start'; scenario: string; step: string; argv: string[] }
  | { type: 'step_end'; scenario: string; step: string; exit_code: number | null; timed_out: boolean; ms: number }
  /** Bytes done of a dump or a restore; `total_bytes` only where it is really known. */
  | { type: 'progress'; what: 'dump' | 'restore'; bytes: number; total_bytes: number | null }
  | { type: 'retry'; what: string; attempt: number; reason: string }
  | { type: 'alert'; message: string }
  | { type: 'teardown'; kind: string; name: string; removed: boolean; proof: string }
  | { type: 'verdict'; execution_status: Status; exit_code: number; report: string; sha256: string };
