// Failure kinds of pg-rehearse. Each carries a stable `code`, what failed, and what to do;
// the CLI maps the kind to an exit code once, at the top (see run/exit-code.ts).

/** How a failure counts: the design's exit-code table, by kind. */
export type FailureKind = 'usage' | 'environment' | 'tool' | 'teardown';

export interface RehearseErrorOptions {
  cause?: unknown;
  /** What the user should do about it, one sentence. */
  hint?: string;
}

export abstract class RehearseError extends Error {
  abstract readonly kind: FailureKind;
  readonly code: string;
  readonly hint: string | undefined;

  constructor(code: string, message: string, options: RehearseErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.hint = options.hint;
  }
}

/** Bad command line, config or missing input file: nothing was created. */
export class UsageError extends RehearseError {
  readonly kind = 'usage';
  constructor(message: string, options: RehearseErrorOptions = {}) {
    super('E_USAGE', message, options);
  }
}

/** The engine, image, a name, readiness or the machine failed us: never a FAIL of the system under test. */
export class EnvironmentError extends RehearseError {
  readonly kind = 'environment';
}

export class EngineUnreachableError extends EnvironmentError {
  constructor(detail: string, options: RehearseErrorOptions = {}) {
    super('E_ENGINE_UNREACHABLE', `the Docker engine does not answer: ${detail}`, {
      hint: 'start it with `bash scripts/setup` (as root), or point DOCKER_HOST at a running engine',
      ...options,
    });
  }
}

export class ImageMissingError extends EnvironmentError {
  constructor(readonly image: string) {
    super('E_IMAGE_MISSING', `the image \`${image}\` is not present in the engine`, {
      hint: 'build the local PostgreSQL image with `bash scripts/setup` (no registry is needed), or pass `--image` with an image the engine has',
    });
  }
}

export class NameTakenError extends EnvironmentError {
  constructor(
    readonly resource: 'container' | 'network' | 'volume',
    readonly resourceName: string,
    readonly existingId: string,
  ) {
    super(
      'E_NAME_TAKEN',
      `a ${resource} named \`${resourceName}\` already exists (id ${existingId.slice(0, 12)}); pg-rehearse never adopts or removes what it did not create, so nothing was created and it was left untouched`,
      { hint: `choose another --name, or remove that ${resource} yourself if you know it is yours` },
    );
  }
}

export class ReadinessTimeoutError extends EnvironmentError {
  constructor(message: string, options: RehearseErrorOptions = {}) {
    super('E_READINESS', message, options);
  }
}

export class InterruptedError extends EnvironmentError {
  constructor(readonly signal: string) {
    super('E_INTERRUPTED', `interrupted by ${signal}`, {
      hint: 'the environment was torn down; run again when ready',
    });
  }
}

/** Something the run created could not be proved gone. */
export class TeardownIncompleteError extends RehearseError {
  readonly kind = 'teardown';
  constructor(
    readonly runId: string,
    readonly remaining: readonly string[],
  ) {
    super(
      'E_TEARDOWN_INCOMPLETE',
      `teardown of run ${runId} is incomplete: ${remaining.join(', ')} could not be proved gone`,
      { hint: `finish it with \`rehearse teardown --run-id ${runId}\`` },
    );
  }
}

/** A bug of ours: an invariant of the tool itself did not hold. */
export class ToolError extends RehearseError {
  readonly kind = 'tool';
  constructor(message: string, options: RehearseErrorOptions = {}) {
    super('E_TOOL', message, options);
  }
}

/** Message of any thrown value, without assuming it is an Error. */
export function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
