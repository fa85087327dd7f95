// Containers of the demo and of tests that stand in for production and protected environments.
// They carry their own label, never io.pg-rehearse.run-id: a rehearsal must treat them as
// things it does not own. They are removed by exact name, and only when they carry that label.
import { findContainerByName } from './environment.js';
import type { DockerClient } from './docker-client.js';
import { PASSWORD_MOUNT_PATH, INITDB_DIR } from './labels.js';
import { identityOf, isAlive } from './owner-process.js';

export const LABEL_SIDE = 'io.pg-rehearse.side';
/** pid:start-ticks of the process that started it, so a second demo never removes a live one's containers. */
export const LABEL_SIDE_OWNER = 'io.pg-rehearse.side-owner';

function ownerLabel(): string {
  const me = identityOf(process.pid);
  return `${me.pid}:${me.startTicks ?? ''}`;
}

/** Whether the process that started a side container is still alive (an unreadable label counts as gone). */
export function sideOwnerAlive(label: string | undefined): boolean {
  const m = /^(\d+):(\d*)$/.exec(label ?? '');
  if (!m) return false;
  return isAlive({ pid: Number(m[1]), startTicks: m[2] || null });
}

export interface SideServerSpec {
  name: string;
  image: string;
  /** What the container stands for (production, protected): the label's value. */
  role: string;
  passwordFile: string;
  database: string;
  initDir?: string | undefined;
}

/** Start a PostgreSQL container by exact name, port on 127.0.0.1; returns its id and port. */
export async function startSideServer(
  docker: DockerClient,
  spec: SideServerSpec,
): Promise<{ id: string; port: number }> {
  const binds = [`${spec.passwordFile}:${PASSWORD_MOUNT_PATH}:ro`];
  if (spec.initDir) binds.push(`${spec.initDir}:${INITDB_DIR}:ro`);
  const c = await docker.createContainer({
    name: spec.name,
    Image: spec.image,
    Labels: { [LABEL_SIDE]: spec.role, [LABEL_SIDE_OWNER]: ownerLabel() },
    Env: [`POSTGRES_PASSWORD_FILE=${PASSWORD_MOUNT_PATH}`, 'POSTGRES_USER=postgres', `POSTGRES_DB=${spec.database}`],
    ExposedPorts: { '5432/tcp': {} },
    StopSignal: 'SIGINT',
    HostConfig: { PortBindings: { '5432/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] }, Binds: binds },
  });
  await c.start();
  const info = await c.inspect();
  return { id: info.Id, port: Number(info.NetworkSettings.Ports['5432/tcp']![0]!.HostPort) };
}

/**
 * Remove a side container by exact name, only when it carries the side label; refuse anything
 * else. With `staleOnly`, one whose owner process is alive (another demo running) is refused too.
 */
export async function removeSideServer(
  docker: DockerClient,
  name: string,
  opts: { staleOnly?: boolean } = {},
): Promise<boolean> {
  const found = await findContainerByName(docker, name);
  if (!found) return false;
  if (!found.labels[LABEL_SIDE])
    throw new Error(`a container named ${name} exists without the ${LABEL_SIDE} label: refusing to touch it`);
  if (opts.staleOnly && sideOwnerAlive(found.labels[LABEL_SIDE_OWNER])) {
    throw new Error(
      `${name} belongs to a demo that is still running (process ${found.labels[LABEL_SIDE_OWNER]?.split(':')[0]}): wait for it to end`,
    );
  }
  await docker.getContainer(found.id).remove({ force: true });
  return true;
}

/** Restart a side container (tests of a production restarted during a run). */
export async function restartSideServer(docker: DockerClient, name: string): Promise<void> {
  const found = await findContainerByName(docker, name);
  if (!found?.labels[LABEL_SIDE]) throw new Error(`no side container ${name}`);
  await docker.getContainer(found.id).restart({ t: 5 });
}
