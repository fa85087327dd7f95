import { mkdtemp, readdir, stat, utimes, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { settleRunState } from './finish-run.js';
import {
  FINISHED_KEEP_MS,
  finishedDir,
  finishedRecordPath,
  pruneFinishedRuns,
  readFinishedRun,
  writeFinishedRun,
  type FinishedRun,
} from './finished-run.js';
import { combinePasses } from './reaper-passes.js';
import { RunJournal } from './run-journal.js';
import { createRunDir, readRunState, runDir } from './run-state.js';
import type { TeardownOutcome } from './teardown.js';

const DAY = 86_400_000;
const record = (runId: string, finishedAt: Date): FinishedRun => ({
  version: 1,
  runId,
  createdAt: finishedAt.toISOString(),
  finishedAt: finishedAt.toISOString(),
  finishedBy: 'reaper',
  ownerPid: 4242,
  resources: [],
  secrets: [],
  ms: 10,
  reaperLog: null,
});
const complete = (runId: string): TeardownOutcome => ({
  runId,
  complete: true,
  ms: 12,
  resources: [
    {
      kind: 'container',
      name: 'pg-x',
      id: 'c1',
      action: 'removed',
      gone: true,
      proof: 'inspect pg-x and c1: 404',
      detail: null,
    },
  ],
  secrets: [{ path: '/s/pw', shredded: true, detail: null }],
});

describe('the record of a finished run', () => {
  it('is kept with the reaper log when teardown proved everything gone, and the run folder goes', async () => {
    const root = await mkdtemp(join(tmpdir(), 'pgr-finished-'));
    await createRunDir('r1', root);
    await writeFile(
      join(runDir('r1', root), 'reaper.log'),
      'reaper r1: watching owner 1\nreaper r1: owner is gone; tearing down\n',
    );
    const state = (await RunJournal.open('r1', new Date('2026-01-01T00:00:00Z'), root)).snapshot();
    const now = new Date('2026-01-01T00:00:05Z');
    const settled = await settleRunState(state, complete('r1'), root, 'reaper', now);
    expect(settled).toEqual({ record: finishedRecordPath('r1', root), problems: [] });
    expect(existsSync(runDir('r1', root))).toBe(false);
    const r = (await readFinishedRun('r1', root))!;
    expect(r).toMatchObject({
      runId: 'r1',
      finishedBy: 'reaper',
      finishedAt: '2026-01-01T00:00:05.000Z',
      ownerPid: process.pid,
      createdAt: '2026-01-01T00:00:00.000Z',
    });
    expect(r.resources[0]).toMatchObject({ kind: 'container', name: 'pg-x', action: 'removed', gone: true });
    expect(r.reaperLog).toContain('owner is gone; tearing down');
    expect((await stat(finishedDir(root))).mode & 0o777).toBe(0o700);
    expect((await stat(finishedRecordPath('r1', root))).mode & 0o777).toBe(0o600);
  });

  it('is not kept when teardown was incomplete: the run stays recorded, marked so', async () => {
    const root = await mkdtemp(join(tmpdir(), 'pgr-finished-'));
    await createRunDir('r2', root);
    const state = (await RunJournal.open('r2', new Date(), root)).snapshot();
    const incomplete = { ...complete('r2'), complete: false };
    expect(await settleRunState(state, incomplete, root, 'reaper')).toEqual({ record: null, problems: [] });
    expect((await readRunState('r2', root))!.status).toBe('teardown-incomplete');
    expect(await readFinishedRun('r2', root)).toBeNull();
  });

  it('is pruned after a week, by its finishedAt on an injected clock; younger ones stay', async () => {
    const root = await mkdtemp(join(tmpdir(), 'pgr-finished-'));
    const now = new Date('2026-03-10T12:00:00Z');
    await writeFinishedRun(record('old', new Date(now.getTime() - FINISHED_KEEP_MS - 1)), root);
    await writeFinishedRun(record('edge', new Date(now.getTime() - FINISHED_KEEP_MS)), root);
    await writeFinishedRun(record('young', new Date(now.getTime() - 6 * DAY)), root);
    // A record that cannot be read goes by its file's age.
    const broken = join(finishedDir(root), 'broken.json');
    await writeFile(broken, '{ not json');
    await utimes(broken, new Date(now.getTime() - 8 * DAY), new Date(now.getTime() - 8 * DAY));
    expect(await pruneFinishedRuns(root, now)).toEqual(['broken', 'old']);
    expect((await readdir(finishedDir(root))).sort()).toEqual(['edge.json', 'young.json']);
    expect(await pruneFinishedRuns(root, new Date(now.getTime() + 1))).toEqual(['edge']);
    expect(await pruneFinishedRuns(root, new Date(now.getTime() + DAY + 1))).toEqual(['young']);
    expect(await pruneFinishedRuns(await mkdtemp(join(tmpdir(), 'pgr-finished-')), now)).toEqual([]);
  });

  it('prunes records past their week whenever a run is finished', async () => {
    const root = await mkdtemp(join(tmpdir(), 'pgr-finished-'));
    const now = new Date('2026-03-10T12:00:00Z');
    await writeFinishedRun(record('old', new Date(now.getTime() - 8 * DAY)), root);
    await createRunDir('r3', root);
    const state = (await RunJournal.open('r3', now, root)).snapshot();
    await settleRunState(state, complete('r3'), root, 'owner', now);
    expect((await readdir(finishedDir(root))).sort()).toEqual(['r3.json']);
  });
});

describe('combinePasses', () => {
  it("keeps what the reaper's first pass removed, with the second pass's proof", () => {
    const first = complete('r1');
    const second: TeardownOutcome = {
      ...complete('r1'),
      ms: 3,
      resources: [
        {
          kind: 'container',
          name: 'pg-x',
          id: null,
          action: 'already-gone',
          gone: true,
          proof: 'inspect pg-x: 404',
          detail: null,
        },
      ],
    };
    const both = combinePasses(first, second);
    expect(both.resources).toEqual([
      {
        kind: 'container',
        name: 'pg-x',
        id: 'c1',
        action: 'removed',
        gone: true,
        proof: 'inspect pg-x: 404',
        detail: null,
      },
    ]);
    expect(both.ms).toBe(15);
    // Something the second pass removed (created after the first looked) stays removed.
    const late = combinePasses({ ...first, resources: [{ ...first.resources[0]!, action: 'already-gone' }] }, first);
    expect(late.resources[0]!.action).toBe('removed');
  });
});
