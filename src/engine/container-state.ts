// The state of a container the run created and depends on (the dry-run server, the runner's
// network holder), read by id: is it the same container, still running, not paused? Read-only,
// but for unpausing one before teardown (work left waiting on it then ends the ordinary way).
import { isNotFoundError, type DockerClient } from './docker-client.js';
import { inspectResource } from './inspect-by-name.js';

export interface ContainerState {
  id: string;
  /** Its name without the leading slash. */
  name: string;
  running: boolean;
  paused: boolean;
  restarting: boolean;
  oomKilled: boolean;
  /** The engine's StartedAt and FinishedAt (FinishedAt null while it never stopped). */
  startedAt: string;
  finishedAt: string | null;
  exitCode: number | null;
}

/** Inspect a container by id; null when it is gone. */
export async function containerState(docker: DockerClient, id: string): Promise<ContainerState | null> {
  const found = await inspectResource(docker, 'container', id);
  if (!found) return null;
  const s = found.info.State;
  const finished = s.FinishedAt && !s.FinishedAt.startsWith('0001-') ? s.FinishedAt : null;
  return {
    id: found.id,
    name: found.name,
    running: s.Running,
    paused: s.Paused,
    restarting: s.Restarting,
    oomKilled: s.OOMKilled,
    startedAt: s.StartedAt,
    finishedAt: finished,
    exitCode: s.Running ? null : s.ExitCode,
  };
}

/** Unpause a container of the run that is paused (before it is removed); true when it was. Gone or not paused: false. */
export async function unpauseIfPaused(docker: DockerClient, id: string): Promise<boolean> {
  const state = await containerState(docker, id);
  if (!state?.paused) return false;
  try {
    await docker.getContainer(id).unpause();
    return true;
  } catch (err) {
    if (isNotFoundError(err)) return false;
    throw err;
  }
}
