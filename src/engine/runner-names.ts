// The exact names and labels of the container runner's resources (`sut.runner: container`).
import { NameTakenError } from '../errors.js';
import type { DockerClient } from './docker-client.js';
import { environmentNames, findContainerByName, findNetworkByName } from './environment.js';
import { findVolumeByName } from './install-volume.js';

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
