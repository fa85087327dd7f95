// The pieces of a cached restore that run inside the dry-run container, over its unix socket
// (local trust): a checkpoint before the snapshot, and this run's tool password on a hit.
import { execRead, TOOL_ROLE, type DockerClient } from '../engine/index.js';
import { scramVerifier } from '../pg/index.js';
import { GateFailure } from './gate-failure.js';

/** Run one SQL command over the container's unix socket (local trust) as the tool's role. */
export async function execPsql(
  docker: DockerClient,
  containerId: string,
  database: string,
  sqlText: string,
): Promise<void> {
  const r = await execRead(
    docker,
    containerId,
    [
      'psql',
      '-X',
      '-q',
      '-v',
      'ON_ERROR_STOP=1',
      '-h',
      '/var/run/postgresql',
      '-U',
      TOOL_ROLE,
      '-d',
      database,
      '-c',
      sqlText,
    ],
    'postgres',
  );
  if (r.exitCode !== 0)
    throw new GateFailure(
      'environment',
      `\`${sqlText.slice(0, 40)}\` over the dry-run server's socket failed: ${r.output.trim().split('\n').pop() ?? ''}`,
    );
}

/** Wait until the snapshot's server answers on its socket, then give the tool's role this run's password (as a SCRAM verifier). */
export async function resetToolPassword(
  docker: DockerClient,
  containerId: string,
  database: string,
  password: string,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    signal.throwIfAborted();
    const ready = await execRead(docker, containerId, ['pg_isready', '-q', '-h', '/var/run/postgresql'], 'postgres');
    if (ready.exitCode === 0) break;
    if (Date.now() > until) throw new GateFailure('environment', 'the cached snapshot did not answer on its socket');
    await new Promise((r) => setTimeout(r, 50));
  }
  await execPsql(docker, containerId, database, `ALTER ROLE ${TOOL_ROLE} PASSWORD '${scramVerifier(password)}'`);
}
