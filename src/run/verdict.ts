// The verdict of a run, decided from its gates and scenarios in order: the first non-PASS result
// decides it; a production change or an interruption makes an otherwise PASS run INCONCLUSIVE; an
// incomplete teardown makes the exit code 4 whatever the verdict. Never anything that turns a
// failure or an interruption into a PASS.
import type { Classification, Status, Verdict } from '../config/index.js';
import type { ReceivedSignal } from './interruption.js';
import { EXIT, type ExitCode } from './exit-code.js';

export interface Outcome {
  /** G0, S4, G6, ... */
  id: string;
  status: Status;
  classification: Classification | null;
}

export interface VerdictInput {
  /** Every gate and scenario, in run order (G0..G5, S1..Sn, G6, G7, G8). */
  outcomes: readonly Outcome[];
  productionUnchanged: boolean | null;
  teardownComplete: boolean | null;
  /** The gate or scenario the run's first signal landed in, when it received one. */
  interruptedIn?: string | null;
}

export interface Decision {
  verdict: Verdict;
  decidedBy: string | null;
  classification: Classification | null;
  exitCode: ExitCode;
}

export function decideVerdict(input: VerdictInput): Decision {
  const first = input.outcomes.find((o) => o.status === 'FAIL' || o.status === 'INCONCLUSIVE');
  let decision: Omit<Decision, 'exitCode'>;
  if (first) {
    decision = {
      verdict: first.status === 'FAIL' ? 'FAIL' : 'INCONCLUSIVE',
      decidedBy: first.id,
      classification: first.classification,
    };
  } else if (input.outcomes.some((o) => o.status === 'NOT_RUN') || input.outcomes.length === 0) {
    // Nothing failed, yet something did not run: that can only be our bug, never a PASS.
    decision = {
      verdict: 'INCONCLUSIVE',
      decidedBy: input.outcomes.find((o) => o.status === 'NOT_RUN')?.id ?? null,
      classification: 'tool',
    };
  } else {
    decision = { verdict: 'PASS', decidedBy: null, classification: null };
  }
  if (decision.verdict === 'PASS' && input.interruptedIn) {
    // The gate a signal landed in is INCONCLUSIVE already; this holds even if a record says otherwise.
    decision = { verdict: 'INCONCLUSIVE', decidedBy: input.interruptedIn, classification: 'environment' };
  }
  if (decision.verdict === 'PASS' && input.productionUnchanged !== true) {
    decision = { verdict: 'INCONCLUSIVE', decidedBy: 'G8', classification: 'environment' };
  }
  return { ...decision, exitCode: exitCodeOfVerdict(decision.verdict, input.teardownComplete) };
}

export function exitCodeOfVerdict(verdict: Verdict, teardownComplete: boolean | null): ExitCode {
  if (teardownComplete === false) return EXIT.teardownIncomplete;
  switch (verdict) {
    case 'PASS':
      return EXIT.ok;
    case 'FAIL':
      return EXIT.fail;
    case 'INCONCLUSIVE':
      return EXIT.inconclusive;
  }
}

/** When a gate or scenario ran: its start and end (ms since the epoch). */
export interface Span {
  id: string;
  from: number;
  to: number;
}

/**
 * Where a signal received at `at` landed, from the spans of what ran: "during X" for the innermost
 * one running then (G2 runs inside G4), else "before X" / "after X" for the nearest that ran.
 * Timestamps are milliseconds, so a step cut short at once shares one with the gate after it: the
 * gate the run saw the signal land in (`landedIn`), when it was running then, is the answer.
 */
export function placeOf(at: number, spans: readonly Span[], landedIn: string | null = null): string {
  const runningThen = spans.filter((s) => s.from <= at && at <= s.to);
  if (landedIn !== null && runningThen.some((s) => s.id === landedIn)) return `during ${landedIn}`;
  // Spans are recorded as they end, so on a tie the one recorded first is the inner or the earlier.
  const running = runningThen.sort((a, b) => b.from - a.from)[0];
  if (running) return `during ${running.id}`;
  const next = [...spans].filter((s) => s.from > at).sort((a, b) => a.from - b.from)[0];
  const prev = [...spans].filter((s) => s.to < at).sort((a, b) => b.to - a.to)[0];
  if (prev) return `after ${prev.id}${next ? `, before ${next.id}` : ''}`;
  return next ? `before ${next.id}` : 'before the first gate';
}

/**
 * The result of the gate or scenario a run's first signal landed in: INCONCLUSIVE (environment)
 * whatever its work gave, since that work may have been cut short; what it gave is kept in the message.
 */
export function interruptedResult(
  signal: string,
  id: string,
  when: 'before' | 'during' | 'after',
  own: { status: Status; message: string | null },
): { status: 'INCONCLUSIVE'; classification: 'environment'; message: string } {
  const where =
    when === 'before'
      ? `received before ${id} started`
      : when === 'after'
        ? `received after ${id}, while the report was written`
        : `during ${id}`;
  const ownPart =
    own.status === 'FAIL' || own.status === 'INCONCLUSIVE'
      ? `; ${id} itself ended ${own.status}: ${own.message ?? 'no message'}`
      : '';
  return {
    status: 'INCONCLUSIVE',
    classification: 'environment',
    message: `interrupted by ${signal} ${where}${ownPart}`,
  };
}

/**
 * The report's alerts about signals: the one that interrupted the run, where it landed and what it
 * decided; each later one (while tearing down) recorded, not counted again.
 */
export function interruptionAlerts(
  log: readonly ReceivedSignal[],
  landedIn: string | null,
  spans: readonly Span[],
  teardownComplete: boolean | null,
): string[] {
  const [first, ...later] = log;
  if (!first) return [];
  const teardown =
    teardownComplete === null
      ? 'its teardown was not recorded'
      : teardownComplete
        ? 'the closing gates still ran and teardown completed'
        : 'the closing gates still ran but teardown is INCOMPLETE';
  const alerts = [
    `INTERRUPTED by ${first.signal} ${placeOf(first.at.getTime(), spans, landedIn)} (at ${first.at.toISOString()}): ${landedIn ?? 'the run'} is INCONCLUSIVE (environment), so the run cannot PASS; ${teardown}`,
  ];
  for (const s of later)
    alerts.push(
      `${s.signal} received again ${placeOf(s.at.getTime(), spans)} (at ${s.at.toISOString()}): recorded, not counted again; the closing gates went on`,
    );
  return alerts;
}
