import { describe, expect, it } from 'vitest';
import type { Report } from '../config/index.js';
import { compareReports, regressions } from './progress.js';

type Status = 'PASS' | 'FAIL' | 'INCONCLUSIVE' | 'NOT_RUN';

function report(
  statuses: Record<string, Status>,
  failure: {
    gate: string;
    scenario: string | null;
    exception?: string;
    location?: string;
    classification?: 'sut' | 'environment';
  } | null,
  commit = 'a'.repeat(40),
): Report {
  return {
    run_id: `run-${commit.slice(0, 4)}`,
    execution_status: failure ? (failure.classification === 'environment' ? 'INCONCLUSIVE' : 'FAIL') : 'PASS',
    accepted_commit: commit,
    scenarios: Object.entries(statuses).map(([id, status]) => ({ id, title: id, status })),
    gates: [{ id: 'G0', status: 'PASS' }],
    artefacts: [{ path: 'rehearse.yaml', sha256: commit }],
    failure: failure && {
      gate: failure.gate,
      scenario: failure.scenario,
      classification: failure.classification ?? 'sut',
      exception: failure.exception
        ? { name: failure.exception, message: '', location: failure.location ?? null }
        : null,
    },
  } as unknown as Report;
}

describe('compareReports', () => {
  it('shows S6 FAIL -> PASS and the later scenarios NOT_RUN -> PASS, the prior failure resolved', () => {
    const prior = report(
      { S5: 'PASS', S6: 'FAIL', S7: 'NOT_RUN' },
      { gate: 'S6', scenario: 'S6', exception: 'TypeError', location: 'src/phases.ts:89:15' },
    );
    const now = report({ S5: 'PASS', S6: 'PASS', S7: 'PASS' }, null, 'b'.repeat(40));
    const p = compareReports(prior, now, '/prior/report.json', 'c'.repeat(64));
    expect(p.scenarios.map((s) => [s.id, s.prior, s.current, s.change])).toEqual([
      ['S5', 'PASS', 'PASS', 'PASS (unchanged)'],
      ['S6', 'FAIL', 'PASS', 'FAIL -> PASS'],
      ['S7', 'NOT_RUN', 'PASS', 'NOT_RUN -> PASS'],
    ]);
    expect(p.failure).toBe('resolved');
    expect(p.prior_failure).toEqual({
      gate: 'S6',
      classification: 'sut',
      exception: 'TypeError at src/phases.ts:89:15',
    });
    expect(p.artefacts_changed).toEqual(['rehearse.yaml']);
    expect(regressions(p)).toEqual([]);
  });

  it('tells the same failure (gate, classification, exception and location) from a new one', () => {
    const a = report(
      { S6: 'FAIL' },
      { gate: 'S6', scenario: 'S6', exception: 'TypeError', location: 'src/phases.ts:89:15' },
    );
    expect(compareReports(a, a, 'p', 's').failure).toBe('same');
    const b = report(
      { S6: 'FAIL' },
      { gate: 'S6', scenario: 'S6', exception: 'TypeError', location: 'src/phases.ts:120:3' },
    );
    expect(compareReports(a, b, 'p', 's').failure).toBe('new');
  });

  it('accepts a prior INCONCLUSIVE run and counts PASS -> anything else as a regression', () => {
    const prior = report({ S1: 'PASS', S2: 'PASS' }, null);
    const now = report(
      { S1: 'PASS', S2: 'INCONCLUSIVE' },
      { gate: 'S2', scenario: 'S2', classification: 'environment' },
    );
    const p = compareReports(prior, now, 'p', 's');
    expect(p.failure).toBe('regressed');
    expect(p.current_status).toBe('INCONCLUSIVE');
    expect(regressions(p)).toEqual(['S2']);
    expect(compareReports(now, prior, 'p', 's').failure).toBe('resolved');
  });
});
