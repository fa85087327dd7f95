import { mkdtemp, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isStale } from './finish-run.js';
import { RunJournal } from './run-journal.js';
import { createRunDir, listRunIds, readRunState, stateRoot } from './run-state.js';

describe('run state', () => {
  it('records each name before its id, in a 0700 folder and a 0600 file', async () => {
    const root = await mkdtemp(join(tmpdir(), 'pgr-state-'));
    const dir = await createRunDir('r1', root);
    const journal = await RunJournal.open('r1', new Date('2026-01-01T00:00:00Z'), root);
    await journal.record({ kind: 'network', name: 'n', id: null });
    expect((await readRunState('r1', root))!.resources).toEqual([{ kind: 'network', name: 'n', id: null }]);
    await journal.record({ kind: 'network', name: 'n', id: 'abc' });
    const state = (await readRunState('r1', root))!;
    expect(state.resources).toEqual([{ kind: 'network', name: 'n', id: 'abc' }]);
    expect(state.owner.pid).toBe(process.pid);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect((await stat(join(dir, 'state.json'))).mode & 0o777).toBe(0o600);
    expect(await listRunIds(root)).toEqual(['r1']);
    expect(await readRunState('nope', root)).toBeNull();
  });

  it('calls a run stale only when its owner is gone', async () => {
    const root = await mkdtemp(join(tmpdir(), 'pgr-state-'));
    await createRunDir('r2', root);
    const state = (await RunJournal.open('r2', new Date(), root)).snapshot();
    expect(isStale(state)).toBe(false);
    expect(isStale(state, () => false)).toBe(true);
  });

  it('honours PG_REHEARSE_STATE_DIR, then XDG_STATE_HOME', () => {
    expect(stateRoot({ PG_REHEARSE_STATE_DIR: '/x' })).toBe('/x');
    expect(stateRoot({ XDG_STATE_HOME: '/s' })).toBe('/s/pg-rehearse');
  });
});
