// What a gate's end says beside its status, for the console and the events: why it did not pass,
// or, when it passed with nothing to do (a closing gate after an early failure), what it skipped.
import type { Failure } from '../config/index.js';

export function gateEndMessage(failure: Failure | null, evidence: Record<string, unknown> | null): string | null {
  if (failure) return failure.message;
  // `reason`: NOT_RUN because a gate inside it stopped the run; `skipped`: nothing to do.
  for (const key of ['reason', 'skipped'] as const) {
    const value = evidence?.[key];
    if (typeof value === 'string') return value;
  }
  return null;
}
