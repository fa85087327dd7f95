// Exact-named dry-run environments: a network and a PostgreSQL container, labelled with the run
// id, the port published on 127.0.0.1 only, the password handed over in a read-only 0600 file.
import type { ContainerCreateOptions } from 'dockerode';
import { NameTakenError, UsageError, EnvironmentError } from '../errors.js';
import { demuxLogs } from './container-logs.js';
import type { DockerClient } from './docker-client.js';
import { inspectByName, type Inspected } from './inspect-by-name.js';
import { startNetnsHolder, type NetnsHolder } from './netns-holder.js';
import { INITDB_DIR, LABEL_PURPOSE, LABEL_RUN_ID, PASSWORD_MOUNT_PATH, TOOL_ROLE } from './labels.js';
import { PREPARE_SCRIPT_MOUNT, PREPARE_SQL_MOUNT } from './physical-prepare.js';
import type { RunJournal } from './run-journal.js';

export interface EnvironmentNames {
  container: string;
  network: string;
}

// Docker's own rule for names, kept short enough for the network suffix.
const NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,58}$/;

/** The exact names of an environment called `name`: the container is `name`, its network `name-net`. */
export function environmentNames(name: string): EnvironmentNames {
  if (!NAME_PATTERN.test(name)) {
    throw new UsageError(
      `Expected \`--name\` to be 1-59 characters of [a-zA-Z0-9_.-] starting with a letter or digit, got \`${name}\``,
    );
  }
  return { container: name, network: `${name}-net` };
}

/** The container with exactly this name, or null. */
export async function findContainerByName(docker: DockerClient, name: string): Promise<Inspected<'container'> | null> {
  return inspectByName(docker, 'container', name);
}

/** The network with exactly this name, or null. */
export async function findNetworkByName(docker: DockerClient, name: string): Promise<Inspected<'network'> | null> {
  return inspectByName(docker, 'network', name);
}

/** Refuse, never adopt: any existing resource with one of the exact names stops everything. */
export async function assertNamesFree(docker: DockerClient, names: EnvironmentNames): Promise<void> {
  const container = await findContainerByName(docker, names.container);
  if (container) throw new NameTakenError('container', names.container, container.id);
  const network = await findNetworkByName(docker, names.network);
  if (network) throw new NameTakenError('network', names.network, network.id);
}

export interface EnvironmentSpec {
  names: EnvironmentNames;
  image: string;
  /** Host path of the 0600 file holding the tool role's password. */
  passwordFile: string;
  database: string;
  /** Host folder mounted read-only as the image's init-script folder. */
  initDir?: string;
  /** Server settings passed as `-c key=value`. */
  settings?: Record<string, string> | undefined;
  /** A physical copy: the container runs its prepare script (which holds the settings), after `beforeStart` has sent the copy in. */
  physical?: PhysicalStart | undefined;
}

export interface PhysicalStart {
  /** Host path of the prepare script (physical-prepare.ts), bound read-only. */
  scriptFile: string;
  /** Host path of its SQL, a 0600 file holding the per-run passwords, bound read-only. */
  sqlFile: string;
  /** Work on the created container before it starts: sending the copy's data in. */
  beforeStart(containerId: string): Promise<void>;
  /** Image of the holder of the copy's network namespace: it needs `ip` (the local runner image has it). */
  netnsImage: string;
}

/** The holder of a physical copy's network namespace (default route deleted, port published): `<container>-netns`. */
export function copyNetnsName(container: string): string {
  return `${container}-netns`;
}

export interface Environment {
  runId: string;
  names: EnvironmentNames;
  containerId: string;
  networkId: string;
  /** A physical copy's server runs in this holder's network namespace (no default route); null otherwise. */
  netnsHolderId: string | null;
  image: string;
  host: '127.0.0.1';
  port: number;
  user: string;
  database: string;
  createdAt: Date;
  startedAt: Date;
}

/** Create the network and container by exact name, recording each before and after its create call, then start it. */
export async function createEnvironment(
  docker: DockerClient,
  journal: RunJournal,
  spec: EnvironmentSpec,
  signal?: AbortSignal,
): Promise<Environment> {
  const labels = { [LABEL_RUN_ID]: journal.runId, [LABEL_PURPOSE]: 'dry-run' };
  const { names, physical } = spec;

  await journal.record({ kind: 'network', name: names.network, id: null });
  const network = await docker.createNetwork({
    Name: names.network,
    CheckDuplicate: true,
    Driver: 'bridge',
    Labels: labels,
  });
  await journal.record({ kind: 'network', name: names.network, id: network.id });
  signal?.throwIfAborted();

  // A physical copy carries production's configuration and catalog: its server shares the network
  // namespace of a holder that deleted the default route and publishes the port (netns-holder.ts).
  const holder = physical
    ? await startNetnsHolder(docker, journal, {
        name: copyNetnsName(names.container),
        image: physical.netnsImage,
        network: { name: names.network },
        publish: 5432,
        purpose: 'dry-run-netns',
      })
    : null;
  signal?.throwIfAborted();

  await journal.record({ kind: 'container', name: names.container, id: null });
  const createdAt = new Date();
  const container = await docker.createContainer(containerConfig(spec, labels, holder));
  await journal.record({ kind: 'container', name: names.container, id: container.id });
  signal?.throwIfAborted();
  if (physical) {
    await physical.beforeStart(container.id);
    signal?.throwIfAborted();
  }

  await container.start();
  const info = await container.inspect();
  // The port is published by whoever owns the network namespace.
  const publisher = holder ? await docker.getContainer(holder.id).inspect() : info;
  const binding = publisher.NetworkSettings.Ports?.['5432/tcp']?.[0];
  if (!binding || binding.HostIp !== '127.0.0.1') {
    throw new EnvironmentError(
      'E_PORT',
      `the engine published no 127.0.0.1 port for ${holder?.name ?? names.container} (got ${JSON.stringify(binding ?? null)})`,
    );
  }
  return {
    runId: journal.runId,
    names,
    containerId: container.id,
    networkId: network.id,
    netnsHolderId: holder?.id ?? null,
    image: spec.image,
    host: '127.0.0.1',
    port: Number(binding.HostPort),
    user: TOOL_ROLE,
    database: spec.database,
    createdAt,
    startedAt: new Date(info.State.StartedAt),
  };
}

/** The server container's create options: the image's entrypoint with `-c` settings, or a physical copy's prepare script in its holder's namespace. */
function containerConfig(
  spec: EnvironmentSpec,
  labels: Record<string, string>,
  holder: NetnsHolder | null,
): ContainerCreateOptions {
  const binds = [`${spec.passwordFile}:${PASSWORD_MOUNT_PATH}:ro`];
  if (spec.initDir) binds.push(`${spec.initDir}:${INITDB_DIR}:ro`);
  const { physical } = spec;
  if (physical)
    binds.push(`${physical.scriptFile}:${PREPARE_SCRIPT_MOUNT}:ro`, `${physical.sqlFile}:${PREPARE_SQL_MOUNT}:ro`);
  const cmd = physical ? [PREPARE_SCRIPT_MOUNT] : ['postgres'];
  if (!physical) for (const [key, value] of Object.entries(spec.settings ?? {})) cmd.push('-c', `${key}=${value}`);
  return {
    name: spec.names.container,
    Image: spec.image,
    ...(physical ? { Entrypoint: ['bash'] } : {}),
    Cmd: cmd,
    Labels: labels,
    Env: [
      `POSTGRES_PASSWORD_FILE=${PASSWORD_MOUNT_PATH}`,
      `POSTGRES_USER=${TOOL_ROLE}`,
      `POSTGRES_DB=${spec.database}`,
    ],
    ...(holder ? {} : { ExposedPorts: { '5432/tcp': {} } }),
    // `docker import` cannot set STOPSIGNAL; PostgreSQL's fast shutdown is SIGINT.
    StopSignal: 'SIGINT',
    HostConfig: holder
      ? { NetworkMode: holder.networkMode, Binds: binds }
      : {
          NetworkMode: spec.names.network,
          PortBindings: { '5432/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] },
          Binds: binds,
        },
  };
}

/** Whether the container is still running, and its last log lines when it is not. */
export async function containerHealth(
  docker: DockerClient,
  id: string,
): Promise<{ running: boolean; exitCode: number; logTail: string }> {
  const container = docker.getContainer(id);
  const info = await container.inspect();
  if (info.State.Running) return { running: true, exitCode: 0, logTail: '' };
  const logs = await container.logs({ stdout: true, stderr: true, tail: 20 });
  return { running: false, exitCode: info.State.ExitCode, logTail: demuxLogs(logs) };
}
