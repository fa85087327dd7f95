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

/** How the user sets a value with the command they ran: a flag (`--image`) or a config key (`environment.image` in the config). */
export type Knob = string;

export class ImageMissingError extends EnvironmentError {
  constructor(
    readonly image: string,
    /** Where the user names another image: `provision --image` by default. */
    readonly knob: Knob = '`--image`',
  ) {
    super('E_IMAGE_MISSING', `the image \`${image}\` is not present in the engine`, {
      hint: `build the local images with \`bash scripts/setup\` (no registry is needed), or name an image the engine has with ${knob}`,
    });
  }
}

export class NameTakenError extends EnvironmentError {
  constructor(
    readonly resource: 'container' | 'network' | 'volume',
    readonly resourceName: string,
    readonly existingId: string,
    /** Where the user chooses another name: `provision --name` by default. */
    readonly knob: Knob = '`--name`',
  ) {
    super(
      'E_NAME_TAKEN',
      `a ${resource} named \`${resourceName}\` already exists (id ${existingId.slice(0, 12)}); pg-rehearse never adopts or removes what it did not create, so nothing was created and it was left untouched`,
      { hint: `choose another name with ${knob}, or remove that ${resource} yourself if you know it is yours` },
    );
  }
}

/** The same refusal, with the hint of the command that was run (a config key instead of a flag); any other error as it was. */
export function withKnob(err: unknown, knob: Knob): unknown {
  if (err instanceof ImageMissingError) return new ImageMissingError(err.image, knob);
  if (err instanceof NameTakenError) return new NameTakenError(err.resource, err.resourceName, err.existingId, knob);
  return err;
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

/** The `code` of a Node.js system error (ENOSPC, EROFS, ...), or ''. */
export function errnoOf(err: unknown): string {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' ? err.code : '';
}

/** What an errno means, for a message: Node's own text carries it ("ENOSPC: no space left on device, write"). */
const ERRNO_WORDS: Record<string, string> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EIO: 'input/output error',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EEXIST: 'it exists and is not a folder',
};

/** An errno with its meaning: `EROFS (read-only file system)`. */
export function errnoWords(errno: string): string {
  return `${errno}${ERRNO_WORDS[errno] ? ` (${ERRNO_WORDS[errno]})` : ''}`;
}

/** The file-system errors that mean the machine's disk failed us, not the system under test nor a bug of ours. */
export const DISK_ERRNOS: ReadonlySet<string> = new Set(Object.keys(ERRNO_WORDS));

/** A folder or file the run must write could not be written: the disk or its permissions failed us. */
export class DiskError extends EnvironmentError {
  constructor(
    readonly path: string,
    readonly errno: string,
    /** What failed, before the path: "cannot write the state folder". */
    what: string,
    options: RehearseErrorOptions = {},
  ) {
    super('E_DISK', `${what} \`${path}\`: ${errnoWords(errno)}`, options);
  }
}

/** A DiskError for a file-system error of the disk kind (full, read-only, not writable), else null; the path is the error's own when it names one, else `pathOfWork`. `what` comes before the path: "cannot write the state folder". */
export function diskErrorOf(err: unknown, what: string, hint?: string, pathOfWork?: string): DiskError | null {
  const errno = errnoOf(err);
  if (!DISK_ERRNOS.has(errno)) return null;
  // A failed write() names no path: the caller's, when it knows which file it was writing.
  const path =
    typeof err === 'object' && err !== null && 'path' in err && typeof err.path === 'string'
      ? err.path
      : (pathOfWork ?? '(unknown path)');
  return new DiskError(path, errno, what, { cause: err, ...(hint ? { hint } : {}) });
}
