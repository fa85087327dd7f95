// The verdict of a run, decided from its gates and scenarios in order: the first non-PASS result
// decides it; a production change makes an otherwise PASS run INCONCLUSIVE; an incomplete
// teardown makes the exit code 4 whatever the verdict. Never anything that turns a failure into a PASS.
import type { Classification, Status, Verdict } from '../config/index.js';
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
    decision = { verdict: first.status === 'FAIL' ? 'FAIL' : 'INCONCLUSIVE', decidedBy: first.id, classification: first.classification };
  } else if (input.outcomes.some((o) => o.status === 'NOT_RUN') || input.outcomes.length === 0) {
    // Nothing failed, yet something did not run: that can only be our bug, never a PASS.
    decision = { verdict: 'INCONCLUSIVE', decidedBy: input.outcomes.find((o) => o.status === 'NOT_RUN')?.id ?? null, classification: 'tool' };
  } else {
    decision = { verdict: 'PASS', decidedBy: null, classification: null };
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

/** After the first failure, every later gate and scenario is NOT_RUN, except the closing gates. */
export const CLOSING_GATES = ['G6', 'G7', 'G8'] as const;
export function shouldRun(id: string, stopped: boolean): boolean {
  return !stopped || (CLOSING_GATES as readonly string[]).includes(id);
}
