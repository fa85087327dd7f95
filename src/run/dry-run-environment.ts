// Opening a run (its folder, the reaper, the state file) and starting its dry-run server:
// shared by `provision` and `run`, so both get the same exact names, secrets and teardown.
import { join } from 'node:path';
import {
  containerHealth,
  createEnvironment,
  createRunDir,
  generatePassword,
  remainingOf,
  removeRunDir,
  RunJournal,
  settleRunState,
  stateFilePath,
  spawnReaper,
  teardownRecorded,
  writeSecretFile,
  type DockerClient,
  type Environment,
  type EnvironmentNames,
  type PhysicalStart,
  type TeardownOutcome,
} from '../engine/index.js';
import { diskErrorOf, EnvironmentError } from '../errors.js';
import { plural } from '../plural.js';
import { probe, waitForReadiness, type ReadinessResult, type ReadinessSettings } from '../pg/index.js';
import { STATE_FOLDER_HINT } from './out-dir.js';
import { step, type Progress } from './progress.js';

export interface OpenRun {
  journal: RunJournal;
  dir: string;
  root: string;
}

/** Create the run's folder, start the reaper, then write the state file: before anything is created. */
export async function openRun(runId: string, now: Date, root: string): Promise<OpenRun> {
  // A read-only or full state folder is the environment's, named with its errno; never "a bug of ours".
  const dir = await createRunDir(runId, root).catch((err: unknown) => {
    throw diskErrorOf(err, 'cannot write the state folder', STATE_FOLDER_HINT) ?? err;
  });
  try {
    // The reaper first: from here on, whatever this process records is finished even if it is killed.
    spawnReaper(runId, root);
    const journal = await RunJournal.open(runId, now, root);
    return { journal, dir, root };
  } catch (err) {
    // Nothing is recorded, so nothing was created: the run's folder goes too (its reaper then finds none and exits).
    await removeRunDir(runId, root).catch(() => {});
    throw diskErrorOf(err, "cannot write the run's state file", STATE_FOLDER_HINT, stateFilePath(runId, root)) ?? err;
  }
}

/** A new secret file of the run (0600), recorded before it is written so teardown shreds it. */
export async function newSecret(
  run: OpenRun,
  fileName: string,
  secret = generatePassword(),
): Promise<{ path: string; secret: string }> {
  const path = join(run.dir, fileName);
  await run.journal.recordSecret(path);
  await writeSecretFile(path, secret);
  return { path, secret };
}

export interface StartedServer {
  env: Environment;
  password: string;
  passwordFile: string;
  readiness: ReadinessResult;
}

export interface ServerSpec {
  names: EnvironmentNames;
  image: string;
  database: string;
  initDir?: string | undefined;
  settings?: Record<string, string>;
  readiness: ReadinessSettings;
  /** A physical copy's start: its prepare script and SQL, and the copy sent in before the start. */
  physical?: (passwordFile: string, password: string) => Promise<PhysicalStart>;
}

/** Create the exact-named network and container, then wait until the real server answers. */
export async function startServer(
  docker: DockerClient,
  run: OpenRun,
  spec: ServerSpec,
  progress: Progress,
  signal: AbortSignal,
  onCreated?: (env: Environment) => void,
  /** Work to do after the container starts and before TCP readiness (a cached snapshot's password reset). */
  prepare?: (env: Environment, password: string) => Promise<void>,
): Promise<StartedServer> {
  const { path: passwordFile, secret: password } = await newSecret(run, 'postgres-password');
  const physical = spec.physical ? await spec.physical(passwordFile, password) : undefined;
  const env = await step(
    progress,
    physical ? 'create network and container, send the copy in' : 'create network and container',
    () =>
      createEnvironment(
        docker,
        run.journal,
        {
          names: spec.names,
          image: spec.image,
          passwordFile,
          database: spec.database,
          initDir: spec.initDir,
          settings: spec.settings,
          physical,
        },
        signal,
      ),
  );
  onCreated?.(env);
  if (prepare) await prepare(env, password);
  const readiness = await step(
    progress,
    'readiness',
    () =>
      waitForReadiness(spec.readiness, {
        probe: () => probe({ host: env.host, port: env.port, user: env.user, password, database: env.database }),
        alive: async () => {
          const health = await containerHealth(docker, env.containerId);
          if (!health.running) {
            throw new EnvironmentError(
              'E_CONTAINER_EXITED',
              `container ${env.names.container} exited with code ${health.exitCode} before it was ready; its log ends:\n${health.logTail}`,
            );
          }
        },
        signal,
        onRetry: (r) => progress.event({ type: 'retry', what: 'readiness', attempt: r.attempt, reason: r.reason }),
      }),
    (r) => `${r.signal}: ${r.attempts} attempts, ${r.retries.length} retries, ${(r.ms / 1000).toFixed(1)} s`,
  );
  signal.throwIfAborted();
  return { env, password, passwordFile, readiness };
}

/** Tear down everything the run recorded, prove it gone, shred its secrets, settle its state file. */
export async function closeRun(docker: DockerClient, run: OpenRun, progress: Progress): Promise<TeardownOutcome> {
  const state = run.journal.snapshot();
  const outcome = await step(
    progress,
    'teardown',
    () => teardownRecorded(docker, state),
    (t) =>
      t.complete
        ? `${plural(t.resources.length, 'resource')} proved gone, ${plural(t.secrets.length, 'secret file')} shredded`
        : `INCOMPLETE: ${remainingOf(t).join(', ')}`,
  );
  const settled = await settleRunState(state, outcome, run.root);
  for (const problem of settled.problems) progress.note(problem);
  return outcome;
}
