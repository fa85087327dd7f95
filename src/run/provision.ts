// `rehearse provision`: one exact-named environment, ready for real, kept for a person or held
// until a signal, and torn down by exact name whatever happens.
import {
  assertNamesFree,
  checkEngine,
  defaultImage,
  dockerClient,
  environmentNames,
  inspectImage,
  stateRoot,
  type DockerClient,
  type Environment,
  type EnvironmentNames,
  type ImageInfo,
  type TeardownOutcome,
} from '../engine/index.js';
import { closeRun, openRun, startServer, type OpenRun } from './dry-run-environment.js';
import type { ReadinessResult } from '../pg/index.js';
import type { ProvisionOptions } from '../config/index.js';
import { step, type Progress } from './progress.js';
import { newRunId } from './run-id.js';
import { Interruption } from './interruption.js';
import { exitCodeOf, type ExitCode } from './exit-code.js';

export interface ProvisionDeps {
  docker: DockerClient;
  progress: Progress;
  interruption: Interruption;
  now?: () => Date;
  stateRoot?: string;
}

export interface ProvisionOutcome {
  runId: string | null;
  image: ImageInfo | null;
  environment: Environment | null;
  readiness: ReadinessResult | null;
  /** Kept for its user (no --hold): only `rehearse teardown` removes it. */
  released: boolean;
  /** The signal that ended a --hold, when one did. */
  heldUntil: string | null;
  teardown: TeardownOutcome | null;
  error: unknown;
}

/** Provision, then hold or release; teardown runs on every path that does not release. Never throws. */
export async function provision(opts: ProvisionOptions, deps: ProvisionDeps): Promise<ProvisionOutcome> {
  const { docker, progress, interruption } = deps;
  const now = deps.now ?? (() => new Date());
  const root = deps.stateRoot ?? stateRoot();
  const out: ProvisionOutcome = {
    runId: null,
    image: null,
    environment: null,
    readiness: null,
    released: false,
    heldUntil: null,
    teardown: null,
    error: null,
  };

  let run: OpenRun;
  let names: EnvironmentNames;
  try {
    names = environmentNames(opts.name);
    out.runId = newRunId(now());
    // First line of output, before anything is created, so a caller always learns the run id.
    progress.data(`run id: ${out.runId}`);
    await step(
      progress,
      'engine',
      () => checkEngine(docker),
      (e) => `Docker ${e.version}`,
    );
    out.image = await step(
      progress,
      'image',
      () => inspectImage(docker, opts.image ?? defaultImage()),
      (i) => `${i.tag} (${i.id.slice(0, 19)})`,
    );
    await step(
      progress,
      'exact names free',
      () => assertNamesFree(docker, names),
      () => `${names.container}, ${names.network}`,
    );
    interruption.signal.throwIfAborted();
    run = await openRun(out.runId, now(), root);
  } catch (err) {
    out.error = err;
    return out;
  }

  try {
    const server = await startServer(
      docker,
      run,
      { names, image: out.image.tag, database: opts.database, initDir: opts.initDir, readiness: opts.readiness },
      progress,
      interruption.signal,
      (env) => (out.environment = env),
    );
    out.readiness = server.readiness;
    printConnection(progress, server.env, server.passwordFile, server.readiness);

    if (opts.hold) {
      progress.note('holding the environment: SIGINT (Ctrl-C), SIGTERM or SIGHUP tears it down');
      out.heldUntil = await interruption.wait();
    } else {
      await run.journal.setStatus('released');
      out.released = true;
      progress.data(`kept until: rehearse teardown --run-id ${run.journal.runId}`);
    }
  } catch (err) {
    out.error = err;
  } finally {
    if (!out.released) {
      try {
        out.teardown = await closeRun(docker, run, progress);
      } catch (err) {
        out.error ??= err;
      }
    }
  }
  return out;
}

function printConnection(progress: Progress, env: Environment, passwordFile: string, ready: ReadinessResult): void {
  progress.data(`environment: container ${env.names.container}, network ${env.names.network}, image ${env.image}`);
  progress.data(
    `ready: ${ready.signal} after ${ready.attempts} attempts in ${(ready.ms / 1000).toFixed(1)} s (PostgreSQL ${ready.serverVersion})`,
  );
  progress.data(`connect: host ${env.host} port ${env.port} user ${env.user} database ${env.database}`);
  progress.data(`password file: ${passwordFile} (mode 0600, shredded at teardown)`);
  progress.data(
    `  PGPASSWORD="$(cat '${passwordFile}')" psql -h ${env.host} -p ${env.port} -U ${env.user} ${env.database}`,
  );
}

/** The command: provision with signal handling, then the exit code (4 when teardown is incomplete). */
export async function provisionCommand(
  opts: ProvisionOptions,
  progress: Progress,
): Promise<{ exitCode: ExitCode; outcome: ProvisionOutcome }> {
  using interruption = Interruption.install((signal, place) => {
    if (place === 'first') progress.note(`${signal} received: tearing down`);
    else progress.note(`${signal} received again: teardown is in progress and finishes first`);
  });
  const outcome = await provision(opts, { docker: dockerClient(), progress, interruption });
  // A signal is how a --hold ends: that is success, not an interruption.
  const exitCode = exitCodeOf({
    error: outcome.error,
    teardownComplete: outcome.teardown ? outcome.teardown.complete : null,
  });
  return { exitCode, outcome };
}
