// What the samples of production say about the dump's footprint, folded one sample at a time
// (memory follows the number of waiters, not the length of the dump): which backend is the
// dump's, from when it held its ACCESS SHARE locks and its snapshot's xmin, how old that xmin got,
// and every session that waited on it, directly or queued behind a session that waits on it.
import type { DumpSample, SampledSession, SampledWaiter } from './dump-sampler.js';

export interface DumpWaiter {
  pid: number;
  role: string | null;
  relation: string;
  mode: string;
  /** At least this long: from its wait's start (or the first sample that saw it) to the last sample that saw it. */
  waited_ms: number;
  /** The sessions the server said it waited for, at the last sample that saw it. */
  blocked_by: number[];
  query: string | null;
  query_cut: boolean;
}

/** A lock the dump itself waited for, and who held it when last seen. */
export interface DumpOwnWait {
  relation: string;
  mode: string;
  blockers: SampledSession[];
}

export interface DumpFootprintFacts {
  samples: number;
  /** The dump's backend; null when no sample saw it (a dump shorter than the sampling interval). */
  pid: number | null;
  /** From the first sample seeing it hold ACCESS SHARE to the dump's end; null when never seen holding. */
  locks_held_ms: number | null;
  /** The most relations it held ACCESS SHARE on in one sample. */
  relations_locked: number;
  /** From the first sample seeing its backend_xmin to the dump's end; null when never seen. */
  xmin_held_ms: number | null;
  /** The largest age(backend_xmin) seen, in transactions. */
  xmin_age_max: number | null;
  waiters: DumpWaiter[];
  /** The locks it waited for itself, by relation. */
  own_waits: DumpOwnWait[];
  /** Other backends that carried the dump's application name and the tool's role: ignored. */
  other_backends: number[];
}

type OpenWait = DumpWaiter & { from: number };

/** A span of samples: from the first that saw it (host ms) to the first after that no longer did. */
interface Span {
  from: number | null;
  until: number | null;
}

const see = (span: Span, seen: boolean, at: number) => {
  if (seen) {
    span.from ??= at;
    span.until = null;
  } else if (span.from !== null) span.until ??= at;
};

export class DumpFootprintTracker {
  private samples = 0;
  private pid: number | null = null;
  private readonly others = new Set<number>();
  private readonly locks: Span = { from: null, until: null };
  private readonly xmin: Span = { from: null, until: null };
  private gone: number | null = null;
  private relationsLocked = 0;
  private xminAgeMax: number | null = null;
  private readonly open = new Map<string, OpenWait>();
  private readonly done: DumpWaiter[] = [];
  private readonly ownWaits = new Map<string, DumpOwnWait>();

  /** Take one sample. */
  sample(s: DumpSample): void {
    this.samples++;
    if (this.pid === null && s.dumps.length > 0) this.pid = Math.min(...s.dumps.map((d) => d.pid));
    for (const d of s.dumps) if (d.pid !== this.pid) this.others.add(d.pid);
    const dump = s.dumps.find((d) => d.pid === this.pid);
    if (!dump) {
      if (this.pid !== null) this.gone ??= s.at;
      this.waitersSeen([], s.t);
      return;
    }
    see(this.locks, dump.share_locks > 0, s.at);
    see(this.xmin, dump.xmin_age !== null, s.at);
    this.relationsLocked = Math.max(this.relationsLocked, dump.share_locks);
    if (dump.xmin_age !== null) this.xminAgeMax = Math.max(this.xminAgeMax ?? 0, dump.xmin_age);
    // Last seen last: the lock it waited for most recently is the one a lock wait timeout names.
    for (const w of dump.waits) {
      const key = `${w.relation}\u0000${w.mode}`;
      this.ownWaits.delete(key);
      this.ownWaits.set(key, w);
    }
    this.waitersSeen(behindDump(dump.pid, s.waiters), s.t);
  }

  /** Every waiter as one span per stretch of samples that saw it waiting: one that went and came back is two. */
  private waitersSeen(waiters: readonly SampledWaiter[], t: number): void {
    const now = new Set<string>();
    for (const w of waiters) {
      const key = `${w.pid}\u0000${w.relation}\u0000${w.mode}`;
      now.add(key);
      const had = this.open.get(key);
      const from = Math.min(had?.from ?? t, w.waitstart ?? t);
      const { waitstart: _w, ...kept } = w;
      this.open.set(key, {
        ...kept,
        query: had?.query ?? w.query,
        query_cut: had?.query_cut ?? w.query_cut,
        from,
        waited_ms: Math.max(0, t - from),
      });
    }
    for (const [key, w] of this.open)
      if (!now.has(key)) {
        this.done.push(waiterOf(w));
        this.open.delete(key);
      }
  }

  /** The facts, with the dump's end (host ms, the same clock as the samples' `at`). */
  end(endedAt: number): DumpFootprintFacts {
    const until = (span: Span) =>
      span.from === null
        ? null
        : Math.max(0, Math.min(span.until ?? endedAt, this.gone ?? endedAt, endedAt) - span.from);
    return {
      samples: this.samples,
      pid: this.pid,
      locks_held_ms: until(this.locks),
      relations_locked: this.relationsLocked,
      xmin_held_ms: until(this.xmin),
      xmin_age_max: this.xminAgeMax,
      waiters: [...this.done, ...[...this.open.values()].map(waiterOf)].sort((a, b) => b.waited_ms - a.waited_ms),
      own_waits: [...this.ownWaits.values()],
      other_backends: [...this.others].sort((a, b) => a - b),
    };
  }
}

const waiterOf = ({ from: _from, ...w }: OpenWait): DumpWaiter => w;

/** The waiters that wait for the dump, or for a session that (transitively) waits for it: a reader queued behind an ALTER that waits on the dump. */
export function behindDump(dumpPid: number, waiters: readonly SampledWaiter[]): SampledWaiter[] {
  const behind = new Set<number>([dumpPid]);
  const found: SampledWaiter[] = [];
  let grew = true;
  while (grew) {
    grew = false;
    for (const w of waiters) {
      if (found.includes(w) || !w.blocked_by.some((p) => behind.has(p))) continue;
      found.push(w);
      behind.add(w.pid);
      grew = true;
    }
  }
  return found;
}
