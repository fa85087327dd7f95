// The end of a child started in its own process group (`detached`): a pipeline's every process, or
// a tool that forks helpers (pg_basebackup's WAL receiver), not only the one the tool spawned.

/** Send `signal` to the process group led by `pid`; nothing when it has already ended. */
export function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: it has ended.
  }
}
