// A dry-run environment as the health check and the watchdog see it, for their unit tests:
// the baseline taken when the server became ready, and the server's container running as then.
import type { ContainerState } from '../engine/index.js';
import type { EnvironmentBaseline, WatchedContainer } from '../run/environment-health.js';

export function environmentBaseline(holders: WatchedContainer[] = []): EnvironmentBaseline {
  return {
    server: {
      role: "the dry-run server's container",
      name: 'pgr-env',
      id: 'a'.repeat(64),
      startedAt: '2026-12-01T21:00:00.1Z',
    },
    postmasterStart: '2026-12-01 21:00:01.5+00',
    address: { host: '127.0.0.1', port: 5999, user: 'rehearse_tool', password: 'x', database: 'ledger' },
    holders,
  };
}

/** The server's container of `baseline`, running as it was then. */
export function runningServer(baseline: EnvironmentBaseline): ContainerState {
  return {
    id: baseline.server.id,
    name: baseline.server.name,
    running: true,
    paused: false,
    restarting: false,
    oomKilled: false,
    startedAt: baseline.server.startedAt,
    finishedAt: null,
    exitCode: null,
  };
}
