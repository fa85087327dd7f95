// The engine's command-line client, for the one thing dockerode cannot do without the bytes passing
// through this process: `docker cp -` of a tar stream. It reaches the same engine (DOCKER_HOST and
// the client's context are its own conventions).
import { existsSync } from 'node:fs';

/** Debian's docker.io client: on a machine set up by scripts/setup, the `docker` first on PATH may be a newer client only. */
const DEBIAN_CLIENT = '/usr/bin/docker';

/** PG_REHEARSE_DOCKER_CLI when set, else Debian's client when present, else `docker` on PATH. */
export function dockerCli(env: NodeJS.ProcessEnv = process.env, exists: (p: string) => boolean = existsSync): string {
  const chosen = env.PG_REHEARSE_DOCKER_CLI?.trim();
  if (chosen) return chosen;
  return exists(DEBIAN_CLIENT) ? DEBIAN_CLIENT : 'docker';
}
