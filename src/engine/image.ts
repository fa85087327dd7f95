// The local PostgreSQL image: built by scripts/setup from Debian's packages, tagged with a hash
// of its recipe so that a changed recipe builds a new image instead of reusing a stale one.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ImageMissingError } from '../errors.js';
import { isNotFoundError, type DockerClient } from './docker-client.js';
import { LOCAL_IMAGE_MAJOR, LOCAL_IMAGE_REPOSITORY } from './labels.js';

/** The package's root folder (holds image/, sql/, scenarios/), from src/ or dist/ alike. */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The recipe files, in the order scripts/image-tag concatenates them. Keep both in step. */
export const RECIPE_FILES = ['image/packages', 'image/entrypoint.sh', 'image/build'] as const;

/** sha256 over the recipe files' bytes concatenated in order; the first 12 hex name the tag. */
export function recipeHash(read: (relPath: string) => Buffer = (p) => readFileSync(PACKAGE_ROOT + p)): string {
  const hash = createHash('sha256');
  for (const file of RECIPE_FILES) hash.update(read(file));
  return hash.digest('hex').slice(0, 12);
}

/** The default image: the local build of this checkout's recipe. */
export function defaultImage(): string {
  return `${LOCAL_IMAGE_REPOSITORY}:${LOCAL_IMAGE_MAJOR}-${recipeHash()}`;
}

export interface ImageInfo {
  tag: string;
  id: string;
  /** The engine's name of the image's CPU architecture (amd64, arm64, ...); null when the image records none. */
  architecture: string | null;
}

/** The image's id (not only its tag) and architecture, or ImageMissingError naming what to do. */
export async function inspectImage(docker: DockerClient, tag: string): Promise<ImageInfo> {
  try {
    const info = await docker.getImage(tag).inspect();
    return { tag, id: info.Id, architecture: info.Architecture || null };
  } catch (err) {
    if (isNotFoundError(err)) throw new ImageMissingError(tag);
    throw err;
  }
}
