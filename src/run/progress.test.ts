import { describe, expect, it } from 'vitest';
import { bytesProgress, silentProgress, type Progress } from './progress.js';
import type { RunEvent } from './run-events.js';

const MiB = 1024 ** 2;

/** A progress that keeps its events and notes, and a clock the test moves. */
function recording() {
  const events: RunEvent[] = [];
  const notes: string[] = [];
  let t = 0;
  const progress: Progress = { ...silentProgress, event: (e) => events.push(e), note: (m) => notes.push(m) };
  return { progress, events, notes, now: () => t, advance: (ms: number) => (t += ms) };
}

describe('bytesProgress', () => {
  it('tells the bytes done at once, then at most once a second, with no total for a dump', () => {
    const r = recording();
    const tell = bytesProgress(r.progress, 'dump', { now: r.now });
    tell(100);
    r.advance(400);
    tell(200);
    r.advance(600);
    tell(300);
    r.advance(999);
    tell(400);
    expect(r.events).toEqual([
      { type: 'progress', what: 'dump', bytes: 100, total_bytes: null },
      { type: 'progress', what: 'dump', bytes: 300, total_bytes: null },
    ]);
  });

  it('tells a restore with its known total, and once more when the total is reached', () => {
    const r = recording();
    const tell = bytesProgress(r.progress, 'restore', { totalBytes: 1000, now: r.now });
    tell(10);
    r.advance(10);
    tell(1000);
    tell(1000);
    expect(r.events.map((e) => e.type === 'progress' && [e.bytes, e.total_bytes])).toEqual([
      [10, 1000],
      [1000, 1000],
    ]);
  });

  it('keeps its note every 64 MiB under its label', () => {
    const r = recording();
    const tell = bytesProgress(r.progress, 'dump', { label: 'dump (streamed into the restore)', now: r.now });
    tell(10 * MiB);
    tell(70 * MiB);
    tell(100 * MiB);
    expect(r.notes).toEqual(['  dump (streamed into the restore): 70 MiB']);
  });
});
