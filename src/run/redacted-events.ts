// Every text of every event is redacted with the run's secrets before any writer (the console,
// `--events`) sees it. The run's secrets grow as it goes (G3 adds the dry-run passwords), so the
// list is read at each event, not copied once.
import { redact } from '../evidence/index.js';
import type { Progress } from './progress.js';
import type { RunEvent } from './run-events.js';

/** The value with each string in it redacted; numbers, booleans and nulls as they are. */
function redactDeep(value: unknown, secrets: readonly string[]): unknown {
  if (typeof value === 'string') return redact(value, secrets);
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, secrets));
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactDeep(v, secrets)]));
  return value;
}

/** An event with every text in it redacted: its shape is kept, only strings change. */
export function redactEvent(e: RunEvent, secrets: readonly string[]): RunEvent {
  // The event types' fixed words (`type`, `what`, statuses) hold no secret, so they come back unchanged.
  return redactDeep(e, secrets) as RunEvent;
}

/** The progress with its events redacted by the secrets `secrets()` gives at the moment of each event. */
export function redactedEvents(inner: Progress, secrets: () => readonly string[]): Progress {
  return { ...inner, event: (e) => inner.event(redactEvent(e, secrets())) };
}
