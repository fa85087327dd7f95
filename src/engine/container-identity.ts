// Identity of a container the tool must never touch (production, protected environments):
// read-only inspection, compared before and after a run.
import { isNotFoundError, type DockerClient } from './docker-client.js';
import { demuxLogs } from './environment.js';

export interface ContainerIdentity {
  name: string;
  id: string;
  started_at: string;
  running: boolean;
}

/** Inspect a container by exact name; null when there is none. */
export async function containerIdentity(docker: DockerClient, name: string): Promise<ContainerIdentity | null> {
  try {
    const i = await docker.getContainer(name).inspect();
    if (i.Name !== `/${name}`) return null;
    return { name, id: i.Id, started_at: i.State.StartedAt, running: i.State.Running };
  } catch (err) {
    if (isNotFoundError(err)) return null;
    throw err;
  }
}

/** Same container (id), same start, still running. */
export function sameContainer(pre: ContainerIdentity | null, post: ContainerIdentity | null): boolean {
  return pre !== null && post !== null && pre.id === post.id && pre.started_at === post.started_at && post.running;
}

/** The whole log (stdout and stderr) of a container, e.g. the dry-run server's statement log. */
export async function containerLog(docker: DockerClient, id: string): Promise<string> {
  const buf = await docker.getContainer(id).logs({ stdout: true, stderr: true, follow: false });
  return demuxLogs(buf);
}
