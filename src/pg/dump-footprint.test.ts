import { describe, expect, it } from 'vitest';
import { behindDump, DumpFootprintTracker } from './dump-footprint.js';
import type { DumpSample, SampledDumpBackend, SampledWaiter } from './dump-sampler.js';

const dump = (over: Partial<SampledDumpBackend> = {}): SampledDumpBackend => ({
  pid: 100,
  xmin_age: 3,
  share_locks: 2,
  waits: [],
  ...over,
});
const waiter = (pid: number, blockedBy: number[], over: Partial<SampledWaiter> = {}): SampledWaiter => ({
  pid,
  role: 'app',
  relation: 'public.account',
  mode: 'AccessExclusiveLock',
  waitstart: null,
  blocked_by: blockedBy,
  query: `q${pid}`,
  query_cut: false,
  ...over,
});
const at = (s: number, dumps: SampledDumpBackend[], waiters: SampledWaiter[] = []): DumpSample => ({
  t: s * 1000,
  at: 50_000 + s * 1000,
  dumps,
  waiters,
});

describe('behindDump', () => {
  it('keeps the sessions that wait for the dump or, through others, behind it; not those another session blocks', () => {
    const ws = [waiter(3, [2]), waiter(2, [100]), waiter(4, [999]), waiter(5, [3, 999])];
    expect(behindDump(100, ws).map((w) => w.pid)).toEqual([2, 3, 5]);
  });
});

describe('DumpFootprintTracker', () => {
  it("holds from the first sample that saw the locks and the xmin to the dump's end, and takes the largest xmin age", () => {
    const t = new DumpFootprintTracker();
    t.sample(at(0, []));
    t.sample(at(1, [dump({ share_locks: 0, xmin_age: 1 })]));
    t.sample(at(2, [dump({ share_locks: 12, xmin_age: 7 })]));
    t.sample(at(3, [dump({ share_locks: 12, xmin_age: 4 })]));
    const f = t.end(50_000 + 3500);
    expect(f).toMatchObject({ samples: 4, pid: 100, relations_locked: 12, xmin_age_max: 7 });
    expect(f.locks_held_ms).toBe(1500);
    expect(f.xmin_held_ms).toBe(2500);
  });

  it('is null for a dump no sample saw', () => {
    const t = new DumpFootprintTracker();
    t.sample(at(0, []));
    expect(t.end(50_200)).toMatchObject({ pid: null, locks_held_ms: null, xmin_held_ms: null, xmin_age_max: null });
  });

  it('ends a hold at the first sample that no longer saw the backend, when that came before the end given', () => {
    const t = new DumpFootprintTracker();
    t.sample(at(1, [dump()]));
    t.sample(at(2, []));
    expect(t.end(50_000 + 9000).locks_held_ms).toBe(1000);
  });

  it("follows the first backend seen, and names the others carrying the dump's name", () => {
    const t = new DumpFootprintTracker();
    t.sample(at(1, [dump({ pid: 100 }), dump({ pid: 200, share_locks: 40 })]));
    t.sample(at(2, [dump({ pid: 300 }), dump({ pid: 100 })]));
    const f = t.end(52_000);
    expect(f.pid).toBe(100);
    expect(f.relations_locked).toBe(2);
    expect(f.other_backends).toEqual([200, 300]);
  });

  it('measures a wait from pg_locks.waitstart, else from the first sample that saw it, to the last; one that came back is two', () => {
    const t = new DumpFootprintTracker();
    const alter = waiter(7, [100], { waitstart: 400 });
    const reader = waiter(8, [7], { mode: 'AccessShareLock' });
    t.sample(at(1, [dump()], [alter]));
    t.sample(at(2, [dump()], [alter, reader]));
    t.sample(at(3, [dump()], [alter, reader, waiter(9, [555])]));
    t.sample(at(4, [dump()], []));
    t.sample(at(5, [dump()], [{ ...reader, blocked_by: [100] }]));
    const f = t.end(56_000);
    expect(f.waiters.map((w) => [w.pid, w.mode, w.waited_ms])).toEqual([
      [7, 'AccessExclusiveLock', 2600],
      [8, 'AccessShareLock', 1000],
      [8, 'AccessShareLock', 0],
    ]);
    expect(f.waiters[0]).toMatchObject({ blocked_by: [100], query: 'q7', relation: 'public.account', role: 'app' });
  });

  it('keeps the locks the dump waited for itself, with who held them, the latest last', () => {
    const t = new DumpFootprintTracker();
    const blocker = { pid: 5, role: 'migrator', query: 'ALTER TABLE b', query_cut: false };
    const onB = { relation: 'public.b', mode: 'AccessShareLock', blockers: [blocker] };
    const onC = { relation: 'public.c', mode: 'AccessShareLock', blockers: [] };
    t.sample(at(1, [dump({ waits: [onB] })]));
    t.sample(at(2, [dump({ waits: [onC] })]));
    t.sample(at(3, [dump({ waits: [onB] })]));
    // The one it waited for last comes last.
    expect(t.end(53_500).own_waits).toEqual([onC, onB]);
  });
});
