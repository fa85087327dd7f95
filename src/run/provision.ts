// `rehearse provision`: one exact-named environment, ready for real, kept for a person or held
// until a signal, and torn down by exact name whatever happens.
import { join } from 'node:path';
import {
  assertNamesFree,
  dockerClient,
  checkEngine,
  containerHealth,
  createEnvironment,
  createRunDir,
  defaultImage,
  environmentNames,
  inspectImage,
  RunJournal,
  settleRunState,
  spawnReaper,
  stateRoot,
  teardownRecorded,
  remainingOf,
  generatePassword,
  writeSecretFile,
  type DockerClient,
  type Environment,
  type ImageInfo,
  type TeardownOutcome,
} from '../engine/index.js';
import { EnvironmentError } from '../errors.js';
import { probe, waitForReadiness, type ReadinessResult } from '../pg/index.js';
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
  const out: ProvisionOutcome = { runId: null, image: null, environment: null, readiness: null, released: false, heldUntil: null, teardown: null, error: null };

  let journal: RunJournal;
  let dir: string;
  try {
    const names = environmentNames(opts.name);
    out.runId = newRunId(now());
    // First line of output, before anything is created, so a caller always learns the run id.
    progress.data(`run id: ${out.runId}`);
    await step(progress, 'engine', () => checkEngine(docker), (e) => `Docker ${e.version}`);
    out.image = await step(progress, 'image', () => inspectImage(docker, opts.image ?? defaultImage()), (i) => `${i.tag} (${i.id.slice(0, 19)})`);
    await step(progress, 'exact names free', () => assertNamesFree(docker, names), () => `${names.container}, ${names.network}`);
    interruption.signal.throwIfAborted();
    dir = await createRunDir(out.runId, root);
    // The reaper first: from here on, whatever this process records is finished even if it is killed.
    spawnReaper(out.runId, root);
    journal = await RunJournal.open(out.runId, now(), root);
  } catch (err) {
    out.error = err;
    return out;
  }

  try {
    const passwordFile = join(dir, 'postgres-password');
    await journal.recordSecret(passwordFile);
    const password = generatePassword();
    await writeSecretFile(passwordFile, password);

    const env = await step(progress, 'create network and container', () =>
      createEnvironment(docker, journal, { names: environmentNames(opts.name), image: out.image!.tag, passwordFile, database: opts.database, initDir: opts.initDir }, interruption.signal),
    );
    out.environment = env;
    out.readiness = await step(
      progress,
      'readiness',
      () =>
        waitForReadiness(opts.readiness, {
          probe: () => probe({ host: env.host, port: env.port, user: env.user, password, database: env.database }),
          alive: async () => {
            const health = await containerHealth(docker, env.containerId);
            if (!health.running) {
              throw new EnvironmentError('E_CONTAINER_EXITED', `container ${env.names.container} exited with code ${health.exitCode} before it was ready; its log ends:\n${health.logTail}`);
            }
          },
          signal: interruption.signal,
        }),
      (r) => `${r.signal}: ${r.attempts} attempts, ${r.retries.length} retries, ${(r.ms / 1000).toFixed(1)} s`,
    );
    interruption.signal.throwIfAborted();
    printConnection(progress, env, passwordFile, out.readiness);

    if (opts.hold) {
      progress.note('holding the environment: SIGINT (Ctrl-C) or SIGTERM tears it down');
      out.heldUntil = await interruption.wait();
    } else {
      await journal.setStatus('released');
      out.released = true;
      progress.data(`kept until: rehearse teardown --run-id ${journal.runId}`);
    }
  } catch (err) {
    out.error = err;
  } finally {
    if (!out.released) {
      const state = journal.snapshot();
      out.teardown = await step(progress, 'teardown', () => teardownRecorded(docker, state), (t) =>
        t.complete ? `${t.resources.length} resources proved gone, ${t.secrets.length} secret files shredded` : `INCOMPLETE: ${remainingOf(t).join(', ')}`,
      );
      await settleRunState(state, out.teardown, root).catch((err: unknown) => {
        out.error ??= err;
      });
    }
  }
  return out;
}

function printConnection(progress: Progress, env: Environment, passwordFile: string, ready: ReadinessResult): void {
  progress.data(`environment: container ${env.names.container}, network ${env.names.network}, image ${env.image}`);
  progress.data(`ready: ${ready.signal} after ${ready.attempts} attempts in ${(ready.ms / 1000).toFixed(1)} s (PostgreSQL ${ready.serverVersion})`);
  progress.data(`connect: host ${env.host} port ${env.port} user ${env.user} database ${env.database}`);
  progress.data(`password file: ${passwordFile} (mode 0600, shredded at teardown)`);
  progress.data(`  PGPASSWORD="$(cat '${passwordFile}')" psql -h ${env.host} -p ${env.port} -U ${env.user} ${env.database}`);
}

/** The command: provision with signal handling, then the exit code (4 when teardown is incomplete). */
export async function provisionCommand(opts: ProvisionOptions, progress: Progress): Promise<{ exitCode: ExitCode; outcome: ProvisionOutcome }> {
  using interruption = Interruption.install((signal, first) => {
    if (first) progress.note(`${signal} received: tearing down`);
    else progress.note(`${signal} received again: teardown is in progress and finishes first`);
  });
  const outcome = await provision(opts, { docker: dockerClient(), progress, interruption });
  // A signal is how a --hold ends: that is success, not an interruption.
  const exitCode = exitCodeOf({ error: outcome.error, teardownComplete: outcome.teardown ? outcome.teardown.complete : null });
  return { exitCode, outcome };
}
