// Cached restores: a restored dry-run server kept as an image, keyed by what it was made of
// (the dump's content sha256, the roles and grants artefacts' sha256, the base image). Labelled
// io.pg-rehearse.cache, never io.pg-rehearse.run-id: a snapshot outlives runs until pruned,
// by exact key. It holds a copy of production's data, so it is opt-in.
import { createHash } from 'node:crypto';
import { isNotFoundError, type DockerClient } from './docker-client.js';
import { LABEL_CACHE } from './labels.js';

export const CACHE_REPOSITORY = 'pg-rehearse/cache';
export const LABEL_CACHE_CREATED = 'io.pg-rehearse.cache-created';

export interface CacheKeyParts {
  dumpContentSha256: string;
  rolesSha256: string;
  grantsSha256: string;
  baseImageId: string;
  /** The server settings the snapshot was restored under. */
  settings: Record<string, string>;
}

/** The snapshot key: sha256 over every input of the restore, in a fixed order. */
export function cacheKey(p: CacheKeyParts): string {
  const settings = Object.entries(p.settings)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
    .join('\n');
  return createHash('sha256')
    .update(
      ['pg-rehearse cache v1', p.dumpContentSha256, p.rolesSha256, p.grantsSha256, p.baseImageId, settings].join('\n'),
    )
    .digest('hex');
}

/** The exact tag of a key's snapshot. */
export function snapshotTag(key: string): string {
  return `${CACHE_REPOSITORY}:${key.slice(0, 32)}`;
}

export interface Snapshot {
  key: string;
  tag: string;
  imageId: string;
  createdAt: string;
  bytes: number;
}

function toSnapshot(
  tag: string,
  info: { Id: string; Size?: number; Config?: { Labels?: Record<string, string> | null } | null },
): Snapshot | null {
  const labels = info.Config?.Labels ?? {};
  const key = labels[LABEL_CACHE];
  if (!key || snapshotTag(key) !== tag) return null;
  return { key, tag, imageId: info.Id, createdAt: labels[LABEL_CACHE_CREATED] ?? '', bytes: info.Size ?? 0 };
}

/** The snapshot of exactly this key, or null. */
export async function findSnapshot(docker: DockerClient, key: string): Promise<Snapshot | null> {
  const tag = snapshotTag(key);
  try {
    return toSnapshot(tag, await docker.getImage(tag).inspect());
  } catch (err) {
    if (isNotFoundError(err)) return null;
    throw err;
  }
}

/** Commit a (checkpointed) container as the snapshot of `key`; the container is paused while it is copied. */
export async function commitSnapshot(
  docker: DockerClient,
  containerId: string,
  key: string,
  now: Date,
): Promise<Snapshot> {
  const tag = snapshotTag(key);
  const [repo, version] = [CACHE_REPOSITORY, tag.split(':')[1]!];
  await docker.getContainer(containerId).commit({
    repo,
    tag: version,
    pause: true,
    comment: 'pg-rehearse cached restore',
    changes: [`LABEL ${LABEL_CACHE}=${key}`, `LABEL ${LABEL_CACHE_CREATED}=${now.toISOString()}`],
  });
  const snap = await findSnapshot(docker, key);
  if (!snap) throw new Error(`the snapshot ${tag} was committed but cannot be found by its key`);
  return snap;
}

/** Every snapshot, newest first. */
export async function listSnapshots(docker: DockerClient): Promise<Snapshot[]> {
  const images = await docker.listImages({ filters: { label: [LABEL_CACHE] } });
  const out: Snapshot[] = [];
  for (const img of images) {
    for (const tag of img.RepoTags ?? []) {
      const snap = toSnapshot(tag, { Id: img.Id, Size: img.Size, Config: { Labels: img.Labels } });
      if (snap) out.push(snap);
    }
  }
  return out.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

/** Remove the snapshot of exactly this key (checked by its label); true when one was removed. */
export async function removeSnapshot(docker: DockerClient, key: string): Promise<boolean> {
  const snap = await findSnapshot(docker, key);
  if (!snap) return false;
  await docker.getImage(snap.tag).remove({ noprune: false });
  return true;
}
