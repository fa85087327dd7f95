import { describe, expect, it } from 'vitest';
import { environmentBaseline, runningServer } from '../test-support/environment-fixture.js';
import { environmentFaults, type EnvironmentObservation } from './environment-health.js';

const baseline = environmentBaseline();
const running = runningServer(baseline);
const at = '2026-12-01T21:05:00.000Z';
const seen = (o: Partial<EnvironmentObservation>): EnvironmentObservation => ({
  at,
  server: running,
  holders: [],
  answer: { ok: true, postmasterStart: baseline.postmasterStart, serverVersion: '15' },
  engineError: null,
  ...o,
});

describe('environmentFaults', () => {
  it('finds nothing when the same container runs and the same server answers', () => {
    expect(environmentFaults(baseline, seen({}))).toEqual([]);
  });

  it('says what died and when: the container killed, gone, restarted, replaced or paused', () => {
    expect(
      environmentFaults(
        baseline,
        seen({
          server: { ...running, running: false, exitCode: 137, finishedAt: '2026-12-01T21:04:59.9Z' },
          answer: null,
        }),
      ),
    ).toEqual([
      `the dry-run server's container pgr-env (aaaaaaaaaaaa) died: it exited with code 137 at 2026-12-01T21:04:59.9Z`,
    ]);
    expect(environmentFaults(baseline, seen({ server: null, answer: null }))[0]).toBe(
      `the dry-run server's container pgr-env (aaaaaaaaaaaa) is gone (seen at ${at})`,
    );
    expect(
      environmentFaults(baseline, seen({ server: { ...running, startedAt: '2026-12-01T21:04:00Z' } }))[0],
    ).toContain('restarted at 2026-12-01T21:04:00Z');
    expect(environmentFaults(baseline, seen({ server: { ...running, id: 'b'.repeat(64) } }))[0]).toContain(
      'was replaced by another container bbbbbbbbbbbb',
    );
    expect(environmentFaults(baseline, seen({ server: { ...running, paused: true }, answer: null }))[0]).toBe(
      `the dry-run server's container pgr-env (aaaaaaaaaaaa) is paused (seen at ${at})`,
    );
    expect(
      environmentFaults(
        baseline,
        seen({ server: { ...running, running: false, exitCode: 137, oomKilled: true }, answer: null }),
      )[0],
    ).toContain('(killed for lack of memory)');
  });

  it('says when the server does not answer, or its postmaster restarted inside the same container', () => {
    expect(environmentFaults(baseline, seen({ answer: { ok: false, error: 'no answer within 5000 ms' } }))).toEqual([
      `the dry-run server in pgr-env did not answer at ${at}: no answer within 5000 ms`,
    ]);
    expect(
      environmentFaults(
        baseline,
        seen({ answer: { ok: true, postmasterStart: '2026-12-01 21:04:30+00', serverVersion: '15' } }),
      )[0],
    ).toContain('its postmaster started at 2026-12-01 21:04:30+00, not 2026-12-01 21:00:01.5+00');
  });

  it("checks the network holders (the copy's, the runner's), and says when the engine itself did not answer", () => {
    const copyHolder = {
      role: "the copy's network holder",
      name: 'pgr-env-netns',
      id: 'd'.repeat(64),
      startedAt: 'T0',
    };
    const runnerHolder = {
      role: "the runner's network holder",
      name: 'pgr-env-holder',
      id: 'c'.repeat(64),
      startedAt: 'T0',
    };
    const withHolders = { ...baseline, holders: [copyHolder, runnerHolder] };
    const runningAs = (h: typeof copyHolder) => ({ ...running, id: h.id, name: h.name, startedAt: 'T0' });
    const both = [runningAs(copyHolder), runningAs(runnerHolder)];
    expect(environmentFaults(withHolders, seen({ holders: both }))).toEqual([]);
    expect(environmentFaults(withHolders, seen({ holders: [both[0]!, null] }))).toEqual([
      `the runner's network holder pgr-env-holder (cccccccccccc) is gone (seen at ${at})`,
    ]);
    // The copy's holder dead, the server behind it not answering: the holder is named first.
    expect(
      environmentFaults(
        withHolders,
        seen({
          holders: [{ ...both[0]!, running: false, exitCode: 137, finishedAt: '2026-12-01T21:04:59.9Z' }, both[1]!],
          answer: { ok: false, error: 'connect ECONNREFUSED 127.0.0.1:5999' },
        }),
      ),
    ).toEqual([
      "the copy's network holder pgr-env-netns (dddddddddddd) died: it exited with code 137 at 2026-12-01T21:04:59.9Z",
      `the dry-run server in pgr-env did not answer at ${at}: connect ECONNREFUSED 127.0.0.1:5999`,
    ]);
    expect(
      environmentFaults(
        baseline,
        seen({ server: undefined, holders: undefined, engineError: 'connect ENOENT /var/run/docker.sock' }),
      ),
    ).toEqual([`the Docker engine did not answer at ${at}: connect ENOENT /var/run/docker.sock`]);
  });
});
