// Runs the system under test in containers (`sut.runner: container`): the install step once, in
// an install container that may reach the package registries and holds no database credentials;
// then each step in an ephemeral container on the run's internal network only, with the checkout
// read-only. A step's result is the same StepRun as runStep's, built by the same rules: an
// environment of nothing but PATH, HOME, LANG, its role's DSN, libpq's variables (PGHOST and
// the DSN name the dry-run server by its alias on the internal network; PGPASSFILE a read-only
// bind of a 0600 file) and its own variables, output kept to its first MiB per stream, nothing
// retried or masked.
import { stat } from 'node:fs/promises';
import { join, posix, relative, sep } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Step } from '../config/scenario.js';
import {
  createInstallVolume,
  createInternalNetwork,
  DEFAULT_INSTALL_OUTPUT,
  DRY_RUN_DB_ALIAS,
  DRY_RUN_DB_PORT,
  defaultRunnerImage,
  imagePath,
  joinInternalNetwork,
  planCheckoutMounts,
  RUNNER_HOME,
  runnerNames,
  runRunnerContainer,
  secretEnvFile,
  shredFile,
  startNetnsHolder,
  SUT_MOUNT,
  writeSecretFile,
  type CheckoutPlan,
  type DockerClient,
  type InternalNetwork,
  type NetnsHolder,
  type RunJournal,
  type RunnerContainerRun,
  type RunnerNames,
} from '../engine/index.js';
import type { PgTarget } from '../pg/index.js';
import { libpqConnection, libpqVariables, writePassFile } from './libpq-env.js';
import { Capture, MAX_OUTPUT_BYTES, stepCwd, type StepRun } from './step-runner.js';

/** Where a step container finds its password file (PGPASSFILE): a read-only bind of the 0600 file. */
export const PASS_FILE_MOUNT = '/run/pg-rehearse/pgpass';

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
  /** The dry-run server's container: it joins the internal network as DRY_RUN_DB_ALIAS. */
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
export function inContainer(target: PgTarget): PgTarget {
  return { ...target, host: DRY_RUN_DB_ALIAS, port: DRY_RUN_DB_PORT };
}

function notStarted(
  argv: string[],
  cwd: string,
  role: string,
  startedAt: string,
  reason: string,
  canceled = false,
): StepRun {
  return {
    argv: [...argv],
    cwd,
    role,
    exitCode: null,
    signal: null,
    timedOut: false,
    canceled,
    stdout: '',
    stderr: `pg-rehearse: the command could not start: ${reason}\n`,
    bytes: { stdout: 0, stderr: 0 },
    truncated: { stdout: false, stderr: false },
    ms: 0,
    startedAt,
  };
}

function toStepRun(
  argv: string[],
  cwd: string,
  role: string,
  startedAt: string,
  t0: number,
  run: RunnerContainerRun,
  out: Capture,
  err: Capture,
): StepRun {
  // A signal we sent (timeout, cancel) ends it with no exit code, as runStep reports a killed process.
  const exitCode = run.signal !== null ? null : run.statusCode;
  return {
    argv: [...argv],
    cwd,
    role,
    exitCode,
    signal: run.signal,
    timedOut: run.timedOut,
    canceled: run.canceled,
    stdout: out.text(),
    stderr: err.text(),
    bytes: { stdout: out.total, stderr: err.total },
    truncated: { stdout: out.truncated, stderr: err.truncated },
    ms: Math.round(performance.now() - t0),
    startedAt,
  };
}

/** Where a step starts in its container: its folder in the checkout, or why it cannot start there. */
async function containerCwd(plan: CheckoutPlan, cwd: string): Promise<{ path: string } | { reason: string }> {
  const host = await stepCwd(plan.root, cwd); // a cwd leading out of the checkout: UsageError, as in runStep
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

export interface InstallOptions {
  /** argv of the install (`npm ci`); it runs in SUT_MOUNT. */
  argv: string[];
  /** The network it is attached to: an ordinary one (the run's `<env>-net`), so it reaches the package registries. */
  network: string;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  now?: () => Date;
  /**
   * How this machine reaches its package registry, passed on to the install container only: the
   * registry's address (npm_config_registry) and a CA bundle the registry's certificate needs.
   */
  registry?: { url: string | null; caFile: string | null } | undefined;
}

/** Where the install container finds the host's CA bundle (NODE_EXTRA_CA_CERTS points there). */
export const INSTALL_CA_MOUNT = '/etc/pg-rehearse/registry-ca.pem';

/**
 * Run the install once, in the install container: the checkout read-only, its output volume
 * writable, no database credentials (its environment is PATH, HOME and LANG only). Never throws for
 * the command's sake; `role` is `install` in the StepRun.
 */
export async function runContainerInstall(
  docker: DockerClient,
  journal: RunJournal,
  runner: ContainerRunner,
  opts: InstallOptions,
): Promise<StepRun> {
  const startedAt = (opts.now ?? (() => new Date()))().toISOString();
  if (opts.signal?.aborted)
    return notStarted(opts.argv, SUT_MOUNT, 'install', startedAt, 'the run was interrupted', true);
  const out = new Capture(MAX_OUTPUT_BYTES);
  const err = new Capture(MAX_OUTPUT_BYTES);
  const t0 = performance.now();
  const run = await runRunnerContainer(
    docker,
    journal,
    {
      name: runner.names.installContainer,
      image: runner.image,
      purpose: 'sut-install',
      argv: opts.argv,
      workdir: SUT_MOUNT,
      env: {
        PATH: runner.path,
        HOME: RUNNER_HOME,
        LANG: 'C.UTF-8',
        ...(opts.registry?.url ? { npm_config_registry: opts.registry.url } : {}),
        ...(opts.registry?.caFile ? { NODE_EXTRA_CA_CERTS: INSTALL_CA_MOUNT } : {}),
      },
      network: opts.network,
      checkout: runner.checkout,
      installVolume: runner.installVolume,
      installWritable: true,
      dropCapabilities: false,
      extraFiles: opts.registry?.caFile ? [{ source: opts.registry.caFile, target: INSTALL_CA_MOUNT }] : [],
    },
    { timeoutMs: opts.timeoutMs, signal: opts.signal, onStdout: out.add, onStderr: err.add },
  );
  return toStepRun(opts.argv, SUT_MOUNT, 'install', startedAt, t0, run, out, err);
}

export interface ContainerStepContext {
  docker: DockerClient;
  journal: RunJournal;
  runner: ContainerRunner;
  /** Name of the variable that carries the DSN (`CUTTER_DSN`). */
  dsnEnvVar: string;
  /** The DSN of a dry-run role as a step container reaches it: `dsnFor(inContainer(target))`. */
  dsnFor: (role: string) => string;
  signal?: AbortSignal;
  now?: () => Date;
}

/**
 * Run one step in a new container on the internal network only, and record what it did, as runStep
 * does on the host. Its role's DSN and its own variables reach it through a 0600 file recorded as a
 * secret of the run and shredded when the step ends, never through argv or the container's config.
 */
export async function runContainerStep(
  step: Pick<Step, 'run' | 'cwd' | 'role' | 'env' | 'timeout_ms'>,
  ctx: ContainerStepContext,
): Promise<StepRun> {
  const { runner } = ctx;
  const startedAt = (ctx.now ?? (() => new Date()))().toISOString();
  const where = await containerCwd(runner.checkout, step.cwd);
  if ('reason' in where) return notStarted(step.run, `${SUT_MOUNT}/${step.cwd}`, step.role, startedAt, where.reason);
  if (ctx.signal?.aborted)
    return notStarted(step.run, where.path, step.role, startedAt, 'the run was interrupted', true);

  runner.steps += 1;
  const name = runner.names.step(runner.steps);
  const envFile = join(runner.secretDir, `${name}.env`);
  const dsn = ctx.dsnFor(step.role);
  const libpq = libpqConnection(dsn);
  const passFile = libpq
    ? await writePassFile(libpq, { dir: runner.secretDir, record: (p) => ctx.journal.recordSecret(p) })
    : null;
  const out = new Capture(MAX_OUTPUT_BYTES);
  const err = new Capture(MAX_OUTPUT_BYTES);
  const t0 = performance.now();
  try {
    await ctx.journal.recordSecret(envFile);
    await writeSecretFile(
      envFile,
      secretEnvFile({ ...(libpq ? libpqVariables(libpq, PASS_FILE_MOUNT) : {}), [ctx.dsnEnvVar]: dsn, ...step.env }),
    );
    const run = await runRunnerContainer(
      ctx.docker,
      ctx.journal,
      {
        name,
        image: runner.image,
        purpose: 'sut-step',
        argv: step.run,
        workdir: where.path,
        env: { PATH: runner.path, HOME: RUNNER_HOME, LANG: 'C.UTF-8' },
        secretEnvFile: envFile,
        network: runner.holder.networkMode,
        checkout: runner.checkout,
        installVolume: runner.installVolume,
        installWritable: false,
        user: runner.user,
        dropCapabilities: true,
        extraFiles: passFile ? [{ source: passFile.path, target: PASS_FILE_MOUNT }] : [],
      },
      { timeoutMs: step.timeout_ms, signal: ctx.signal, onStdout: out.add, onStderr: err.add },
    );
    return toStepRun(step.run, where.path, step.role, startedAt, t0, run, out, err);
  } finally {
    // Teardown shreds them too (they are recorded): this only shortens their life.
    await shredFile(envFile);
    await passFile?.remove();
  }
}

const READ_ONLY_WRITE = /\bEROFS\b|read-only file system/i;

/**
 * A note for the report when a step's stderr shows a write refused by a read-only file system: in
 * container mode the checkout (and the install's output) is mounted read-only, so a step that
 * writes into it fails, and this says why. Null when stderr shows no such write.
 */
export function readOnlyWriteNote(run: Pick<StepRun, 'stderr'>): string | null {
  const line = run.stderr.split(/\r?\n/).find((l) => READ_ONLY_WRITE.test(l));
  if (!line) return null;
  return `the step tried to write where the container runner allows no write (${line.trim().slice(0, 200)}): the checkout at the accepted commit and the install's output are mounted read-only; only ${RUNNER_HOME} (HOME) is writable`;
}
