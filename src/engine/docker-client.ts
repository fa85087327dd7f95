// The one place that makes a dockerode client. The API version is left unset: dockerode does
// not negotiate, and pinning a newer version than the engine's is refused.
import Docker from 'dockerode';
import { EngineUnreachableError, messageOf } from '../errors.js';

export type DockerClient = Docker;

export function dockerClient(): DockerClient {
  return new Docker();
}

/** The engine's status code on an API error (404 for "no such ..."), else undefined. */
export function statusCodeOf(err: unknown): number | undefined {
  if (typeof err === 'object' && err !== null && 'statusCode' in err && typeof err.statusCode === 'number') {
    return err.statusCode;
  }
  return undefined;
}

export function isNotFoundError(err: unknown): boolean {
  return statusCodeOf(err) === 404;
}

export interface EngineInfo {
  version: string;
  apiVersion: string;
}

/** Ping the engine; an engine that does not answer is an environment failure with what to do. */
export async function checkEngine(docker: DockerClient): Promise<EngineInfo> {
  try {
    const v = await docker.version();
    return { version: v.Version, apiVersion: v.ApiVersion };
  } catch (err) {
    throw new EngineUnreachableError(messageOf(err), { cause: err });
  }
}
