// Runs one step of the system under test: its argv, in a folder inside it, with an environment
// built from nothing but PATH, HOME, LANG, the DSN of the step's role, libpq's variables for it
// (PGHOST, PGPORT, PGUSER, PGDATABASE, PGPASSFILE: a 0600 file shredded with the step) and the
// step's own variables.
// Nothing of the tool's environment leaks in (scenario S2 relies on a key being absent), and
// nothing the command does is retried or masked: what it did is what is recorded.
import { realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Readable } from 'node:stream';
import { execa } from 'execa';
import type { Step } from '../config/scenario.js';
import { UsageError } from '../errors.js';
import { libpqConnection, libpqVariables, writePassFile, type PassFileHome } from './libpq-env.js';

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

/** Each stream keeps its first MiB; the rest is counted and dropped (a chatty command still runs to its end). */
export const MAX_OUTPUT_BYTES = 1024 * 1024;

/** Keeps the first `limit` bytes of a stream and counts the rest. */
export class Capture {
  private readonly chunks: Buffer[] = [];
  private kept = 0;
  total = 0;

  constructor(private readonly limit: number) {}

  attach(stream: Readable | null | undefined): void {
    stream?.on('data', (chunk: Buffer | string) => this.add(typeof chunk === 'string' ? Buffer.from(chunk) : chunk));
  }

  // An arrow property, so it can be handed over as a stream callback.
  add = (chunk: Buffer): void => {
    this.total += chunk.length;
    if (this.kept >= this.limit) return;
    const part = chunk.subarray(0, this.limit - this.kept);
    this.chunks.push(part);
    this.kept += part.length;
  };

  get truncated(): boolean {
    return this.total > this.kept;
  }

  text(): string {
    // A multi-byte character cut at the limit decodes as U+FFFD instead of throwing.
    return new TextDecoder('utf-8').decode(Buffer.concat(this.chunks));
  }
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
export async function runStep(
  step: Pick<Step, 'run' | 'cwd' | 'role' | 'env' | 'timeout_ms'>,
  ctx: StepContext,
): Promise<StepRun> {
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

  const pid = subprocess.pid;
  let timedOut = false;
  let canceled = false;
  let grace: NodeJS.Timeout | undefined;
  const signalGroup = (signal: NodeJS.Signals) => {
    if (pid === undefined) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // ESRCH: the group is already empty
    }
  };
  const stopGroup = () => {
    if (grace !== undefined) return;
    signalGroup('SIGTERM');
    grace = setTimeout(() => signalGroup('SIGKILL'), KILL_GRACE_MS);
  };
  const timer = setTimeout(() => {
    timedOut = true;
    stopGroup();
  }, step.timeout_ms);
  const onAbort = () => {
    canceled = true;
    stopGroup();
  };
  const onToolExit = () => signalGroup('SIGKILL');
  ctx.signal?.addEventListener('abort', onAbort, { once: true });
  if (ctx.signal?.aborted) onAbort();
  process.once('exit', onToolExit);
  subprocess.once('exit', stopGroup);

  let result;
  try {
    result = await subprocess;
  } finally {
    clearTimeout(timer);
    clearTimeout(grace);
    ctx.signal?.removeEventListener('abort', onAbort);
    process.removeListener('exit', onToolExit);
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
    timedOut,
    canceled,
    stdout: out.text(),
    stderr,
    bytes: { stdout: out.total, stderr: err.total },
    truncated: { stdout: out.truncated, stderr: err.truncated },
    ms,
    startedAt,
  };
}
