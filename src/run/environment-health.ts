// Environment before blame: before a failing step, SQL assertion, row count or write-counter read
// is put on the system under test or the pack, the run looks at what it stands on. The dry-run
// server's container must be the same one (id, StartedAt), running and not paused; the server in
// it must answer, with the postmaster start time it had when it became ready; the network holders
// it stands on (a physical copy's, whose namespace the server runs in and which publishes its port;
// the runner's, of sut.runner: container) must be the same ones, running. What is not says what died
// and when, and the result is the environment's (INCONCLUSIVE), never a FAIL.
import { containerState, copyNetnsName, type ContainerState, type DockerClient } from '../engine/index.js';
import { EnvironmentError, messageOf } from '../errors.js';
import { probeWithin, type ReadinessSample, type ServerAddress } from '../pg/index.js';

/** A container the run created and depends on, as it was when the run started using it. */
export interface WatchedContainer {
  /** How the report names it: "the dry-run server's container". */
  role: string;
  name: string;
  id: string;
  startedAt: string;
}

export interface EnvironmentBaseline {
  server: WatchedContainer;
  /** pg_postmaster_start_time() when the server became ready. */
  postmasterStart: string;
  address: ServerAddress;
  /** The network holders the run stands on besides the server: the copy's, then the runner's. */
  holders: WatchedContainer[];
}

export interface EnvironmentObservation {
  /** When it was looked at (ISO). */
  at: string;
  /** undefined when the engine could not be asked; null when the container is gone. */
  server: ContainerState | null | undefined;
  /** Each of the baseline's holders, in its order (null: gone); undefined when the engine could not be asked. */
  holders: (ContainerState | null)[] | undefined;
  /** The server's answer; null when it was not asked (its container is not running). */
  answer: ReadinessSample | null;
  /** The engine's error when it could not be asked. */
  engineError: string | null;
}

/** How long a live server gets to answer the health check's query. */
const ANSWER_TIMEOUT_MS = 5_000;

/** What died, and when; empty when the environment is as it was. */
export function environmentFaults(baseline: EnvironmentBaseline, seen: EnvironmentObservation): string[] {
  const faults: string[] = [];
  if (seen.engineError !== null) faults.push(`the Docker engine did not answer at ${seen.at}: ${seen.engineError}`);
  const server = containerFault(baseline.server, seen.server, seen.at);
  if (server) faults.push(server);
  // A dead holder first: the server behind it then does not answer because of it.
  baseline.holders.forEach((holder, i) => {
    const fault = containerFault(holder, seen.holders?.[i], seen.at);
    if (fault) faults.push(fault);
  });
  if (server) return faults;
  if (seen.answer && !seen.answer.ok)
    faults.push(`the dry-run server in ${baseline.server.name} did not answer at ${seen.at}: ${seen.answer.error}`);
  else if (seen.answer?.ok && seen.answer.postmasterStart !== baseline.postmasterStart) {
    faults.push(
      `the dry-run server in ${baseline.server.name} restarted: its postmaster started at ${seen.answer.postmasterStart}, not ${baseline.postmasterStart} (seen at ${seen.at})`,
    );
  }
  return faults;
}

function containerFault(was: WatchedContainer, now: ContainerState | null | undefined, at: string): string | null {
  const who = `${was.role} ${was.name} (${was.id.slice(0, 12)})`;
  if (now === undefined) return null;
  if (now === null) return `${who} is gone (seen at ${at})`;
  if (now.id !== was.id) return `${who} was replaced by another container ${now.id.slice(0, 12)} (seen at ${at})`;
  if (now.startedAt !== was.startedAt)
    return `${who} restarted at ${now.startedAt} (it had started at ${was.startedAt})`;
  if (now.paused) return `${who} is paused (seen at ${at})`;
  if (!now.running)
    return `${who} died: it exited with code ${now.exitCode ?? 'unknown'}${now.oomKilled ? ' (killed for lack of memory)' : ''} at ${now.finishedAt ?? `a moment before ${at}`}`;
  return null;
}

/** The watched containers through the engine now: the server's, then each holder's; undefined each, with the error, when the engine could not be asked. */
export async function readWatched(
  docker: DockerClient,
  baseline: EnvironmentBaseline,
): Promise<Pick<EnvironmentObservation, 'server' | 'holders' | 'engineError'>> {
  try {
    const server = await containerState(docker, baseline.server.id);
    const holders: (ContainerState | null)[] = [];
    for (const h of baseline.holders) holders.push(await containerState(docker, h.id));
    return { server, holders, engineError: null };
  } catch (err) {
    return { server: undefined, holders: undefined, engineError: messageOf(err) };
  }
}

/** Look at the environment now: the containers through the engine, then the server itself when its container runs. */
export async function observeEnvironment(
  docker: DockerClient,
  baseline: EnvironmentBaseline,
  now: () => Date = () => new Date(),
): Promise<EnvironmentObservation> {
  const at = now().toISOString();
  const { server, holders, engineError } = await readWatched(docker, baseline);
  const healthy = server !== undefined && server !== null && server.running && !server.paused;
  const answer = engineError !== null || healthy ? await probeWithin(baseline.address, ANSWER_TIMEOUT_MS) : null;
  return { at, server, holders, answer, engineError };
}

/**
 * The baseline, read when the dry-run server is ready (and again once the runner's network holder
 * runs): a physical copy's network holder is watched beside its server.
 */
export async function healthBaseline(
  docker: DockerClient,
  server: {
    env: {
      containerId: string;
      netnsHolderId: string | null;
      names: { container: string };
      host: string;
      port: number;
      user: string;
      database: string;
    };
    password: string;
    readiness: { postmasterStart: string };
  },
  runnerHolder: { id: string; name: string } | null,
): Promise<EnvironmentBaseline> {
  const watched = async (role: string, id: string, name: string): Promise<WatchedContainer> => {
    const state = await containerState(docker, id);
    if (!state)
      throw new EnvironmentError(
        'E_CONTAINER_GONE',
        `${role} ${name} (${id.slice(0, 12)}) is gone right after it was started`,
      );
    return { role, name, id: state.id, startedAt: state.startedAt };
  };
  const { env } = server;
  const holders: WatchedContainer[] = [];
  if (env.netnsHolderId)
    holders.push(await watched("the copy's network holder", env.netnsHolderId, copyNetnsName(env.names.container)));
  if (runnerHolder) holders.push(await watched("the runner's network holder", runnerHolder.id, runnerHolder.name));
  return {
    server: await watched("the dry-run server's container", env.containerId, env.names.container),
    postmasterStart: server.readiness.postmasterStart,
    address: { host: env.host, port: env.port, user: env.user, password: server.password, database: env.database },
    holders,
  };
}
