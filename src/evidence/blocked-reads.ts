// The probe's reads (pg/read-probe.ts) as what a concurrent reader would have waited: per table,
// the longest stretch of reads that hit their lock_timeout, from the start of the first to the
// end of the last, plus the wait of the read after it when that one waited for its lock. The
// figure is a lower bound within about one probe interval; the statement is what took ACCESS
// EXCLUSIVE on the table by the lock evidence, else what the holder ran when a blocked read gave up.
import type { LockEvidence } from './lock-timeline.js';
import { CUT_BY_SOURCE } from './redact.js';

export interface ProbedRead {
  relation: string;
  at: number;
  ms: number;
  blocked: boolean;
  by: string | null;
  by_cut: boolean;
}

export interface BlockedRead {
  relation: string;
  /** 0: every read of it went through. */
  blocked_read_ms: number;
  /** Unredacted; marked with CUT_BY_SOURCE when the server kept only its start. Null: not blocked, or no holder seen. */
  statement: string | null;
}

/** A read that waited this long or more for its lock went through after a wait. */
const WAITED_MS = 2;

/** Per table probed, the longest time a plain read was blocked and by which statement; by table name. */
export function blockedReads(reads: readonly ProbedRead[]): BlockedRead[] {
  const byTable = new Map<string, ProbedRead[]>();
  for (const r of reads) byTable.set(r.relation, [...(byTable.get(r.relation) ?? []), r]);
  const out: BlockedRead[] = [];
  for (const [relation, rs] of byTable) {
    const sorted = [...rs].sort((a, b) => a.at - b.at);
    let best: BlockedRead = { relation, blocked_read_ms: 0, statement: null };
    for (let i = 0; i < sorted.length; i++) {
      if (!sorted[i]!.blocked) continue;
      let j = i;
      while (j + 1 < sorted.length && sorted[j + 1]!.blocked) j++;
      const run = sorted.slice(i, j + 1);
      const next = sorted[j + 1];
      const end = run[run.length - 1]!.at + run[run.length - 1]!.ms;
      const ms = end - run[0]!.at + (next && next.ms >= WAITED_MS ? next.ms : 0);
      const holder = run.find((r) => r.by !== null);
      if (ms > best.blocked_read_ms)
        best = {
          relation,
          blocked_read_ms: Math.round(ms),
          statement: holder ? `${holder.by}${holder.by_cut ? CUT_BY_SOURCE : ''}` : null,
        };
      i = j;
    }
    out.push(best);
  }
  return out.sort((a, b) => a.relation.localeCompare(b.relation));
}

/**
 * The statement each blocked read queued behind, as the lock evidence names it: the one that took
 * ACCESS EXCLUSIVE on that table (pg_stat_activity, which the probe reads, shows what the holding
 * backend runs now, often a later statement of the same transaction); the probe's when none did.
 */
export function withHolders(reads: readonly BlockedRead[], evidence: readonly LockEvidence[]): BlockedRead[] {
  return reads.map((r) => {
    if (r.blocked_read_ms === 0) return r;
    const taker = evidence.find((e) => e.relation === r.relation && e.mode === 'ACCESS EXCLUSIVE');
    return taker ? { ...r, statement: taker.statement } : r;
  });
}
