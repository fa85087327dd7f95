// The system under test in containers (`sut.runner: container`). Its install step runs in an
// install container whose only writable place is a named volume (the install's output, e.g.
// node_modules); each step then runs in an ephemeral container attached ONLY to the run's internal
// network (`docker network create --internal`), where the dry-run server answers by an alias.
// Every network, volume and container is exact-named, labelled with the run id and recorded in the
// run journal before its create call, so closeRun, `teardown --run-id`, `--stale` and the reaper
// remove it with the rest of the environment.
//
// Engine 20.10 gives a container on an internal network a default route all the same (via the
// bridge's gateway), and the host an address on that bridge, through which every host service
// listening on 0.0.0.0 answers (both seen here). So the network is created with no host address
// (INHIBIT_IPV4), and the steps share the network namespace of one holder container per run, which
// deleted that default route (it alone has CAP_NET_ADMIN, and runs nothing of the system under
// test): a step has a route to the internal subnet and to nothing else.
//
// The checkout is never bound as one folder: each of its top-level entries is bound read-only
// under SUT_MOUNT, a folder of a read-only root file system. So the install's output can be
// mounted at SUT_MOUNT/<output> (a nested mount point under one read-only bind cannot be created
// when the checkout lacks it), and nothing in SUT_MOUNT, the entries or the output (in a step) can
// be written: such a write fails with EROFS.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readdir, realpath } from 'node:fs/promises';
import { constants } from 'node:os';
import { isAbsolute, join, relative } from 'node:path';
import { Writable } from 'node:stream';
import type { Container } from 'dockerode';
import { EnvironmentError, NameTakenError, UsageError, messageOf } from '../errors.js';
import { isNotFoundError, statusCodeOf, type DockerClient } from './docker-client.js';
import { demuxLogs, environmentNames, findContainerByName, findNetworkByName } from './environment.js';
import { PACKAGE_ROOT } from './image.js';
import { LABEL_PURPOSE, LABEL_RUN_ID } from './labels.js';
import type { RunJournal } from './run-journal.js';

// TODO(lead): move these identity constants to labels.ts (this file's owner could not edit it).
/** The repository part of the runner image's tag; the tag is `node18-<recipe hash>`. */
export const RUNNER_IMAGE_REPOSITORY = 'pg-rehearse/runner';
/** The recipe files, in the order scripts/runner-image-tag concatenates them. Keep both in step. */
export const RUNNER_RECIPE_FILES = ['image/runner/packages', 'image/runner/build'] as const;
/** The dry-run server's name on the internal network: steps reach it as DRY_RUN_DB_ALIAS:DRY_RUN_DB_PORT. */
export const DRY_RUN_DB_ALIAS = 'dry-run-db';
export const DRY_RUN_DB_PORT = 5432;
/** Where the checkout's entries are bound (read-only) in every runner container. */
export const SUT_MOUNT = '/sut';
/** HOME of every runner container: a tmpfs, the only writable place besides the install's output. */
export const RUNNER_HOME = '/tmp';
/** A step's secret variables (its role's DSN, its own env): a read-only bind of a 0600 file, sourced before the command. */
export const SECRET_ENV_MOUNT = '/run/pg-rehearse/env';
export const DEFAULT_INSTALL_OUTPUT = 'node_modules';
/** PATH when the image names none. */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export type RunnerPurpose = 'sut-internal' | 'sut-netns-holder' | 'sut-install-output' | 'sut-install' | 'sut-step';

/** sha256 over the runner recipe's bytes concatenated in order; the first 12 hex name the tag. */
export function runnerRecipeHash(read: (relPath: string) => Buffer = (p) => readFileSync(PACKAGE_ROOT + p)): string {
  const hash = createHash('sha256');
  for (const file of RUNNER_RECIPE_FILES) hash.update(read(file));
  return hash.digest('hex').slice(0, 12);
}

/** The default runner image: the local build of this checkout's recipe (scripts/setup builds it). */
export function defaultRunnerImage(): string {
  return `${RUNNER_IMAGE_REPOSITORY}:node18-${runnerRecipeHash()}`;
}

export interface RunnerNames {
  /** `<env>-int`: the internal network (steps and the dry-run server only). */
  internalNetwork: string;
  /** `<env>-install`: the volume holding the install's output. */
  installVolume: string;
  /** `<env>-install`: the install container (a container and a volume may share a name). */
  installContainer: string;
  /** `<env>-int-holder`: holds the steps' network namespace (on the internal network, default route deleted). */
  holder: string;
  /** `<env>-step-<n>`: the container of the n-th step of the run. */
  step: (n: number) => string;
}

/** The exact names of the runner's resources for the environment called `envName`. */
export function runnerNames(envName: string): RunnerNames {
  const { container } = environmentNames(envName); // the same rule for the base name
  return {
    internalNetwork: `${container}-int`,
    installVolume: `${container}-install`,
    installContainer: `${container}-install`,
    holder: `${container}-int-holder`,
    step: (n) => `${container}-step-${n}`,
  };
}

export async function findVolumeByName(
  docker: DockerClient,
  name: string,
): Promise<{ id: string; labels: Record<string, string> } | null> {
  try {
    const info = await docker.getVolume(name).inspect();
    if (info.Name !== name) return null;
    return { id: info.Name, labels: info.Labels ?? {} };
  } catch (err) {
    if (isNotFoundError(err)) return null;
    throw err;
  }
}

/** Refuse, never adopt: the internal network, the install volume or the install container already exists. */
export async function assertRunnerNamesFree(docker: DockerClient, names: RunnerNames): Promise<void> {
  const network = await findNetworkByName(docker, names.internalNetwork);
  if (network) throw new NameTakenError('network', names.internalNetwork, network.id);
  const volume = await findVolumeByName(docker, names.installVolume);
  if (volume) throw new NameTakenError('volume', names.installVolume, volume.id);
  for (const name of [names.installContainer, names.holder]) {
    const container = await findContainerByName(docker, name);
    if (container) throw new NameTakenError('container', name, container.id);
  }
}

function labelsOf(runId: string, purpose: RunnerPurpose): Record<string, string> {
  return { [LABEL_RUN_ID]: runId, [LABEL_PURPOSE]: purpose };
}

/** The bridge driver's option that leaves the host without an address on the network. */
export const INHIBIT_IPV4 = 'com.docker.network.bridge.inhibit_ipv4';

export interface InternalNetwork {
  name: string;
  id: string;
}

/** Create the run's internal network by exact name (recorded before and after the create call): no egress, no host. */
export async function createInternalNetwork(
  docker: DockerClient,
  journal: RunJournal,
  name: string,
): Promise<InternalNetwork> {
  const existing = await findNetworkByName(docker, name);
  if (existing) throw new NameTakenError('network', name, existing.id);
  await journal.record({ kind: 'network', name, id: null });
  const network = await docker.createNetwork({
    Name: name,
    CheckDuplicate: true,
    Driver: 'bridge',
    Internal: true,
    // An internal bridge still gives the host an address on it (its gateway), and through it a
    // step would reach every host service listening on 0.0.0.0 (seen here, engine 20.10): the
    // bridge gets no IPv4 address at all, so the network holds the containers and nothing else.
    Options: { [INHIBIT_IPV4]: 'true' },
    Labels: labelsOf(journal.runId, 'sut-internal'),
  });
  await journal.record({ kind: 'network', name, id: network.id });
  return { name, id: network.id };
}

/**
 * Attach a running container (the dry-run server) to the internal network under `alias`. It stays
 * on its ordinary network too: that one carries its port published on 127.0.0.1 (a container
 * only on an internal network gets no published port; DESIGN.md, "Networks").
 */
export async function joinInternalNetwork(
  docker: DockerClient,
  network: InternalNetwork,
  containerId: string,
  alias: string = DRY_RUN_DB_ALIAS,
): Promise<void> {
  await docker.getNetwork(network.id).connect({ Container: containerId, EndpointConfig: { Aliases: [alias] } });
}

/** Create the install's output volume by exact name; a volume of that name that is not this run's is refused. */
export async function createInstallVolume(docker: DockerClient, journal: RunJournal, name: string): Promise<string> {
  const existing = await findVolumeByName(docker, name);
  if (existing) throw new NameTakenError('volume', name, existing.id);
  await journal.record({ kind: 'volume', name, id: null });
  await docker.createVolume({ Name: name, Driver: 'local', Labels: labelsOf(journal.runId, 'sut-install-output') });
  // The engine answers a create of an existing name with that volume (made in the meantime): check that it is ours.
  const made = await findVolumeByName(docker, name);
  if (made?.labels[LABEL_RUN_ID] !== journal.runId) throw new NameTakenError('volume', name, made?.id ?? name);
  await journal.record({ kind: 'volume', name, id: made.id });
  return made.id;
}

export interface NetnsHolder {
  name: string;
  id: string;
  /** The NetworkMode of a step container: `container:<holder id>`. */
  networkMode: string;
}

const HOLDER_READY = 'pg-rehearse: network namespace ready';
// Deletes the default route, proves none is left, then sleeps until it is removed.
const HOLDER_SCRIPT = `ip -4 route del default 2>/dev/null; ip -6 route del default 2>/dev/null; if [ -n "$(ip -4 route show default)$(ip -6 route show default 2>/dev/null)" ]; then echo 'a default route survived:' >&2; ip route >&2; exit 1; fi; echo '${HOLDER_READY}'; exec sleep infinity`;
const HOLDER_READY_MS = 15_000;

/**
 * Start the holder of the steps' network namespace: a container of `image` (which must have `ip`:
 * the runner image does) on the internal network only, with CAP_NET_ADMIN and nothing else, that
 * deletes its default route and stays up. Recorded in the journal like every container of the run.
 */
export async function startNetnsHolder(
  docker: DockerClient,
  journal: RunJournal,
  opts: { name: string; image: string; network: InternalNetwork },
): Promise<NetnsHolder> {
  const existing = await findContainerByName(docker, opts.name);
  if (existing) throw new NameTakenError('container', opts.name, existing.id);
  await journal.record({ kind: 'container', name: opts.name, id: null });
  const container = await docker.createContainer({
    name: opts.name,
    Image: opts.image,
    Entrypoint: [],
    Cmd: ['/bin/sh', '-c', HOLDER_SCRIPT],
    Env: [`PATH=${DEFAULT_PATH}`],
    Labels: labelsOf(journal.runId, 'sut-netns-holder'),
    StopSignal: 'SIGTERM',
    HostConfig: {
      NetworkMode: opts.network.name,
      Init: true,
      ReadonlyRootfs: true,
      CapDrop: ['ALL'],
      CapAdd: ['NET_ADMIN'],
      SecurityOpt: ['no-new-privileges'],
    },
  });
  await journal.record({ kind: 'container', name: opts.name, id: container.id });
  await container.start();
  const until = Date.now() + HOLDER_READY_MS;
  for (;;) {
    const log = demuxLogs(await container.logs({ stdout: true, stderr: true }));
    if (log.includes(HOLDER_READY)) break;
    const info = await container.inspect();
    if (!info.State.Running || Date.now() > until) {
      throw new EnvironmentError(
        'E_RUNNER_NETNS',
        `the network holder ${opts.name} did not delete its default route (${info.State.Running ? 'still not ready' : `it exited with ${info.State.ExitCode}`}): ${log.trim() || 'no output'}`,
        {
          hint: 'the steps would have a default route: check that the holder image has `ip` (iproute2), as the runner image of scripts/setup does',
        },
      );
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { name: opts.name, id: container.id, networkMode: `container:${container.id}` };
}

/** The PATH an image declares, else DEFAULT_PATH (the host's PATH means nothing in a container). */
export async function imagePath(docker: DockerClient, image: string): Promise<string> {
  const info = await docker.getImage(image).inspect();
  const path = (info.Config?.Env ?? []).find((e) => e.startsWith('PATH='));
  return path ? path.slice('PATH='.length) : DEFAULT_PATH;
}

export interface CheckoutBind {
  /** The top-level entry's name in the checkout. */
  entry: string;
  /** Host path bound (a symlinked entry: its real target, inside the checkout). */
  source: string;
  /** SUT_MOUNT/<entry>. */
  target: string;
}

export interface CheckoutPlan {
  /** Real path of the checkout on the host. */
  root: string;
  /** The install's output folder, a top-level name (`node_modules`): the install volume is mounted there. */
  output: string;
  binds: CheckoutBind[];
  /** Top-level entries not mounted, and why (a symlink leading out of the checkout, a socket). */
  leftOut: { entry: string; reason: string }[];
  /** The checkout itself has an entry named like the output (an ignored node_modules): the install's output hides it. */
  shadowed: boolean;
}

// One top-level name (`node_modules`, `.venv`, `vendor`): not `.`, `..` or `.git`, no slash.
const OUTPUT_NAME = /^(?!\.{1,2}$)(?!\.git$)[A-Za-z0-9._-]{1,255}$/;

const isInside = (base: string, path: string) => {
  const rel = relative(base, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
};

/** What of the checkout each runner container sees: every top-level entry, read-only, under SUT_MOUNT. */
export async function planCheckoutMounts(
  checkout: string,
  output: string = DEFAULT_INSTALL_OUTPUT,
): Promise<CheckoutPlan> {
  if (!OUTPUT_NAME.test(output)) {
    throw new UsageError(
      `Expected the install output to be a top-level folder name such as \`node_modules\`, got \`${output}\``,
    );
  }
  let root: string;
  try {
    root = await realpath(checkout);
  } catch (err) {
    throw new UsageError(`the system under test's checkout \`${checkout}\` cannot be read: ${messageOf(err)}`, {
      cause: err,
    });
  }
  const plan: CheckoutPlan = { root, output, binds: [], leftOut: [], shadowed: false };
  const entries = (await readdir(root, { withFileTypes: true })).sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
  for (const e of entries) {
    if (e.name === output) {
      plan.shadowed = true;
      continue;
    }
    const path = join(root, e.name);
    const target = `${SUT_MOUNT}/${e.name}`;
    if (e.isSymbolicLink()) {
      // The engine would follow a bound symlink on the host: bind its target only when it stays inside.
      let real: string;
      try {
        real = await realpath(path);
      } catch {
        plan.leftOut.push({ entry: e.name, reason: 'a dangling symlink' });
        continue;
      }
      if (!isInside(root, real)) {
        plan.leftOut.push({ entry: e.name, reason: `a symlink leading out of the checkout (to ${real})` });
        continue;
      }
      plan.binds.push({ entry: e.name, source: real, target });
    } else if (e.isDirectory() || e.isFile()) {
      plan.binds.push({ entry: e.name, source: path, target });
    } else {
      plan.leftOut.push({ entry: e.name, reason: 'neither a file nor a folder' });
    }
  }
  return plan;
}

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
export async function runRunnerContainer(
  docker: DockerClient,
  journal: RunJournal,
  spec: RunnerContainerSpec,
  opts: RunnerContainerOptions,
): Promise<RunnerContainerRun> {
  const existing = await findContainerByName(docker, spec.name);
  if (existing) throw new NameTakenError('container', spec.name, existing.id);

  const mounts = [
    ...spec.checkout.binds.map((b) => ({ Type: 'bind' as const, Source: b.source, Target: b.target, ReadOnly: true })),
    // The image has nothing at the target, so the engine copies nothing into the volume.
    {
      Type: 'volume' as const,
      Source: spec.installVolume,
      Target: `${SUT_MOUNT}/${spec.checkout.output}`,
      ReadOnly: !spec.installWritable,
    },
    ...(spec.secretEnvFile
      ? [{ Type: 'bind' as const, Source: spec.secretEnvFile, Target: SECRET_ENV_MOUNT, ReadOnly: true }]
      : []),
    ...(spec.extraFiles ?? []).map((f) => ({
      Type: 'bind' as const,
      Source: f.source,
      Target: f.target,
      ReadOnly: true,
    })),
  ];

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
      Labels: labelsOf(journal.runId, spec.purpose),
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

  const t0 = Date.now();
  let timedOut = false;
  let canceled = false;
  let sent: string | null = null;
  let grace: NodeJS.Timeout | undefined;
  const kill = (signal: 'SIGTERM' | 'SIGKILL') => {
    sent = signal;
    container.kill({ signal }).catch(() => {
      // 409/404: it has already ended
    });
  };
  const stop = () => {
    if (grace !== undefined) return;
    kill('SIGTERM');
    grace = setTimeout(() => kill('SIGKILL'), opts.graceMs ?? KILL_GRACE_MS);
  };
  const onAbort = () => {
    canceled = true;
    stop();
  };
  let timer: NodeJS.Timeout | undefined;
  let statusCode: number | null = null;
  let removed = false;
  try {
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
      throw new EnvironmentError(
        'E_RUNNER_START',
        `the runner container ${spec.name} did not start: ${messageOf(err)}`,
        { cause: err },
      );
    }
    timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, opts.timeoutMs);
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    if (opts.signal?.aborted) onAbort();
    try {
      const result = (await container.wait()) as { StatusCode: number };
      statusCode = result.StatusCode;
    } catch (err) {
      throw new EnvironmentError(
        'E_RUNNER_WAIT',
        `the engine lost the runner container ${spec.name} while it ran: ${messageOf(err)}`,
        { cause: err },
      );
    }
    // The output may trail the exit a little; never wait on it for ever.
    let late: NodeJS.Timeout | undefined;
    await Promise.race([ended, new Promise((r) => (late = setTimeout(r, STREAM_END_MS)))]);
    clearTimeout(late);
  } finally {
    clearTimeout(timer);
    clearTimeout(grace);
    opts.signal?.removeEventListener('abort', onAbort);
    try {
      await container.remove({ force: true, v: true });
      removed = true;
    } catch (err) {
      removed = isNotFoundError(err);
      // Left for teardown, which removes it by its journal record: never hides the step's result.
    }
  }
  const ms = Date.now() - t0;
  const byUs = sent !== null && statusCode !== null && statusCode > 128 ? signalName(statusCode) : null;
  return { name: spec.name, id: container.id, statusCode, signal: byUs, timedOut, canceled, removed, ms };
}
