// The runner image: the local build of this checkout's recipe, and the PATH a runner container gets.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { DockerClient } from './docker-client.js';
import { PACKAGE_ROOT } from './image.js';
import { RUNNER_IMAGE_REPOSITORY } from './labels.js';

/** The recipe files, in the order scripts/runner-image-tag concatenates them. Keep both in step. */
export const RUNNER_RECIPE_FILES = ['image/runner/packages', 'image/runner/build'] as const;
/** PATH when the image names none. */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** sha256 over the runner recipe's bytes concatenated in order; the first 12 hex name the tag. */
export function runnerRecipeHash(read: (relPath: string) => Buffer = (p) => readFileSync(PACKAGE_ROOT + p)): string {
  const hash = createHash('sha256');
  for (const file of RUNNER_RECIPE_FILES) hash.update(read(file));
  return hash.digest('hex').slice(0, 12);
}

/** The default runner image: the local build of this checkout's recipe (scripts/setup builds it). */
export function defaultRunnerImage(): string {
  return `${RUNNER_IMAGE_REPOSITORY}:node18-${runnerRecipeHash()}`;
}

/** The PATH an image declares, else DEFAULT_PATH (the host's PATH means nothing in a container). */
export async function imagePath(docker: DockerClient, image: string): Promise<string> {
  const info = await docker.getImage(image).inspect();
  const path = (info.Config?.Env ?? []).find((e) => e.startsWith('PATH='));
  return path ? path.slice('PATH='.length) : DEFAULT_PATH;
}
