// A step's lock watch on a real server: it starts nothing for an aborted run, and a sampler whose
// session died says so instead of reporting samples that read nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, LOG_SETTINGS } from '../../pg/index.js';
import { containerLogs, eventually } from '../../test-support/docker.js';
import { throwawayServer, type ThrowawayServer } from '../../test-support/throwaway-server.js';
import type { DryRun } from '../run-context.js';
import { watchStepLocks } from './step-locks.js';

let server: ThrowawayServer | null = null;
let dry: DryRun;

beforeAll(async () => {
  server = await throwawayServer({ prefix: 'pgr-step-locks', database: 'shop', settings: LOG_SETTINGS });
  const target = server.target;
  dry = { started: null as never, rolePasswords: { shop_app: 'x' }, target: () => target };
});

afterAll(async () => {
  await server?.close();
});

async function samplerSessions(): Promise<number> {
  const sql = connect(server!.target, 'pg-rehearse test');
  try {
    const [row] = (await sql.unsafe(
      "select count(*)::int as n from pg_stat_activity where application_name = 'pg-rehearse lock sampler'",
    )) as unknown as [{ n: number }];
    return row.n;
  } finally {
    await sql.end();
  }
}

describe('watchStepLocks', () => {
  it('starts no sampler when the run is aborted, and says why the evidence is missing', async () => {
    const aborted = AbortSignal.abort();
    const watch = await watchStepLocks(dry, aborted);
    const seen = await watch.stop();
    expect(seen.unread).toEqual([
      'the relation state before the step: the run was stopped',
      'the lock sampler: the run was stopped',
    ]);
    expect(await eventually(samplerSessions, (n) => n === 0, 5000)).toBe(0);
  });

  it('keeps sampling out of the statement log when its session is terminated under it, and tells a read that failed', async () => {
    const watch = await watchStepLocks(dry, new AbortController().signal);
    await new Promise((r) => setTimeout(r, 150));
    const sql = connect(server!.target, 'pg-rehearse test');
    await sql
      .unsafe(
        "select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'pg-rehearse lock sampler'",
      )
      .finally(() => sql.end());
    await new Promise((r) => setTimeout(r, 150));
    const seen = await watch.stop();
    expect(seen.samples).toBeGreaterThan(0);
    expect(seen.unread.join('; ')).toMatch(/the lock sampler: a read failed \(.*terminat/);
    const log = await containerLogs(server!.containerId);
    expect(log).toMatch(/pg_terminate_backend/);
    expect(log).not.toMatch(/from pg_locks/);
  });
});
