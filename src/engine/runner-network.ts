// The run's internal network (`docker network create --internal`) and the holder of the steps'
// network namespace. Engine 20.10 gives a container on an internal network a default route all
// the same (via the bridge's gateway), and the host an address on that bridge, through which every
// host service listening on 0.0.0.0 answers (both seen here). So the network is created with no
// host address (INHIBIT_IPV4), and the steps share the network namespace of one holder container
// per run, which deleted that default route (it alone has CAP_NET_ADMIN, and runs nothing of the
// system under test): a step has a route to the internal subnet and to nothing else.
import { EnvironmentError, NameTakenError } from '../errors.js';
import type { DockerClient } from './docker-client.js';
import { demuxLogs, findContainerByName, findNetworkByName } from './environment.js';
import { DRY_RUN_DB_ALIAS, runnerLabels } from './labels.js';
import type { RunJournal } from './run-journal.js';
import { DEFAULT_PATH } from './runner-image.js';

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
    Labels: runnerLabels(journal.runId, 'sut-internal'),
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
    Labels: runnerLabels(journal.runId, 'sut-netns-holder'),
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
