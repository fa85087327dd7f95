// Read-only commands inside a container the tool does not own (a protected environment's
// pg_controldata): exec leaves the container's id, StartedAt and process untouched.
import type { DockerClient } from './docker-client.js';
import { demuxLogs } from './container-logs.js';

export async function execRead(
  docker: DockerClient,
  containerId: string,
  cmd: string[],
  user?: string,
): Promise<{ exitCode: number; output: string }> {
  const exec = await docker
    .getContainer(containerId)
    .exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true, ...(user ? { User: user } : {}) });
  const stream = await exec.start({});
  const chunks: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', resolve);
    stream.on('error', reject);
  });
  const info = await exec.inspect();
  return { exitCode: info.ExitCode ?? -1, output: demuxLogs(Buffer.concat(chunks)) };
}

/** `Database system identifier:           7712164046331437088` in pg_controldata's output. */
export function parseControlDataSysid(output: string): string | null {
  return /Database system identifier:\s+(\d+)/.exec(output)?.[1] ?? null;
}

/** The system identifier of the PostgreSQL in a container, via pg_controldata as its postgres user; null when there is none. */
export async function containerSysid(docker: DockerClient, containerId: string): Promise<string | null> {
  try {
    const r = await execRead(
      docker,
      containerId,
      ['sh', '-c', 'pg_controldata -D "${PGDATA:-/var/lib/postgresql/data}"'],
      'postgres',
    );
    return r.exitCode === 0 ? parseControlDataSysid(r.output) : null;
  } catch {
    return null;
  }
}
