// Peak memory of a bench side's node process and its children, from /proc: shared by the sides
// that run in a child node process of their own (gate-a.mjs, gate-p.mjs), so each measures the same way.
import { readFileSync, readdirSync } from 'node:fs';

/** VmHWM (peak RSS) and VmRSS of a process in bytes, from /proc; null once it is gone. */
export function procMemory(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
    const name = /^Name:\s+(.*)$/m.exec(status)?.[1] ?? '?';
    return { name, hwm: kb('VmHWM'), rss: kb('VmRSS') };
  } catch {
    return null;
  }
}

/** Child pids of `pid`, from /proc/PID/task/TID/children (a child belongs to the thread that forked it). */
function childrenOf(pid) {
  const out = [];
  let tasks;
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tasks) {
    try {
      for (const c of readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' '))
        if (c.trim()) out.push(Number(c));
    } catch {
      // the task or the process ended meanwhile
    }
  }
  return out;
}

/**
 * Every descendant of `root` (pg_dump, pg_restore and its forked workers, psql): a walk down its
 * own tree, not a scan of all of /proc, so that sampling every 50 ms costs the side it measures little.
 */
export function descendants(root) {
  const out = [];
  const queue = childrenOf(root);
  while (queue.length > 0) {
    const pid = queue.shift();
    out.push(pid);
    queue.push(...childrenOf(pid));
  }
  return out;
}

/**
 * Every 50 ms: this process's RSS (process.memoryUsage().rss) and the VmHWM of each descendant
 * while it runs. A peak reached in a child's last 50 ms before it exits can be missed.
 */
export function startSampler(ignore) {
  let rssMax = 0;
  const children = new Map(); // pid -> { name, hwm }
  const tick = () => {
    rssMax = Math.max(rssMax, process.memoryUsage().rss);
    for (const pid of descendants(process.pid)) {
      if (ignore.has(pid)) continue;
      const m = procMemory(pid);
      if (!m) continue;
      const seen = children.get(pid);
      children.set(pid, { name: m.name, hwm: Math.max(seen?.hwm ?? 0, m.hwm) });
    }
  };
  tick();
  const timer = setInterval(tick, 50);
  return {
    stop() {
      clearInterval(timer);
      tick();
      const byTool = {};
      for (const { name, hwm } of children.values()) {
        const t = (byTool[name] ??= { processes: 0, max_hwm: 0, sum_hwm: 0 });
        t.processes++;
        t.max_hwm = Math.max(t.max_hwm, hwm);
        t.sum_hwm += hwm;
      }
      return { rss_max: rssMax, children: byTool };
    },
  };
}
