// A streamed physical copy's WAL, in G1's words and doctor's: does production's wal_keep_size
// cover what it writes while the copy runs (pg/wal-retention.ts decides), and what to do if not.
import { walKeepCoverage, type WalCoverage, type WalRetention } from '../pg/index.js';

export type WalKeepVerdict =
  | { ok: true; coverage: WalCoverage; detail: string }
  | { ok: false; coverage: WalCoverage; problem: string; fix: string };

const mb = (n: number) => `${Math.ceil(n / 1048576)} MB`;

export function walKeepVerdict(
  r: WalRetention,
  opts: { segmentBytes: number; maxRate: string | null; who: string },
): WalKeepVerdict {
  const c = walKeepCoverage(r, opts);
  if (c.covered)
    return {
      ok: true,
      coverage: c,
      detail: `wal_keep_size ${mb(r.keepBytes)} on ${opts.who} covers the WAL a streamed copy fetches at its end (about ${mb(c.needBytes)}: ${c.basis})`,
    };
  return {
    ok: false,
    coverage: c,
    problem: `production's wal_keep_size (${mb(r.keepBytes)} on ${opts.who}) may not cover the WAL it writes while a streamed copy runs (about ${mb(c.needBytes)}: ${c.basis}); the copy fetches that WAL at its end, and a checkpoint could remove it first`,
    fix: `raise wal_keep_size on production to at least ${mb(c.needBytes)} (\`ALTER SYSTEM SET wal_keep_size = '${Math.ceil(c.needBytes / 1048576)}MB'\` and a reload), or set \`production.physical.transfer: folder\` (its WAL streams beside the backup)`,
  };
}
