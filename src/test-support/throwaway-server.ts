// One throwaway dry-run server for a test file, started as a rehearsal starts one (openRun, then
// startServer under a unique exact name), and closed by its run's journal with proof that nothing
// carrying its run id is left.
import { defaultImage, environmentNames, remainingOf, stateRoot, type TeardownOutcome } from '../engine/index.js';
import { DEFAULT_READINESS, type PgTarget, type ReadinessResult } from '../pg/index.js';
import { closeRun, openRun, startServer, type OpenRun } from '../run/dry-run-environment.js';
import { silentProgress } from '../run/progress.js';
import { newRunId } from '../run/run-id.js';
import { countLabelled, docker, uniqueName } from './docker.js';

export interface ThrowawayServerSpec {
  /** The start of its unique name, e.g. `pgr-dump`. */
  prefix: string;
  /** The database created with the server; `target` names it. */
  database: string;
  /** Its `-c` settings (pg/server-settings.ts); none by default, as `rehearse provision` starts one. */
  settings?: Record<string, string>;
  /** A folder mounted read-only as the image's /docker-entrypoint-initdb.d (world-readable, its scripts too); none by default. */
  initDir?: string;
}

export interface ThrowawayServer {
  /** The tool's superuser on `database`, over TCP, with the run's password. */
  target: PgTarget;
  runId: string;
  containerId: string;
  readiness: ReadinessResult;
  /** Tear it down; throws unless the teardown was complete and no labelled resource of the run is left. Idempotent. */
  close(): Promise<TeardownOutcome>;
}

/** Start a throwaway server; if it does not become ready, what was made is removed and the first error thrown. */
export async function throwawayServer(spec: ThrowawayServerSpec): Promise<ThrowawayServer> {
  const runId = newRunId(new Date());
  const run = await openRun(runId, new Date(), stateRoot());
  let closing: Promise<TeardownOutcome> | null = null;
  const close = () => (closing ??= closeAndProve(run, runId));
  try {
    const server = await startServer(
      docker,
      run,
      {
        names: environmentNames(uniqueName(spec.prefix)),
        image: defaultImage(),
        database: spec.database,
        ...(spec.settings ? { settings: spec.settings } : {}),
        ...(spec.initDir ? { initDir: spec.initDir } : {}),
        readiness: DEFAULT_READINESS,
      },
      silentProgress,
      new AbortController().signal,
    );
    const { env } = server;
    const target = {
      host: env.host,
      port: env.port,
      user: env.user,
      password: server.password,
      database: env.database,
    };
    return { target, runId, containerId: env.containerId, readiness: server.readiness, close };
  } catch (err) {
    await close().catch(() => {});
    throw err;
  }
}

async function closeAndProve(run: OpenRun, runId: string): Promise<TeardownOutcome> {
  const outcome = await closeRun(docker, run, silentProgress);
  const left = await countLabelled(runId);
  if (!outcome.complete || left.total !== 0) {
    throw new Error(
      `the throwaway server of run ${runId} was not torn down: ${remainingOf(outcome).join(', ') || 'nothing recorded left'}, ${left.total} labelled resources left`,
    );
  }
  return outcome;
}
