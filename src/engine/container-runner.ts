// The container runner of one rehearsal (`sut.runner: container`): its internal network (the
// dry-run server joins it by its alias), the holder of the steps' network namespace, the install's
// output volume, and what of the checkout each runner container sees.
import type { CheckoutPlan } from './checkout-mounts.js';
import { DEFAULT_INSTALL_OUTPUT, planCheckoutMounts } from './checkout-mounts.js';
import type { DockerClient } from './docker-client.js';
import { createInstallVolume } from './install-volume.js';
import { DRY_RUN_DB_ALIAS, DRY_RUN_DB_PORT, RUNNER_HOME } from './labels.js';
import type { RunJournal } from './run-journal.js';
import { defaultRunnerImage, imagePath } from './runner-image.js';
import { runnerNames, type RunnerNames } from './runner-names.js';
import {
  createInternalNetwork,
  joinInternalNetwork,
  startNetnsHolder,
  type InternalNetwork,
  type NetnsHolder,
} from './runner-network.js';

/** The runner of one rehearsal: its internal network, the install's volume, what of the checkout is mounted. */
export interface ContainerRunner {
  image: string;
  names: RunnerNames;
  network: InternalNetwork;
  /** Every step shares its network namespace: the internal network, its default route deleted. */
  holder: NetnsHolder;
  installVolume: string;
  checkout: CheckoutPlan;
  /** The image's PATH: the host's means nothing in a container. */
  path: string;
  /** The run's 0700 folder: each step's secret variables live there, 0600, for the step's life. */
  secretDir: string;
  /** `uid:gid` the steps run as: this process's own, so the 0600 file is readable with every capability dropped. */
  user: string;
  /** Steps run so far (names the next step's container). */
  steps: number;
}

export interface ContainerRunnerSpec {
  /** The environment's exact name (the dry-run container's): the runner's names derive from it. */
  envName: string;
  image: string;
  /** The system under test's checkout on the host (at the accepted commit, clean). */
  checkout: string;
  /** Top-level folder the install writes (default node_modules); the install volume is mounted there. */
  output?: string | undefined;
  /** The dry-run server's container (a physical copy's: its netns holder): it joins the internal network as DRY_RUN_DB_ALIAS. */
  dryRunContainerId: string;
  secretDir: string;
  /** Image of the network holder: it needs `ip`; default: the local runner image (scripts/setup builds it). */
  holderImage?: string | undefined;
}

/**
 * Create the internal network (the dry-run server joins it by its alias, the network holder deletes
 * its default route) and the install volume; plan the checkout's mounts. All recorded in the journal.
 */
export async function prepareContainerRunner(
  docker: DockerClient,
  journal: RunJournal,
  spec: ContainerRunnerSpec,
): Promise<ContainerRunner> {
  const names = runnerNames(spec.envName);
  const checkout = await planCheckoutMounts(spec.checkout, spec.output ?? DEFAULT_INSTALL_OUTPUT);
  const path = await imagePath(docker, spec.image);
  const network = await createInternalNetwork(docker, journal, names.internalNetwork);
  await joinInternalNetwork(docker, network, spec.dryRunContainerId, DRY_RUN_DB_ALIAS);
  const holder = await startNetnsHolder(docker, journal, {
    name: names.holder,
    image: spec.holderImage ?? defaultRunnerImage(),
    network,
  });
  const installVolume = await createInstallVolume(docker, journal, names.installVolume);
  const uid = process.getuid?.() ?? 0;
  const gid = process.getgid?.() ?? 0;
  return {
    image: spec.image,
    names,
    network,
    holder,
    installVolume,
    checkout,
    path,
    secretDir: spec.secretDir,
    user: `${uid}:${gid}`,
    steps: 0,
  };
}

/** The dry-run target as a step container reaches it: the alias on the internal network, the server's own port. */
export function inContainer<T extends { host: string; port: number }>(target: T): T {
  return { ...target, host: DRY_RUN_DB_ALIAS, port: DRY_RUN_DB_PORT };
}

const READ_ONLY_WRITE = /\bEROFS\b|read-only file system/i;

/**
 * A note for the report when a step's stderr shows a write refused by a read-only file system: in
 * container mode the checkout (and the install's output) is mounted read-only, so a step that
 * writes into it fails, and this says why. Null when stderr shows no such write.
 */
export function readOnlyWriteNote(run: { stderr: string }): string | null {
  const line = run.stderr.split(/\r?\n/).find((l) => READ_ONLY_WRITE.test(l));
  if (!line) return null;
  return `the step tried to write where the container runner allows no write (${line.trim().slice(0, 200)}): the checkout at the accepted commit and the install's output are mounted read-only; only ${RUNNER_HOME} (HOME) is writable`;
}
