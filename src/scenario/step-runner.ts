// Running one step of the system under test, whichever runner runs it: on the host
// (host-step-runner.ts) or in a container (container-step-runner.ts). The plan picks the runner
// once; every step of the run goes through it.
import { realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import type { Step } from '../config/scenario.js';
import { UsageError } from '../errors.js';
import type { PgTarget } from '../pg/index.js';

/** What a runner needs of a step. */
export type RunnableStep = Pick<Step, 'run' | 'cwd' | 'role' | 'env' | 'timeout_ms'>;

/** What one step did. `exitCode` is null when the command did not start or was killed. */
export interface StepRun {
  argv: string[];
  /** Absolute folder the command ran in. */
  cwd: string;
  role: string;
  exitCode: number | null;
  /** The signal that ended it (SIGTERM after a timeout, SIGKILL after the grace period), or null. */
  signal: string | null;
  timedOut: boolean;
  /** Cancelled through `ctx.signal` (the run was interrupted): never a result of the system under test. */
  canceled: boolean;
  /** The first MAX_OUTPUT_BYTES of each stream, UTF-8; a command that could not start has its error here. */
  stdout: string;
  stderr: string;
  /** Bytes each stream wrote in all; above MAX_OUTPUT_BYTES the text above is truncated. */
  bytes: { stdout: number; stderr: number };
  truncated: { stdout: boolean; stderr: boolean };
  ms: number;
  /** ISO 8601, UTC. */
  startedAt: string;
}

export interface StepRunContext {
  /** Name of the variable that carries the DSN (`CUTTER_DSN`). */
  dsnEnvVar: string;
  /** The dry-run server of a role as the tool reaches it; the runner gives its step the DSN it reaches it by. */
  target: (role: string) => PgTarget;
  signal?: AbortSignal;
  now?: () => Date;
}

/** Runs the steps of one rehearsal (`sut.runner`: host or container). */
export interface StepRunner {
  /** The system under test's root as a step sees it: the paths in its output are relative to it. */
  readonly sutRoot: string;
  /**
   * Run one step to its end (its timeout, or a cancel through `ctx.signal`) and record what it did.
   * Never throws for the command's sake; a cwd outside the system under test is a UsageError.
   */
  run(step: RunnableStep, ctx: StepRunContext): Promise<StepRun>;
  /** What this runner alone can say of a failed step (a write its mounts refused), or null. */
  failureNote(run: StepRun): string | null;
}

/** The folder a step runs in: inside the system under test, symlinks resolved, or a usage error. */
export async function stepCwd(sutPath: string, cwd: string): Promise<string> {
  const root = resolve(sutPath);
  const wanted = resolve(root, cwd);
  const inside = (base: string, path: string) => {
    const rel = relative(base, path);
    return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
  };
  if (!inside(root, wanted)) {
    throw new UsageError(`the step's cwd \`${cwd}\` is outside the system under test \`${root}\``, {
      hint: 'give cwd relative to the system under test, without `..` above it',
    });
  }
  // A symlink inside the system under test may point out of it: compare the real paths.
  let realRoot: string;
  let realWanted: string;
  try {
    realRoot = await realpath(root);
    realWanted = await realpath(wanted);
  } catch {
    return wanted; // a missing folder: the command cannot start, and says so in its StepRun
  }
  if (!inside(realRoot, realWanted)) {
    throw new UsageError(
      `the step's cwd \`${cwd}\` leads outside the system under test \`${root}\` (it resolves to \`${realWanted}\`)`,
      { hint: 'give cwd as a real folder inside the system under test' },
    );
  }
  return wanted;
}
