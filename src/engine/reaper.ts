// The reaper: a detached process in its own session that outlives the tool. When the tool dies
// without finishing (SIGKILL of its whole process group), it tears the run down within seconds.
import { spawn } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from './image.js';
import { runDir, stateRoot } from './run-state.js';

/** The reaper runs from the built package (dist/), also when the caller runs from source. */
export const REAPER_SCRIPT = join(PACKAGE_ROOT, 'dist', 'engine', 'reaper-main.js');

export interface ReaperHandle {
  pid: number;
}

/** Start the reaper watching this process for `runId`. It exits by itself once the run is finished or released. */
export function spawnReaper(runId: string, root = stateRoot()): ReaperHandle {
  const log = openSync(join(runDir(runId, root), 'reaper.log'), 'a', 0o600);
  try {
    const child = spawn(process.execPath, [REAPER_SCRIPT, runId, String(process.pid)], {
      detached: true,
      stdio: ['ignore', log, log],
      env: { ...process.env, PG_REHEARSE_STATE_DIR: root },
    });
    if (child.pid === undefined) throw new Error(`could not start the reaper (${REAPER_SCRIPT})`);
    child.unref();
    return { pid: child.pid };
  } finally {
    closeSync(log);
  }
}
