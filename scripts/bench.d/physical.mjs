// The physical side of `scripts/bench --copy physical` in bench.mjs's process: (Q) a bare
// `pg_basebackup -D <host folder> -X stream -c fast --no-sync` into a new folder of the bench's work
// folder (no verification, no container), its peak RSS through /usr/bin/time, the folder removed
// after it; production's init script that allows replication connections; and the figures of
// A, B, P and Q printed as medians in a short table.
import { existsSync, readFileSync } from 'node:fs';
import { chmod, copyFile, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { mb, median, s } from './figures.mjs';

const ROOT = new URL('../../', import.meta.url).pathname;
const { clientProcessEnv } = await import(join(ROOT, 'dist', 'pg', 'index.js'));

/** The sides of paired run `i`: A B P Q on odd runs, Q P B A on even ones (logical: A B, then B A). */
export function sideOrder(i, physical) {
  const order = physical ? ['A', 'B', 'P', 'Q'] : ['A', 'B'];
  return i % 2 === 1 ? order : order.reverse();
}

/**
 * Production's init folder (0755, its script 0644: the image's entrypoint sources it as the server
 * user) with fixtures/production/allow-replication.sh, the pg_hba line a base backup needs.
 */
export async function replicationInitDir(work) {
  const dir = join(work, 'production-init');
  await mkdir(dir, { mode: 0o755 });
  await chmod(dir, 0o755);
  const script = join(dir, '00-allow-replication.sh');
  await copyFile(join(ROOT, 'fixtures', 'production', 'allow-replication.sh'), script);
  await chmod(script, 0o644);
  return dir;
}

/** The bare pg_basebackup's arguments into `dataDir` (the connection from the environment). */
export const bareBaseBackupArgs = (dataDir) => ['-D', dataDir, '-X', 'stream', '-c', 'fast', '--no-sync'];

/** (Q) the bare pg_basebackup into a new host folder of `work`; removed after it is timed. */
export async function sideQ(prod, label, { work, time, runChild }) {
  const dataDir = join(work, `q-${label}`);
  const timeFile = join(work, `q-${label}.time`);
  const args = bareBaseBackupArgs(dataDir);
  const cmd = time ?? 'pg_basebackup';
  const argv = time ? ['-o', timeFile, '-f', '%M', 'pg_basebackup', ...args] : args;
  try {
    const t0 = performance.now();
    await runChild(cmd, argv, clientProcessEnv(prod, 'pg-rehearse bench pg_basebackup'));
    const ms = Math.round(performance.now() - t0);
    for (const f of ['PG_VERSION', 'backup_manifest'])
      if (!existsSync(join(dataDir, f))) throw new Error(`the bare pg_basebackup wrote no ${f} in ${dataDir}`);
    const kb = time && existsSync(timeFile) ? Number(readFileSync(timeFile, 'utf8').trim().split('\n').at(-1)) : null;
    return { ms, memory: kb === null ? null : kb * 1024 };
  } finally {
    await rm(dataDir, { recursive: true, force: true });
    await rm(timeFile, { force: true });
  }
}

/** P's and Q's line of one paired run. */
export function physicalRunLine(r) {
  const p = r.P;
  const kids = Object.entries(p.memory.children)
    .map(([name, c]) => `${name} ${mb(c.max_hwm)}${c.processes > 1 ? ` (max of ${c.processes})` : ''}`)
    .join(', ');
  const parts =
    p.transfer === 'stream'
      ? `network + netns holder ${s(p.holder_ms)}, base backup streamed into the container ${s(p.send_ms)} (${mb(p.stream_bytes)} tar stream), ` +
        `container created and started ${s(p.create_and_start_ms)}, started to first query ${s(p.start_to_first_ms)} (pg_verifybackup in the container, the prepare step, the server; the marker proved on ${p.marker_sessions} sessions)`
      : `base backup ${s(p.backup_ms)}, pg_verifybackup ${s(p.verify_ms)}, network + netns holder ${s(p.holder_ms)}, ` +
        `copy sent in ${s(p.send_ms)} (${mb(p.stream_bytes)} tar stream), container created and started ${s(p.create_and_start_ms)}, started to first query ${s(p.start_to_first_ms)} (the marker proved on ${p.marker_sessions} sessions)`;
  return (
    `run ${r.i} physical (${p.transfer}): P ${s(p.ms)} (${parts}; ready at ${s(p.start_to_ready_ms)} after the start)` +
    `  Q ${s(r.Q.ms)}  P/B ${(p.ms / r.B.ms).toFixed(2)}  P/Q ${(p.ms / r.Q.ms).toFixed(2)}` +
    `  | P memory: tool process VmHWM ${mb(p.memory.self_hwm)} (before the copy: rss ${mb(p.memory.baseline_rss)}); ${kids}` +
    `  | Q memory: pg_basebackup ${r.Q.memory === null ? '?' : mb(r.Q.memory)}`
  );
}

/** The medians of A, B, P and Q, their ratios to B, P's overhead over Q and P's peak memory, as a table. */
export function physicalSummary(results, out) {
  const m = Object.fromEntries(['A', 'B', 'P', 'Q'].map((k) => [k, median(results.map((r) => r[k].ms))]));
  const hwm = Math.max(...results.map((r) => r.P.memory.self_hwm));
  const rows = [
    ['A', "the tool's logical copy (streamed pg_dump | psql)", m.A],
    ['B', 'bare pg_dump | psql', m.B],
    ['P', "the tool's physical copy, to the first query over TCP", m.P],
    ['Q', 'bare pg_basebackup into a host folder', m.Q],
  ];
  out('');
  out(`median of ${results.length} paired runs:`);
  out(`  side  ${'what'.padEnd(54)} median    /B`);
  for (const [k, what, ms] of rows) out(`  ${k}     ${what.padEnd(54)} ${s(ms).padStart(7)}  ${(ms / m.B).toFixed(2)}`);
  const pb = m.P / m.B;
  out(`  A/B ${(m.A / m.B).toFixed(2)}; P/B ${pb.toFixed(2)} (target <= 0.40: ${pb <= 0.4 ? 'met' : 'NOT met'})`);
  const part = (key) => s(median(results.map((r) => r.P[key])));
  const parts =
    results[0].P.transfer === 'stream'
      ? `network + holder ${part('holder_ms')}, base backup streamed in ${part('send_ms')}, started to first query ${part('start_to_first_ms')} (pg_verifybackup in the container among it)`
      : `base backup ${part('backup_ms')}, pg_verifybackup ${part('verify_ms')}, network + holder ${part('holder_ms')}, sent in ${part('send_ms')}, started to first query ${part('start_to_first_ms')}`;
  out(`  P over Q: P-Q ${s(m.P - m.Q)}, P/Q ${(m.P / m.Q).toFixed(2)} (P's parts, medians: ${parts})`);
  out(
    `  peak memory of the tool's process during P: ${mb(hwm)} VmHWM (target < 100 MB: ${hwm < 100 * 1024 ** 2 ? 'met' : 'NOT met'}; the copy's bytes pass through pg_basebackup, dd, tee and docker (folder: tar), never through node)`,
  );
}
