// Runs one step of the system under test: its argv, in a folder inside it, with an environment
// built from nothing but PATH, HOME, LANG, the DSN of the step's role, libpq's variables for it
// (PGHOST, PGPORT, PGUSER, PGDATABASE, PGPASSFILE: a 0600 file shredded with the step) and the
// step's own variables.
// Nothing of the tool's environment leaks in (scenario S2 relies on a key being absent), and
// nothing the command does is retried or masked: what it did is what is recorded.
import { performance } from 'node:perf_hooks';
import { execa } from 'execa';
import type { Step } from '../config/scenario.js';
import { UsageError } from '../errors.js';
import { dsnFor } from '../pg/index.js';
import { libpqConnection, libpqVariables, writePassFile, type PassFileHome } from './libpq-env.js';
import { Capture, MAX_OUTPUT_BYTES } from './output-capture.js';
import { stepCwd, type RunnableStep, type StepRun, type StepRunContext, type StepRunner } from './step-runner.js';

export interface StepContext {
  /** Absolute path of the system under test: every step runs inside it. */
  sutPath: string;
  /** Name of the variable that carries the DSN (`CUTTER_DSN`). */
  dsnEnvVar: string;
  /** The DSN of a dry-run role, password included: it goes into the environment only, never argv. */
  dsnFor: (role: string) => string;
  /** Where the step's password file goes (the run's 0700 folder, each file recorded first); default a fresh 0700 folder. */
  passFiles?: PassFileHome;
  signal?: AbortSignal;
  now?: () => Date;
}

/**
 * The step's whole environment: nothing inherited but PATH and HOME; the DSN, libpq's variables
 * when a password file was written for it, then the step's own variables (which may replace any).
 */
export function stepEnv(
  step: Pick<Step, 'role' | 'env'>,
  ctx: Pick<StepContext, 'dsnEnvVar' | 'dsnFor'>,
  base: NodeJS.ProcessEnv = process.env,
  passFile: string | null = null,
): Record<string, string> {
  const env: Record<string, string> = {};
  if (base.PATH !== undefined) env.PATH = base.PATH;
  if (base.HOME !== undefined) env.HOME = base.HOME;
  env.LANG = 'C.UTF-8';
  const dsn = ctx.dsnFor(step.role);
  const libpq = passFile === null ? null : libpqConnection(dsn);
  if (libpq && passFile !== null) Object.assign(env, libpqVariables(libpq, passFile));
  env[ctx.dsnEnvVar] = dsn;
  return { ...env, ...step.env };
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Time a process group gets between SIGTERM and SIGKILL. */
export const KILL_GRACE_MS = 5_000;

/**
 * Run one step to its end (or its timeout) and record what it did. Never throws for the command's
 * sake. The command runs in a process group of its own, and the whole group is stopped at the
 * timeout, on cancel, and once the command itself has exited: a child it left running in the
 * background would otherwise hold its output open, and the step would never end.
 */
export async function runStep(step: RunnableStep, ctx: StepContext): Promise<StepRun> {
  const now = ctx.now ?? (() => new Date());
  const cwd = await stepCwd(ctx.sutPath, step.cwd);
  const [file, ...args] = step.run;
  if (file === undefined) throw new UsageError('a step needs a non-empty `run`');
  const libpq = libpqConnection(ctx.dsnFor(step.role));
  const passFile = libpq ? await writePassFile(libpq, ctx.passFiles) : null;
  try {
    return await runWithEnv(step, ctx, cwd, file, args, stepEnv(step, ctx, process.env, passFile?.path ?? null), now);
  } finally {
    await passFile?.remove();
  }
}

/**
 * Stops a step's process group at its timeout, on cancel, and once the command itself has exited:
 * SIGTERM, then SIGKILL after KILL_GRACE_MS; SIGKILL when the tool itself exits.
 */
class GroupStop {
  timedOut = false;
  canceled = false;
  private grace: NodeJS.Timeout | undefined;
  private readonly timer: NodeJS.Timeout;
  private readonly onAbort = () => {
    this.canceled = true;
    this.stop();
  };
  private readonly onToolExit = () => this.signalGroup('SIGKILL');

  constructor(
    private readonly pid: number | undefined,
    timeoutMs: number,
    private readonly signal: AbortSignal | undefined,
  ) {
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.stop();
    }, timeoutMs);
    signal?.addEventListener('abort', this.onAbort, { once: true });
    if (signal?.aborted) this.onAbort();
    process.once('exit', this.onToolExit);
  }

  // An arrow property, so it can be handed over as an event listener.
  stop = (): void => {
    if (this.grace !== undefined) return;
    this.signalGroup('SIGTERM');
    this.grace = setTimeout(() => this.signalGroup('SIGKILL'), KILL_GRACE_MS);
  };

  /** Clears the timers and listeners. */
  dispose(): void {
    clearTimeout(this.timer);
    clearTimeout(this.grace);
    this.signal?.removeEventListener('abort', this.onAbort);
    process.removeListener('exit', this.onToolExit);
  }

  private signalGroup(signal: NodeJS.Signals): void {
    if (this.pid === undefined) return;
    try {
      process.kill(-this.pid, signal);
    } catch {
      // ESRCH: the group is already empty
    }
  }
}

async function runWithEnv(
  step: Pick<Step, 'run' | 'role' | 'timeout_ms'>,
  ctx: StepContext,
  cwd: string,
  file: string,
  args: string[],
  env: Record<string, string>,
  now: () => Date,
): Promise<StepRun> {
  const out = new Capture(MAX_OUTPUT_BYTES);
  const err = new Capture(MAX_OUTPUT_BYTES);
  const startedAt = now().toISOString();
  const t0 = performance.now();

  const subprocess = execa(file, args, {
    cwd,
    env,
    extendEnv: false,
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
    buffer: false,
    reject: false,
    detached: true,
    stripFinalNewline: false,
  });
  out.attach(subprocess.stdout);
  err.attach(subprocess.stderr);

  const stop = new GroupStop(subprocess.pid, step.timeout_ms, ctx.signal);
  subprocess.once('exit', stop.stop);
  let result;
  try {
    result = await subprocess;
  } finally {
    stop.dispose();
  }
  const ms = Math.round(performance.now() - t0);

  const exitCode = typeof result.exitCode === 'number' ? result.exitCode : null;
  const signal = result.signal ?? null;
  let stderr = err.text();
  if (exitCode === null && signal === null) {
    // It never ran (ENOENT, EACCES, a missing cwd): the reason stands where its stderr would be.
    const reason = result.originalMessage || result.shortMessage || errorText(result);
    stderr = `${stderr}${stderr && !stderr.endsWith('\n') ? '\n' : ''}pg-rehearse: the command could not start: ${reason}\n`;
  }
  return {
    argv: [...step.run],
    cwd,
    role: step.role,
    exitCode,
    signal,
    timedOut: stop.timedOut,
    canceled: stop.canceled,
    stdout: out.text(),
    stderr,
    bytes: { stdout: out.total, stderr: err.total },
    truncated: { stdout: out.truncated, stderr: err.truncated },
    ms,
    startedAt,
  };
}

/** Steps on this machine, in the system under test's checkout. */
export class HostStepRunner implements StepRunner {
  /** Real path of the checkout (symlinks resolved): exception sites in a step's stderr name it. */
  readonly sutRoot: string;

  constructor(private readonly opts: { sutPath: string; sutRoot: string; passFiles?: PassFileHome | undefined }) {
    this.sutRoot = opts.sutRoot;
  }

  run(step: RunnableStep, ctx: StepRunContext): Promise<StepRun> {
    return runStep(step, {
      sutPath: this.opts.sutPath,
      dsnEnvVar: ctx.dsnEnvVar,
      dsnFor: (role) => dsnFor(ctx.target(role)),
      ...(this.opts.passFiles ? { passFiles: this.opts.passFiles } : {}),
      ...(ctx.signal ? { signal: ctx.signal } : {}),
      ...(ctx.now ? { now: ctx.now } : {}),
    });
  }

  failureNote(): null {
    return null;
  }
}
