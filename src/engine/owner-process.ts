// Whether the process that owns a run is still alive. A pid alone is not enough: pids are
// reused, and kill(pid, 0) succeeds on a zombie. Linux's /proc gives the start time and state.
import { readFileSync } from 'node:fs';

export interface ProcessIdentity {
  pid: number;
  startTicks: string | null;
}

/** Fields of /proc/PID/stat after the command name: state is field 3, starttime field 22. */
export function parseProcStat(stat: string): { state: string; startTicks: string } | null {
  const close = stat.lastIndexOf(')');
  if (close < 0) return null;
  const fields = stat.slice(close + 2).split(' ');
  const state = fields[0];
  const startTicks = fields[19];
  if (state === undefined || startTicks === undefined) return null;
  return { state, startTicks };
}

function readStat(pid: number): { state: string; startTicks: string } | null {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return null;
  }
}

export function identityOf(pid: number): ProcessIdentity {
  return { pid, startTicks: readStat(pid)?.startTicks ?? null };
}

export function isAlive(owner: ProcessIdentity): boolean {
  const stat = readStat(owner.pid);
  if (stat === null) {
    if (owner.startTicks !== null) return false;
    // No /proc (not Linux): fall back to a signal probe.
    try {
      process.kill(owner.pid, 0);
      return true;
    } catch {
      return false;
    }
  }
  if (stat.state === 'Z' || stat.state === 'X') return false;
  return owner.startTicks === null || stat.startTicks === owner.startTicks;
}
