// The holder of a network namespace with no default route. Engine 20.10 gives every container a
// default route, even on an internal network; a holder container alone has CAP_NET_ADMIN, deletes
// that route, proves none is left and sleeps, and the containers that must reach nothing (the
// steps of the system under test, a physical copy's server) join its namespace: they keep the
// route to their network's own subnet and nothing else. It runs nothing of the system under test
// or of production.
import { EnvironmentError, NameTakenError } from '../errors.js';
import { demuxLogs } from './container-logs.js';
import type { DockerClient } from './docker-client.js';
import { inspectByName } from './inspect-by-name.js';
import { runnerLabels } from './labels.js';
import type { RunJournal } from './run-journal.js';
import { DEFAULT_PATH } from './runner-image.js';

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

export interface NetnsHolderSpec {
  name: string;
  /** It must have `ip`: the runner image does. */
  image: string;
  /** The network it sits on (the steps' internal one, or a physical copy's own bridge). */
  network: { name: string };
  /** A TCP port of the namespace published on 127.0.0.1 (a physical copy's server listens behind it). */
  publish?: number | undefined;
  purpose?: 'sut-netns-holder' | 'dry-run-netns';
}

/**
 * Start the holder of a network namespace: a container of `image` on one network, with
 * CAP_NET_ADMIN and nothing else, that deletes its default route and stays up; the steps (or a
 * physical copy's server) join its namespace and run with no route but to that network's own
 * subnet. Recorded in the journal like every container of the run.
 */
export async function startNetnsHolder(
  docker: DockerClient,
  journal: RunJournal,
  opts: NetnsHolderSpec,
): Promise<NetnsHolder> {
  const existing = await inspectByName(docker, 'container', opts.name);
  if (existing) throw new NameTakenError('container', opts.name, existing.id);
  await journal.record({ kind: 'container', name: opts.name, id: null });
  const container = await docker.createContainer({
    name: opts.name,
    Image: opts.image,
    Entrypoint: [],
    Cmd: ['/bin/sh', '-c', HOLDER_SCRIPT],
    Env: [`PATH=${DEFAULT_PATH}`],
    Labels: runnerLabels(journal.runId, opts.purpose ?? 'sut-netns-holder'),
    StopSignal: 'SIGTERM',
    ...(opts.publish ? { ExposedPorts: { [`${opts.publish}/tcp`]: {} } } : {}),
    HostConfig: {
      NetworkMode: opts.network.name,
      ...(opts.publish ? { PortBindings: { [`${opts.publish}/tcp`]: [{ HostIp: '127.0.0.1', HostPort: '' }] } } : {}),
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

/** The container whose network namespace `containerId` runs in, as the engine shows it (`NetworkMode: container:<id>`); null when it has its own. */
export async function namespaceHolderOf(
  docker: DockerClient,
  containerId: string,
): Promise<{ id: string; name: string } | null> {
  const mode = (await docker.getContainer(containerId).inspect()).HostConfig.NetworkMode ?? '';
  if (!mode.startsWith('container:')) return null;
  const holder = await docker.getContainer(mode.slice('container:'.length)).inspect();
  return { id: holder.Id, name: holder.Name.replace(/^\//, '') };
}
