// Helpers for tests that drive the real engine: counting labelled resources, exec, foreign containers.
import { randomBytes } from 'node:crypto';
import { dockerClient, execRead, LABEL_RUN_ID, type DockerClient } from '../engine/index.js';
import { demuxLogs } from '../engine/container-logs.js';

export const docker: DockerClient = dockerClient();

/** A unique name for what a test creates. */
export const uniqueName = (prefix: string) => `${prefix}-${process.pid}-${randomBytes(3).toString('hex')}`;

export interface LabelledCount {
  containers: number;
  networks: number;
  volumes: number;
  total: number;
}

/** Count (never remove) the resources carrying the run-id label, for one run or for any run. */
export async function countLabelled(runId?: string): Promise<LabelledCount> {
  const label = [runId ? `${LABEL_RUN_ID}=${runId}` : LABEL_RUN_ID];
  const [containers, networks, volumes] = await Promise.all([
    docker.listContainers({ all: true, filters: { label } }),
    docker.listNetworks({ filters: { label } }),
    docker.listVolumes({ filters: { label } }),
  ]);
  const v = volumes.Volumes?.length ?? 0;
  return {
    containers: containers.length,
    networks: networks.length,
    volumes: v,
    total: containers.length + networks.length + v,
  };
}

/** Poll until `check` holds or `ms` pass; returns the last value. */
export async function eventually<T>(
  probe: () => Promise<T>,
  check: (v: T) => boolean,
  ms = 20_000,
  every = 250,
): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (check(v) || Date.now() > until) return v;
    await new Promise((r) => setTimeout(r, every));
  }
}

/** Run a command in a container; its exit code and output. */
export const execIn = (containerId: string, cmd: string[]) => execRead(docker, containerId, cmd);

export async function containerLogs(containerId: string): Promise<string> {
  return demuxLogs(await docker.getContainer(containerId).logs({ stdout: true, stderr: true }));
}
