// The engine's side of a step of the system under test in a container: where its folder is in the
// container, and one command in a fresh runner container, its secret variables handed over in a
// 0600 file recorded as a secret of the run and shredded when it ends (never argv, never the
// container's config). What a step did (its StepRun) is built by src/scenario over this.
import { stat } from 'node:fs/promises';
import { join, posix, relative, sep } from 'node:path';
import type { DockerClient } from './docker-client.js';
import { readOnlyWriteNote, inContainer, type ContainerRunner } from './container-runner.js';
import { INSTALL_CA_MOUNT, PASS_FILE_MOUNT, RUNNER_HOME, SUT_MOUNT } from './labels.js';
import type { RunJournal } from './run-journal.js';
import {
  runRunnerContainer,
  secretEnvFile,
  type RunnerContainerOptions,
  type RunnerContainerRun,
} from './runner-container.js';
import { shredFile, writeSecretFile } from './secret-file.js';

export interface RunnerInstallCommand {
  /** argv of the install (`npm ci`); it runs in SUT_MOUNT. */
  argv: string[];
  /** The network it is attached to: an ordinary one (the run's `<env>-net`), so it reaches the package registries. */
  network: string;
  /**
   * How this machine reaches its package registry, passed on to the install container only: the
   * registry's address (npm_config_registry) and a CA bundle the registry's certificate needs.
   */
  registry?: { url: string | null; caFile: string | null } | undefined;
}

export interface RunnerStepCommand {
  argv: string[];
  /** The container folder it starts in (from `folder`). */
  workdir: string;
  /** Its secret variables (its role's DSN, libpq's, its own): a 0600 file, sourced before the command. */
  secretEnv: Record<string, string>;
  /** Host path of its 0600 password file, bound read-only at PASS_FILE_MOUNT; null when none. */
  passFile: string | null;
}

/** The runner's steps as src/scenario drives them. */
export interface RunnerSteps {
  /** Real path of the checkout on the host: a step's cwd is resolved in it. */
  readonly checkoutRoot: string;
  /** The checkout's root in a runner container. */
  readonly mount: string;
  /** Where a step finds its password file (PGPASSFILE). */
  readonly passFileMount: string;
  /** Where a step's password file is written on the host, each file recorded as a secret of the run first. */
  readonly passFiles: { dir: string; record: (path: string) => Promise<void> };
  /** Where a step whose cwd resolved to `hostPath` starts in its container, or why it cannot start there. */
  folder(cwd: string, hostPath: string): Promise<{ path: string } | { reason: string }>;
  /** The dry-run target as a step container reaches it. */
  reach<T extends { host: string; port: number }>(target: T): T;
  /** Why a failed step may have failed in a container (a write refused by a read-only mount), or null. */
  failureNote(stderr: string): string | null;
  /** Run the install once: the checkout read-only, its output volume writable, no database credentials. */
  install(cmd: RunnerInstallCommand, opts: RunnerContainerOptions): Promise<RunnerContainerRun>;
  /** Run one step's command in a new container on the internal network only. */
  step(cmd: RunnerStepCommand, opts: RunnerContainerOptions): Promise<RunnerContainerRun>;
}

/** Where a step starts in its container: its folder in the checkout, or why it cannot start there. */
async function containerFolder(
  plan: ContainerRunner['checkout'],
  cwd: string,
  host: string,
): Promise<{ path: string } | { reason: string }> {
  const rel = relative(plan.root, host).split(sep).join(posix.sep);
  const first = rel.split('/')[0] ?? '';
  const left = plan.leftOut.find((l) => l.entry === first);
  if (left) return { reason: `the step's cwd \`${cwd}\` is not mounted in the container: ${left.reason}` };
  if (first !== plan.output) {
    const st = await stat(host).catch(() => null);
    if (!st?.isDirectory())
      return { reason: `the step's cwd \`${cwd}\` is not a folder of the checkout (${host}: ENOENT)` };
  }
  return { path: rel === '' ? SUT_MOUNT : `${SUT_MOUNT}/${rel}` };
}

async function installInContainer(
  docker: DockerClient,
  journal: RunJournal,
  runner: ContainerRunner,
  cmd: RunnerInstallCommand,
  opts: RunnerContainerOptions,
): Promise<RunnerContainerRun> {
  const { registry } = cmd;
  const spec = {
    name: runner.names.installContainer,
    image: runner.image,
    purpose: 'sut-install' as const,
    argv: cmd.argv,
    workdir: SUT_MOUNT,
    env: {
      PATH: runner.path,
      HOME: RUNNER_HOME,
      LANG: 'C.UTF-8',
      ...(registry?.url ? { npm_config_registry: registry.url } : {}),
      ...(registry?.caFile ? { NODE_EXTRA_CA_CERTS: INSTALL_CA_MOUNT } : {}),
    },
    network: cmd.network,
    checkout: runner.checkout,
    installVolume: runner.installVolume,
    installWritable: true,
    dropCapabilities: false,
    extraFiles: registry?.caFile ? [{ source: registry.caFile, target: INSTALL_CA_MOUNT }] : [],
  };
  return runRunnerContainer(docker, journal, spec, opts);
}

async function stepInContainer(
  docker: DockerClient,
  journal: RunJournal,
  runner: ContainerRunner,
  cmd: RunnerStepCommand,
  opts: RunnerContainerOptions,
): Promise<RunnerContainerRun> {
  runner.steps += 1;
  const name = runner.names.step(runner.steps);
  const envFile = join(runner.secretDir, `${name}.env`);
  try {
    await journal.recordSecret(envFile);
    await writeSecretFile(envFile, secretEnvFile(cmd.secretEnv));
    const spec = {
      name,
      image: runner.image,
      purpose: 'sut-step' as const,
      argv: cmd.argv,
      workdir: cmd.workdir,
      env: { PATH: runner.path, HOME: RUNNER_HOME, LANG: 'C.UTF-8' },
      secretEnvFile: envFile,
      network: runner.holder.networkMode,
      checkout: runner.checkout,
      installVolume: runner.installVolume,
      installWritable: false,
      user: runner.user,
      dropCapabilities: true,
      extraFiles: cmd.passFile ? [{ source: cmd.passFile, target: PASS_FILE_MOUNT }] : [],
    };
    return await runRunnerContainer(docker, journal, spec, opts);
  } finally {
    // Teardown shreds it too (it is recorded): this only shortens its life.
    await shredFile(envFile);
  }
}

/** The steps of `runner`, run through `docker` and recorded in `journal`. */
export function runnerSteps(docker: DockerClient, journal: RunJournal, runner: ContainerRunner): RunnerSteps {
  return {
    checkoutRoot: runner.checkout.root,
    mount: SUT_MOUNT,
    passFileMount: PASS_FILE_MOUNT,
    passFiles: { dir: runner.secretDir, record: (p) => journal.recordSecret(p) },
    folder: (cwd, hostPath) => containerFolder(runner.checkout, cwd, hostPath),
    reach: inContainer,
    failureNote: (stderr) => readOnlyWriteNote({ stderr }),
    install: (cmd, opts) => installInContainer(docker, journal, runner, cmd, opts),
    step: (cmd, opts) => stepInContainer(docker, journal, runner, cmd, opts),
  };
}
