// The run's internal network (`docker network create --internal`) and the holder of the steps'
// network namespace. Engine 20.10 gives a container on an internal network a default route all
// the same (via the bridge's gateway), and the host an address on that bridge, through which every
// host service listening on 0.0.0.0 answers (both seen here). So the network is created with no
// host address (INHIBIT_IPV4), and the steps share the network namespace of one holder container
// per run, which deleted that default route (it alone has CAP_NET_ADMIN, and runs nothing of the
// system under test): a step has a route to the internal subnet and to nothing else.
import { NameTakenError } from '../errors.js';
import type { DockerClient } from './docker-client.js';
import { findNetworkByName } from './environment.js';
import { DRY_RUN_DB_ALIAS, runnerLabels } from './labels.js';
import type { RunJournal } from './run-journal.js';

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

export { startNetnsHolder, type NetnsHolder } from './netns-holder.js';
