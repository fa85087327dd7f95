// An alert is what the report tells loudly at its top (a signal, production changed, teardown
// incomplete): recorded for the report and told as an event when it is learnt.
import type { Progress } from './progress.js';
import type { RunRecord } from './run-record.js';

export function raiseAlerts(rec: RunRecord, progress: Progress, messages: readonly string[]): void {
  rec.alerts.push(...messages);
  for (const message of messages) progress.event({ type: 'alert', message });
}
