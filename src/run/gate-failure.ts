// How a gate or scenario fails: the classification decides the status (sut and artefact defects
// are FAIL; the environment and our own bugs are INCONCLUSIVE, never FAIL), and the details
// become the report's failure section.
import type { Classification, Failure, Status } from '../config/index.js';
import { diskErrorOf, InterruptedError, RehearseError, messageOf } from '../errors.js';

export type FailureDetails = Partial<Omit<Failure, 'gate' | 'scenario' | 'classification' | 'message'>>;

export class GateFailure extends Error {
  constructor(
    readonly classification: Classification,
    message: string,
    readonly details: FailureDetails = {},
  ) {
    super(message);
    this.name = 'GateFailure';
  }
}

/** A gate stops because a gate run inside it failed (G2 streaming into G4's restore): NOT_RUN, the inner gate carries the failure. */
export class StoppedByGate extends Error {
  constructor(
    readonly gate: string,
    message: string,
  ) {
    super(message);
    this.name = 'StoppedByGate';
  }
}

export function statusOf(classification: Classification): Extract<Status, 'FAIL' | 'INCONCLUSIVE'> {
  return classification === 'sut' || classification === 'artefact' ? 'FAIL' : 'INCONCLUSIVE';
}

/** Classify anything a gate threw, once: our own GateFailure as it says; the environment's errors; else a bug of ours. */
export function failureOf(
  err: unknown,
  gate: string,
  scenario: string | null,
): { status: Extract<Status, 'FAIL' | 'INCONCLUSIVE'>; failure: Failure } {
  const base = {
    gate,
    scenario,
    command: null,
    exit_code: null,
    stderr_tail: null,
    sql_rows: null,
    exception: null,
    stack: null,
  };
  if (err instanceof GateFailure) {
    return {
      status: statusOf(err.classification),
      failure: { ...base, ...err.details, classification: err.classification, message: err.message },
    };
  }
  if (err instanceof InterruptedError || (err instanceof RehearseError && err.kind === 'environment')) {
    const hint = err instanceof RehearseError && err.hint ? ` (what to do: ${err.hint})` : '';
    return {
      status: 'INCONCLUSIVE',
      failure: { ...base, classification: 'environment', message: messageOf(err) + hint },
    };
  }
  // A full, read-only or unwritable disk anywhere failed us: the environment's, with the path and the errno.
  const disk = diskErrorOf(err, 'the file system refused');
  if (disk) {
    const syscall =
      typeof err === 'object' && err !== null && 'syscall' in err && typeof err.syscall === 'string'
        ? ` (in ${err.syscall})`
        : '';
    return {
      status: 'INCONCLUSIVE',
      failure: { ...base, classification: 'environment', message: `${disk.message}${syscall}` },
    };
  }
  const stack = err instanceof Error ? (err.stack ?? null) : null;
  return {
    status: 'INCONCLUSIVE',
    failure: { ...base, classification: 'tool', message: `a bug of pg-rehearse: ${messageOf(err)}`, stack },
  };
}

/**
 * Whose fault a scenario's SQL assertion is when it does not run, the environment having been
 * checked first: a lost connection or server (no SQLSTATE; classes 08 connection, 53 resources,
 * 55 object state such as a lock not available, 57 operator intervention such as a shutdown or a
 * cancel, 58 system error, XX internal) is the environment's; any other error the server answered
 * the query with (42 an undefined table or column, a syntax error; 22 a data exception; 25006 a
 * write in the read-only assertion) is the pack's.
 */
export function classOfAssertionError(sqlState: string | null): 'artefact' | 'environment' {
  if (sqlState === null) return 'environment';
  return ['08', '53', '55', '57', '58', 'XX'].includes(sqlState.slice(0, 2)) ? 'environment' : 'artefact';
}
