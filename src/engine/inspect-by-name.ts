// Inspecting a container, network or volume: by id or name, or by exact name only. The engine
// answers an inspect by name with whatever the name also matches (a container's id prefix), so
// an exact-name lookup compares the name it got back.
import type Docker from 'dockerode';
import { isNotFoundError, type DockerClient } from './docker-client.js';
import type { ResourceKind } from './run-state.js';

interface InspectInfo {
  container: Docker.ContainerInspectInfo;
  network: { Id: string; Name: string; Labels?: Record<string, string> | null };
  volume: Docker.VolumeInspectInfo;
}

export interface Inspected<K extends ResourceKind> {
  /** A container's or network's id; a volume's name (volumes have no other id). */
  id: string;
  /** The exact name (a container's without its leading `/`). */
  name: string;
  labels: Record<string, string>;
  /** What the engine answered. */
  info: InspectInfo[K];
}

/** Inspect by id or name; null when the engine has no such resource (404). */
export async function inspectResource<K extends ResourceKind>(
  docker: DockerClient,
  kind: K,
  ref: string,
): Promise<Inspected<K> | null> {
  try {
    return (await inspectKind(docker, kind, ref)) as Inspected<K>;
  } catch (err) {
    if (isNotFoundError(err)) return null;
    throw err;
  }
}

async function inspectKind(docker: DockerClient, kind: ResourceKind, ref: string): Promise<Inspected<ResourceKind>> {
  switch (kind) {
    case 'container': {
      const info = await docker.getContainer(ref).inspect();
      return { id: info.Id, name: info.Name.replace(/^\//, ''), labels: info.Config.Labels ?? {}, info };
    }
    case 'network': {
      const info = (await docker.getNetwork(ref).inspect()) as InspectInfo['network'];
      return { id: info.Id, name: info.Name, labels: info.Labels ?? {}, info };
    }
    case 'volume': {
      const info = await docker.getVolume(ref).inspect();
      return { id: info.Name, name: info.Name, labels: info.Labels ?? {}, info };
    }
  }
}

/** The resource with exactly this name, or null (none, or the name matched something else, e.g. an id prefix). */
export async function inspectByName<K extends ResourceKind>(
  docker: DockerClient,
  kind: K,
  name: string,
): Promise<Inspected<K> | null> {
  const found = await inspectResource(docker, kind, name);
  return found?.name === name ? found : null;
}
