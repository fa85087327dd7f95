// One command in a new exact-named runner container (`sut.runner: container`): the install in an
// install container whose only writable place is a named volume (the install's output, e.g.
// node_modules), each step in an ephemeral container sharing the network namespace of the run's
// holder (the internal network only, where the dry-run server answers by an alias). The container
// is labelled with the run id and recorded in the run journal before its create call, so closeRun,
// `teardown --run-id`, `--stale` and the reaper remove it with the rest of the environment.
import { constants } from 'node:os';
import { Writable } from 'node:stream';
import type { Container } from 'dockerode';
import { EnvironmentError, NameTakenError, UsageError, messageOf } from '../errors.js';
import type { CheckoutPlan } from './checkout-mounts.js';
import { isNotFoundError, statusCodeOf, type DockerClient } from './docker-client.js';
import { findContainerByName } from './environment.js';
import { RUNNER_HOME, SECRET_ENV_MOUNT, SUT_MOUNT, runnerLabels } from './labels.js';
import type { RunJournal } from './run-journal.js';

export interface RunnerContainerSpec {
  name: string;
  image: string;
  purpose: 'sut-install' | 'sut-step';
  argv: string[];
  /** Container path the command starts in (under SUT_MOUNT). */
  workdir: string;
  /** Variables that hold no secret (PATH, HOME, LANG): they go into the container's config. */
  env: Record<string, string>;
  /** Host path of a 0600 file of `export NAME='value'` lines (secretEnvFile()), bound read-only and sourced before the command. */
  secretEnvFile?: string | undefined;
  /** Its NetworkMode, the only network it is on: a network's name (the install), or a holder's `container:<id>` (a step). */
  network: string;
  checkout: CheckoutPlan;
  installVolume: string;
  /** The install container writes its output; a step only reads it. */
  installWritable: boolean;
  /** `uid:gid`; the image's user (root) when omitted. */
  user?: string | undefined;
  /** Drop every capability (steps); the install keeps the engine's defaults (package managers chown). */
  dropCapabilities: boolean;
  /** Host files bound read-only at a container path (the install's CA certificates). */
  extraFiles?: { source: string; target: string }[] | undefined;
}

export interface RunnerContainerOptions {
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  onStdout: (chunk: Buffer) => void;
  onStderr: (chunk: Buffer) => void;
  /** Time between SIGTERM and SIGKILL. */
  graceMs?: number;
}

export interface RunnerContainerRun {
  name: string;
  id: string;
  /** The container's exit status (128+n when a signal ended it), or null when it never started. */
  statusCode: number | null;
  /** The signal we sent that ended it (timeout, cancel), or null. */
  signal: string | null;
  timedOut: boolean;
  canceled: boolean;
  /** The container was removed at the end (else teardown removes it, by its journal record). */
  removed: boolean;
  ms: number;
}

// sh is PID 2 under docker-init: it drops what the engine and sh add to the environment
// (HOSTNAME, PWD), sources the secret variables, then becomes the command. Nothing secret is in
// argv or in the container's config.
const WRAPPER = `unset HOSTNAME PWD; if [ -e ${SECRET_ENV_MOUNT} ]; then . ${SECRET_ENV_MOUNT} || exit 125; fi; exec "$@"`;

/** The lines of a secret env file: `export NAME='value'`, sourced by /bin/sh in the container. */
export function secretEnvFile(env: Record<string, string>): string {
  return Object.entries(env)
    .map(([name, value]) => {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
        throw new UsageError(`Expected an environment variable name, got \`${name}\``);
      if (value.includes('\0')) throw new UsageError(`the value of \`${name}\` holds a NUL byte`);
      return `export ${name}='${value.replace(/'/g, `'\\''`)}'\n`;
    })
    .join('');
}

const KILL_GRACE_MS = 5_000;
const STREAM_END_MS = 5_000;

function signalName(status: number): string | null {
  const n = status - 128;
  const found = Object.entries(constants.signals).find(([, v]) => v === n);
  return found ? found[0] : null;
}

function sink(write: (chunk: Buffer) => void): Writable {
  return new Writable({
    write(chunk: Buffer | string, _enc, done) {
      write(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
      done();
    },
  });
}

/**
 * Run one command to its end in a new exact-named runner container, streaming its output, then
 * remove the container. The container is recorded in the journal before its create call. A
 * timeout or an abort sends SIGTERM, then SIGKILL after the grace period. An engine failure
 * (create, start) throws EnvironmentError; what the command did never throws.
 */
/** The container's mounts: the checkout's entries and its extra files read-only, the install's output volume. */
function runnerMounts(spec: RunnerContainerSpec) {
  const bind = (source: string, target: string) => ({
    Type: 'bind' as const,
    Source: source,
    Target: target,
    ReadOnly: true,
  });
  return [
    ...spec.checkout.binds.map((b) => bind(b.source, b.target)),
    // The image has nothing at the target, so the engine copies nothing into the volume.
    {
      Type: 'volume' as const,
      Source: spec.installVolume,
      Target: `${SUT_MOUNT}/${spec.checkout.output}`,
      ReadOnly: !spec.installWritable,
    },
    ...(spec.secretEnvFile ? [bind(spec.secretEnvFile, SECRET_ENV_MOUNT)] : []),
    ...(spec.extraFiles ?? []).map((f) => bind(f.source, f.target)),
  ];
}

/** Create the container by exact name, recorded in the journal before and after the create call. */
async function createRunnerContainer(
  docker: DockerClient,
  journal: RunJournal,
  spec: RunnerContainerSpec,
): Promise<Container> {
  const existing = await findContainerByName(docker, spec.name);
  if (existing) throw new NameTakenError('container', spec.name, existing.id);
  const mounts = runnerMounts(spec);
  await journal.record({ kind: 'container', name: spec.name, id: null });
  let container: Container;
  try {
    container = await docker.createContainer({
      name: spec.name,
      Image: spec.image,
      Cmd: ['/bin/sh', '-c', WRAPPER, 'pg-rehearse-step', ...spec.argv],
      Entrypoint: [],
      Env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
      WorkingDir: spec.workdir,
      ...(spec.user ? { User: spec.user } : {}),
      Labels: runnerLabels(journal.runId, spec.purpose),
      AttachStdin: false,
      AttachStdout: true,
      AttachStderr: true,
      OpenStdin: false,
      Tty: false,
      StopSignal: 'SIGTERM',
      HostConfig: {
        NetworkMode: spec.network,
        // docker-init as PID 1: SIGTERM reaches the command, and what it leaves behind is reaped.
        Init: true,
        ReadonlyRootfs: true,
        Tmpfs: { [RUNNER_HOME]: 'rw,nosuid,nodev,mode=1777' },
        Mounts: mounts,
        SecurityOpt: ['no-new-privileges'],
        ...(spec.dropCapabilities ? { CapDrop: ['ALL'] } : {}),
      },
    });
  } catch (err) {
    throw new EnvironmentError(
      'E_RUNNER_CREATE',
      `the engine could not create the runner container ${spec.name} (image ${spec.image}): ${messageOf(err)}`,
      {
        cause: err,
        hint:
          statusCodeOf(err) === 404
            ? 'build the runner image with `bash scripts/setup`, or name an image the engine has in sut.container.image'
            : undefined,
      },
    );
  }
  await journal.record({ kind: 'container', name: spec.name, id: container.id });
  return container;
}

/** Stops a running container at its timeout or on abort: SIGTERM, then SIGKILL after the grace period. */
class RunnerStop {
  timedOut = false;
  canceled = false;
  /** The last signal sent, or null. */
  sent: string | null = null;
  private grace: NodeJS.Timeout | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly onAbort = () => {
    this.canceled = true;
    this.stop();
  };

  constructor(
    private readonly container: Container,
    private readonly opts: RunnerContainerOptions,
  ) {}

  /** From now on, the timeout and the abort signal stop the container. */
  arm(): void {
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.stop();
    }, this.opts.timeoutMs);
    this.opts.signal?.addEventListener('abort', this.onAbort, { once: true });
    if (this.opts.signal?.aborted) this.onAbort();
  }

  /** Clears the timers and the abort listener; idempotent. */
  disarm(): void {
    clearTimeout(this.timer);
    clearTimeout(this.grace);
    this.opts.signal?.removeEventListener('abort', this.onAbort);
  }

  private stop(): void {
    if (this.grace !== undefined) return;
    this.kill('SIGTERM');
    this.grace = setTimeout(() => this.kill('SIGKILL'), this.opts.graceMs ?? KILL_GRACE_MS);
  }

  private kill(signal: 'SIGTERM' | 'SIGKILL'): void {
    this.sent = signal;
    this.container.kill({ signal }).catch(() => {
      // 409/404: it has already ended
    });
  }
}

/** Attach to its output, start it, wait for its end (and its output's, within STREAM_END_MS); its exit status. */
async function runToEnd(
  docker: DockerClient,
  container: Container,
  name: string,
  opts: RunnerContainerOptions,
  stop: RunnerStop,
): Promise<number> {
  let ended: Promise<void>;
  try {
    const stream = await container.attach({ stream: true, stdout: true, stderr: true });
    ended = new Promise<void>((resolve) => {
      stream.once('end', resolve);
      stream.once('close', resolve);
      stream.once('error', () => resolve());
    });
    docker.modem.demuxStream(stream, sink(opts.onStdout), sink(opts.onStderr));
    await container.start();
  } catch (err) {
    throw new EnvironmentError('E_RUNNER_START', `the runner container ${name} did not start: ${messageOf(err)}`, {
      cause: err,
    });
  }
  stop.arm();
  let statusCode: number;
  try {
    const result = (await container.wait()) as { StatusCode: number };
    statusCode = result.StatusCode;
  } catch (err) {
    throw new EnvironmentError(
      'E_RUNNER_WAIT',
      `the engine lost the runner container ${name} while it ran: ${messageOf(err)}`,
      { cause: err },
    );
  }
  // The output may trail the exit a little; never wait on it for ever.
  let late: NodeJS.Timeout | undefined;
  await Promise.race([ended, new Promise((r) => (late = setTimeout(r, STREAM_END_MS)))]);
  clearTimeout(late);
  return statusCode;
}

/** Remove the container and its anonymous volumes; false when it could not be (teardown removes it by its journal record). */
async function removeRunnerContainer(container: Container): Promise<boolean> {
  try {
    await container.remove({ force: true, v: true });
    return true;
  } catch (err) {
    // Left for teardown: never hides the step's result.
    return isNotFoundError(err);
  }
}

/**
 * Run one command to its end in a new exact-named runner container, streaming its output, then
 * remove the container. The container is recorded in the journal before its create call. A
 * timeout or an abort sends SIGTERM, then SIGKILL after the grace period. An engine failure
 * (create, start) throws EnvironmentError; what the command did never throws.
 */
export async function runRunnerContainer(
  docker: DockerClient,
  journal: RunJournal,
  spec: RunnerContainerSpec,
  opts: RunnerContainerOptions,
): Promise<RunnerContainerRun> {
  const container = await createRunnerContainer(docker, journal, spec);
  const t0 = Date.now();
  const stop = new RunnerStop(container, opts);
  let statusCode: number | null = null;
  let removed = false;
  try {
    statusCode = await runToEnd(docker, container, spec.name, opts, stop);
  } finally {
    stop.disarm();
    removed = await removeRunnerContainer(container);
  }
  const ms = Date.now() - t0;
  const byUs = stop.sent !== null && statusCode > 128 ? signalName(statusCode) : null;
  const { timedOut, canceled } = stop;
  return { name: spec.name, id: container.id, statusCode, signal: byUs, timedOut, canceled, removed, ms };
}
