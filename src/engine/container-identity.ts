// Identity of a container the tool must never touch (production, protected environments):
// read-only inspection, compared before and after a run.
import type { DockerClient } from './docker-client.js';
import { inspectByName } from './inspect-by-name.js';
import { demuxLogs } from './container-logs.js';

export interface ContainerIdentity {
  name: string;
  id: string;
  started_at: string;
  running: boolean;
}

/** Inspect a container by exact name; null when there is none. */
export async function containerIdentity(docker: DockerClient, name: string): Promise<ContainerIdentity | null> {
  const found = await inspectByName(docker, 'container', name);
  if (!found) return null;
  return { name, id: found.id, started_at: found.info.State.StartedAt, running: found.info.State.Running };
}

/** Same container (id), same start, still running. */
export function sameContainer(pre: ContainerIdentity | null, post: ContainerIdentity | null): boolean {
  return pre !== null && post !== null && pre.id === post.id && pre.started_at === post.started_at && post.running;
}

/** The log (stdout and stderr) of a container, e.g. the dry-run server's statement log: whole, or from a second on. */
export async function containerLog(docker: DockerClient, id: string, sinceMs?: number): Promise<string> {
  const since = sinceMs === undefined ? {} : { since: Math.floor(sinceMs / 1000) };
  const buf = await docker.getContainer(id).logs({ stdout: true, stderr: true, follow: false, ...since });
  return demuxLogs(buf);
}
