// Exit codes, decided once (DESIGN.md): 0 PASS, 1 FAIL, 2 usage, 3 INCONCLUSIVE, 4 teardown incomplete.
import { RehearseError } from '../errors.js';

export const EXIT = { ok: 0, fail: 1, usage: 2, inconclusive: 3, teardownIncomplete: 4 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The exit code of a thrown error: its kind's, or 3 for anything we did not expect (a bug of ours). */
export function exitCodeOfError(err: unknown): ExitCode {
  if (!(err instanceof RehearseError)) return EXIT.inconclusive;
  switch (err.kind) {
    case 'usage':
      return EXIT.usage;
    case 'environment':
    case 'tool':
      return EXIT.inconclusive;
    case 'teardown':
      return EXIT.teardownIncomplete;
  }
}

/** An incomplete teardown wins over everything; then the error's code; else success. */
export function exitCodeOf(outcome: { error: unknown; teardownComplete: boolean | null }): ExitCode {
  if (outcome.teardownComplete === false) return EXIT.teardownIncomplete;
  if (outcome.error !== null && outcome.error !== undefined) return exitCodeOfError(outcome.error);
  return EXIT.ok;
}
