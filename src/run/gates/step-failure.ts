// The sentence of a step's failed check. A step that timed out says its limit (its `timeout_ms`)
// and the last line it printed on each stream, already redacted, so the message alone tells
// where it hung.
import type { Check, ScenarioRecord } from '../../config/index.js';

type StepRecord = ScenarioRecord['steps'][number];

/** A limit as a scenario writes it and as a person reads it: `60 s (timeout_ms 60000)`. */
export function limitOf(ms: number): string {
  const readable = ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
  return `${readable} (timeout_ms ${ms})`;
}

/** The last line of each stream a timed-out step printed, or that it printed nothing. */
function lastOutput(record: Pick<StepRecord, 'stdout_tail' | 'stderr_tail'>): string {
  const last = (
    [
      ['stdout', record.stdout_tail],
      ['stderr', record.stderr_tail],
    ] as const
  )
    .filter(([, lines]) => lines.length > 0)
    .map(([stream, lines]) => `last line of ${stream}: ${JSON.stringify(lines.at(-1))}`);
  return last.length ? last.join('; ') : 'it printed nothing';
}

/** The failure message of a step whose check `failed` did not hold. `note` is already redacted. */
export function stepFailureMessage(
  record: Pick<StepRecord, 'name' | 'timed_out' | 'timeout_ms' | 'stdout_tail' | 'stderr_tail'>,
  failed: Check,
  exception: { name: string; location: string | null } | null,
  note: string | null,
): string {
  const at = exception ? ` (${exception.name}${exception.location ? ` at ${exception.location}` : ''})` : '';
  const check = `${failed.what}: expected ${failed.expected}, got ${failed.actual}${at}`;
  const tail = note ? `; ${note}` : '';
  if (!record.timed_out) return `step "${record.name}": ${check}${tail}`;
  const limit = record.timeout_ms === undefined ? '' : ` at its limit of ${limitOf(record.timeout_ms)}`;
  return `step "${record.name}" timed out${limit}: ${check}; ${lastOutput(record)}${tail}`;
}
