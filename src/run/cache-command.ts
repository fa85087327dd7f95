// `rehearse cache ls` / `rehearse cache prune [--older-than D] [--key KEY]`: snapshots of cached
// restores, managed by exact key (each removal checks the image's io.pg-rehearse.cache label).
import { dockerClient, listSnapshots, removeSnapshot } from '../engine/index.js';
import { UsageError } from '../errors.js';
import { plural } from '../plural.js';
import type { Progress } from './progress.js';

/** "90s", "30m", "12h", "7d" -> milliseconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+)\s*(s|m|h|d)$/.exec(text.trim());
  if (!m) throw new UsageError(`Expected \`--older-than\` like 30m, 12h or 7d, got \`${text}\``);
  const unit = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as 's' | 'm' | 'h' | 'd'];
  return Number(m[1]) * unit;
}

export async function cacheList(progress: Progress): Promise<number> {
  const snaps = await listSnapshots(dockerClient());
  if (snaps.length === 0) progress.note('no cached restores');
  for (const s of snaps)
    progress.data(`${s.key}  ${s.tag}  created ${s.createdAt}  ${(s.bytes / 1024 ** 2).toFixed(0)} MiB`);
  return 0;
}

export async function cachePrune(
  opts: { olderThan?: string | undefined; key?: string | undefined },
  progress: Progress,
  now = new Date(),
): Promise<number> {
  const docker = dockerClient();
  const cutoff = opts.olderThan ? now.getTime() - parseDuration(opts.olderThan) : null;
  if (opts.key !== undefined && !/^[0-9a-f]{64}$/.test(opts.key))
    throw new UsageError(
      `Expected \`--key\` to be a 64-hex cache key (see \`rehearse cache ls\`), got \`${opts.key}\``,
    );
  const snaps = (await listSnapshots(docker)).filter(
    (s) => (opts.key ? s.key === opts.key : true) && (cutoff === null || Date.parse(s.createdAt) < cutoff),
  );
  let removed = 0;
  for (const s of snaps) {
    if (await removeSnapshot(docker, s.key)) {
      removed++;
      progress.data(`removed ${s.tag} (key ${s.key})`);
    }
  }
  progress.note(`${plural(removed, 'cached restore')} removed`);
  return 0;
}
