// Runs the system under test in containers (`sut.runner: container`): the install step once, in
// an install container that may reach the package registries and holds no database credentials;
// then each step in an ephemeral container on the run's internal network only, with the checkout
// read-only. A step's result is the same StepRun as runStep's, built by the same rules: an
// environment of nothing but PATH, HOME, LANG, its role's DSN, libpq's variables (PGHOST and
// the DSN name the dry-run server by its alias on the internal network; PGPASSFILE a read-only
// bind of a 0600 file) and its own variables, output kept to its first MiB per stream, nothing
// retried or masked. The containers themselves are the engine's (src/engine's runnerSteps): this
// file sees them through RunnerContainers only.
import { performance } from 'node:perf_hooks';
import { dsnFor, type PgTarget } from '../pg/index.js';
import { libpqConnection, libpqVariables, writePassFile, type PassFileHome } from './libpq-env.js';
import { Capture, MAX_OUTPUT_BYTES } from './output-capture.js';
import { stepCwd, type RunnableStep, type StepRun, type StepRunContext, type StepRunner } from './step-runner.js';

/** How a command in a runner container ended. */
export interface ContainerEnd {
  /** The container's exit status (128+n when a signal ended it), or null when it never started. */
  statusCode: number | null;
  /** The signal we sent that ended it (timeout, cancel), or null. */
  signal: string | null;
  timedOut: boolean;
  canceled: boolean;
}

/** Where a command's output goes, and when it is stopped. */
export interface ContainerRunOptions {
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  onStdout: (chunk: Buffer) => void;
  onStderr: (chunk: Buffer) => void;
}

/** What the container runner needs of the engine (src/engine's runnerSteps gives it). */
export interface RunnerContainers {
  /** Real path of the checkout on the host: a step's cwd is resolved in it. */
  readonly checkoutRoot: string;
  /** The checkout's root in a runner container. */
  readonly mount: string;
  /** Where a step finds its password file (PGPASSFILE). */
  readonly passFileMount: string;
  /** Where a step's password file is written on the host, each file recorded as a secret of the run first. */
  readonly passFiles: PassFileHome;
  /** Where a step whose cwd resolved to `hostPath` starts in its container, or why it cannot start there. */
  folder(cwd: string, hostPath: string): Promise<{ path: string } | { reason: string }>;
  /** The dry-run target as a step container reaches it. */
  reach(target: PgTarget): PgTarget;
  /** Why a failed step may have failed in a container (a write refused by a read-only mount), or null. */
  failureNote(stderr: string): string | null;
  install(
    cmd: { argv: string[]; network: string; registry?: InstallOptions['registry'] },
    opts: ContainerRunOptions,
  ): Promise<ContainerEnd>;
  /** One step's command in a new container; `secretEnv` reaches it through a 0600 file, never argv. */
  step(
    cmd: { argv: string[]; workdir: string; secretEnv: Record<string, string>; passFile: string | null },
    opts: ContainerRunOptions,
  ): Promise<ContainerEnd>;
}

function notStarted(
  argv: string[],
  cwd: string,
  role: string,
  startedAt: string,
  reason: string,
  canceled = false,
): StepRun {
  return {
    argv: [...argv],
    cwd,
    role,
    exitCode: null,
    signal: null,
    timedOut: false,
    canceled,
    stdout: '',
    stderr: `pg-rehearse: the command could not start: ${reason}\n`,
    bytes: { stdout: 0, stderr: 0 },
    truncated: { stdout: false, stderr: false },
    ms: 0,
    startedAt,
  };
}

function toStepRun(
  argv: string[],
  cwd: string,
  role: string,
  startedAt: string,
  t0: number,
  run: ContainerEnd,
  out: Capture,
  err: Capture,
): StepRun {
  // A signal we sent (timeout, cancel) ends it with no exit code, as runStep reports a killed process.
  const exitCode = run.signal !== null ? null : run.statusCode;
  return {
    argv: [...argv],
    cwd,
    role,
    exitCode,
    signal: run.signal,
    timedOut: run.timedOut,
    canceled: run.canceled,
    stdout: out.text(),
    stderr: err.text(),
    bytes: { stdout: out.total, stderr: err.total },
    truncated: { stdout: out.truncated, stderr: err.truncated },
    ms: Math.round(performance.now() - t0),
    startedAt,
  };
}

export interface InstallOptions {
  /** argv of the install (`npm ci`); it runs in the checkout's root. */
  argv: string[];
  /** The network it is attached to: an ordinary one (the run's `<env>-net`), so it reaches the package registries. */
  network: string;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  now?: () => Date;
  /**
   * How this machine reaches its package registry, passed on to the install container only: the
   * registry's address (npm_config_registry) and a CA bundle the registry's certificate needs.
   */
  registry?: { url: string | null; caFile: string | null } | undefined;
}

/**
 * Run the install once, in the install container: the checkout read-only, its output volume
 * writable, no database credentials (its environment is PATH, HOME and LANG only). Never throws for
 * the command's sake; `role` is `install` in the StepRun.
 */
export async function runContainerInstall(containers: RunnerContainers, opts: InstallOptions): Promise<StepRun> {
  const startedAt = (opts.now ?? (() => new Date()))().toISOString();
  const cwd = containers.mount;
  if (opts.signal?.aborted) return notStarted(opts.argv, cwd, 'install', startedAt, 'the run was interrupted', true);
  const out = new Capture(MAX_OUTPUT_BYTES);
  const err = new Capture(MAX_OUTPUT_BYTES);
  const t0 = performance.now();
  const run = await containers.install(
    { argv: opts.argv, network: opts.network, registry: opts.registry },
    { timeoutMs: opts.timeoutMs, signal: opts.signal, onStdout: out.add, onStderr: err.add },
  );
  return toStepRun(opts.argv, cwd, 'install', startedAt, t0, run, out, err);
}

export interface ContainerStepContext {
  containers: RunnerContainers;
  /** Name of the variable that carries the DSN (`CUTTER_DSN`). */
  dsnEnvVar: string;
  /** The DSN of a dry-run role as a step container reaches it: `dsnFor(containers.reach(target))`. */
  dsnFor: (role: string) => string;
  signal?: AbortSignal | undefined;
  now?: () => Date;
}

/**
 * Run one step in a new container on the internal network only, and record what it did, as runStep
 * does on the host. Its role's DSN and its own variables reach it through a 0600 file recorded as a
 * secret of the run and shredded when the step ends, never through argv or the container's config.
 */
export async function runContainerStep(step: RunnableStep, ctx: ContainerStepContext): Promise<StepRun> {
  const { containers } = ctx;
  const startedAt = (ctx.now ?? (() => new Date()))().toISOString();
  // A cwd leading out of the checkout: UsageError, as in runStep.
  const host = await stepCwd(containers.checkoutRoot, step.cwd);
  const where = await containers.folder(step.cwd, host);
  if ('reason' in where)
    return notStarted(step.run, `${containers.mount}/${step.cwd}`, step.role, startedAt, where.reason);
  if (ctx.signal?.aborted)
    return notStarted(step.run, where.path, step.role, startedAt, 'the run was interrupted', true);

  const dsn = ctx.dsnFor(step.role);
  const libpq = libpqConnection(dsn);
  const passFile = libpq ? await writePassFile(libpq, containers.passFiles) : null;
  const out = new Capture(MAX_OUTPUT_BYTES);
  const err = new Capture(MAX_OUTPUT_BYTES);
  const t0 = performance.now();
  try {
    const libpqEnv = libpq ? libpqVariables(libpq, containers.passFileMount) : {};
    const run = await containers.step(
      {
        argv: step.run,
        workdir: where.path,
        secretEnv: { ...libpqEnv, [ctx.dsnEnvVar]: dsn, ...step.env },
        passFile: passFile?.path ?? null,
      },
      { timeoutMs: step.timeout_ms, signal: ctx.signal, onStdout: out.add, onStderr: err.add },
    );
    return toStepRun(step.run, where.path, step.role, startedAt, t0, run, out, err);
  } finally {
    // Teardown shreds it too (it is recorded): this only shortens its life.
    await passFile?.remove();
  }
}

/** Steps in runner containers, through the engine's RunnerContainers. */
export class ContainerStepRunner implements StepRunner {
  readonly sutRoot: string;

  constructor(private readonly containers: RunnerContainers) {
    this.sutRoot = containers.mount;
  }

  run(step: RunnableStep, ctx: StepRunContext): Promise<StepRun> {
    return runContainerStep(step, {
      containers: this.containers,
      dsnEnvVar: ctx.dsnEnvVar,
      dsnFor: (role) => dsnFor(this.containers.reach(ctx.target(role))),
      signal: ctx.signal,
      ...(ctx.now ? { now: ctx.now } : {}),
    });
  }

  /** The install step, once, before the first scenario. */
  install(opts: InstallOptions): Promise<StepRun> {
    return runContainerInstall(this.containers, opts);
  }

  failureNote(run: StepRun): string | null {
    return this.containers.failureNote(run.stderr);
  }
}
