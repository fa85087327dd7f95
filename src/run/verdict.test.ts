import { describe, expect, it } from 'vitest';
import { decideVerdict, interruptedResult, interruptionAlerts, placeOf, type Outcome, type Span } from './verdict.js';

const pass = (id: string): Outcome => ({ id, status: 'PASS', classification: null });
const all = ['G0', 'G1', 'G2', 'G3', 'G4', 'G5', 'S1', 'S2', 'G6', 'G7', 'G8'].map(pass);

describe('decideVerdict', () => {
  it('is PASS with exit 0 only when every gate and scenario passed and production is unchanged', () => {
    expect(decideVerdict({ outcomes: all, productionUnchanged: true, teardownComplete: true })).toEqual({
      verdict: 'PASS',
      decidedBy: null,
      classification: null,
      exitCode: 0,
    });
  });

  it('takes the first non-PASS result, keeping its classification', () => {
    const outcomes = all.map((o) =>
      o.id === 'S2'
        ? { ...o, status: 'FAIL' as const, classification: 'sut' as const }
        : o.id === 'G6'
          ? { ...o, status: 'FAIL' as const, classification: 'sut' as const }
          : o,
    );
    expect(decideVerdict({ outcomes, productionUnchanged: true, teardownComplete: true })).toMatchObject({
      verdict: 'FAIL',
      decidedBy: 'S2',
      classification: 'sut',
      exitCode: 1,
    });
  });

  it('is INCONCLUSIVE (3) for an environment failure, never FAIL', () => {
    const outcomes = all.map((o) =>
      o.id === 'G3' ? { ...o, status: 'INCONCLUSIVE' as const, classification: 'environment' as const } : o,
    );
    expect(decideVerdict({ outcomes, productionUnchanged: true, teardownComplete: true })).toMatchObject({
      verdict: 'INCONCLUSIVE',
      classification: 'environment',
      exitCode: 3,
    });
  });

  it('turns an otherwise PASS run INCONCLUSIVE when production changed or could not be checked', () => {
    expect(decideVerdict({ outcomes: all, productionUnchanged: false, teardownComplete: true })).toMatchObject({
      verdict: 'INCONCLUSIVE',
      decidedBy: 'G8',
      exitCode: 3,
    });
    expect(decideVerdict({ outcomes: all, productionUnchanged: null, teardownComplete: true })).toMatchObject({
      verdict: 'INCONCLUSIVE',
    });
  });

  it('never lets a production change or a teardown turn a FAIL into anything else but keeps exit 4 for an incomplete teardown', () => {
    const outcomes = all.map((o) =>
      o.id === 'S1' ? { ...o, status: 'FAIL' as const, classification: 'sut' as const } : o,
    );
    expect(decideVerdict({ outcomes, productionUnchanged: false, teardownComplete: true })).toMatchObject({
      verdict: 'FAIL',
      exitCode: 1,
    });
    expect(decideVerdict({ outcomes, productionUnchanged: true, teardownComplete: false })).toMatchObject({
      verdict: 'FAIL',
      exitCode: 4,
    });
    expect(decideVerdict({ outcomes: all, productionUnchanged: true, teardownComplete: false })).toMatchObject({
      verdict: 'PASS',
      exitCode: 4,
    });
  });

  it('never calls a run with a NOT_RUN part and no failure a PASS', () => {
    const outcomes = all.map((o) => (o.id === 'S2' ? { ...o, status: 'NOT_RUN' as const } : o));
    expect(decideVerdict({ outcomes, productionUnchanged: true, teardownComplete: true })).toMatchObject({
      verdict: 'INCONCLUSIVE',
      classification: 'tool',
    });
  });
});

describe('an interruption', () => {
  const inconclusive = (id: string) => (o: Outcome) =>
    o.id === id ? { ...o, status: 'INCONCLUSIVE' as const, classification: 'environment' as const } : o;

  it('makes a run INCONCLUSIVE (3) where it landed in a closing gate and nothing failed before it; 4 when teardown is incomplete', () => {
    for (const gate of ['G6', 'G7', 'G8']) {
      expect(
        decideVerdict({
          outcomes: all.map(inconclusive(gate)),
          productionUnchanged: true,
          teardownComplete: true,
          interruptedIn: gate,
        }),
      ).toMatchObject({ verdict: 'INCONCLUSIVE', decidedBy: gate, classification: 'environment', exitCode: 3 });
    }
    expect(
      decideVerdict({
        outcomes: all.map(inconclusive('G7')),
        productionUnchanged: true,
        teardownComplete: false,
        interruptedIn: 'G7',
      }),
    ).toMatchObject({ verdict: 'INCONCLUSIVE', exitCode: 4 });
  });

  it('is never PASS, even where every record says PASS', () => {
    expect(
      decideVerdict({ outcomes: all, productionUnchanged: true, teardownComplete: true, interruptedIn: 'G8' }),
    ).toMatchObject({ verdict: 'INCONCLUSIVE', decidedBy: 'G8', classification: 'environment', exitCode: 3 });
  });

  it('leaves an earlier FAIL the verdict', () => {
    const outcomes = all
      .map((o) => (o.id === 'S1' ? { ...o, status: 'FAIL' as const, classification: 'sut' as const } : o))
      .map(inconclusive('G6'));
    expect(
      decideVerdict({ outcomes, productionUnchanged: true, teardownComplete: true, interruptedIn: 'G6' }),
    ).toMatchObject({ verdict: 'FAIL', decidedBy: 'S1', classification: 'sut', exitCode: 1 });
  });
});

describe('interruptedResult', () => {
  it('is INCONCLUSIVE (environment) whatever the gate gave, naming the signal and the gate, and keeps what the gate gave', () => {
    expect(interruptedResult('SIGINT', 'G7', 'during', { status: 'PASS', message: null })).toEqual({
      status: 'INCONCLUSIVE',
      classification: 'environment',
      message: 'interrupted by SIGINT during G7',
    });
    expect(
      interruptedResult('SIGHUP', 'S3', 'during', {
        status: 'FAIL',
        message: 'step "mark": exit code: expected 0, got 143',
      }).message,
    ).toBe('interrupted by SIGHUP during S3; S3 itself ended FAIL: step "mark": exit code: expected 0, got 143');
    expect(interruptedResult('SIGTERM', 'G0', 'before', { status: 'PASS', message: null }).message).toBe(
      'interrupted by SIGTERM received before G0 started',
    );
    expect(interruptedResult('SIGTERM', 'G8', 'after', { status: 'PASS', message: null }).message).toBe(
      'interrupted by SIGTERM received after G8, while the report was written',
    );
  });
});

describe('placeOf and interruptionAlerts', () => {
  const spans: Span[] = [
    { id: 'G3', from: 100, to: 200 },
    { id: 'G2', from: 250, to: 300 },
    { id: 'G4', from: 210, to: 400 },
    { id: 'G7', from: 500, to: 600 },
  ];

  it('names the innermost gate running, else the gates around the moment', () => {
    expect(placeOf(150, spans)).toBe('during G3');
    expect(placeOf(260, spans)).toBe('during G2');
    expect(placeOf(220, spans)).toBe('during G4');
    expect(placeOf(450, spans)).toBe('after G4, before G7');
    expect(placeOf(700, spans)).toBe('after G7');
    expect(placeOf(50, spans)).toBe('before G3');
  });

  it('within one millisecond: a scenario cut short at once and the gate after it share a timestamp', () => {
    // S1 started, was interrupted and ended in the millisecond G6 started (seen in CI): S1 is where it landed.
    const same: Span[] = [
      { id: 'S1', from: 1000, to: 1000 },
      { id: 'G6', from: 1000, to: 1040 },
    ];
    expect(placeOf(1000, same)).toBe('during S1');
    // A signal in S1's last millisecond, as G6 starts: the gate it landed in (the hint) decides.
    const edge: Span[] = [
      { id: 'S1', from: 990, to: 1000 },
      { id: 'G6', from: 1000, to: 1040 },
    ];
    expect(placeOf(1000, edge, 'S1')).toBe('during S1');
    expect(placeOf(1000, edge, 'G5')).toBe('during G6');
    const log = [{ signal: 'SIGINT' as const, at: new Date(1000) }];
    expect(interruptionAlerts(log, 'S1', edge, true)[0]).toMatch(/^INTERRUPTED by SIGINT during S1 /);
  });

  it('records the signal that counted and every later one, not counted again', () => {
    const log = [
      { signal: 'SIGINT' as const, at: new Date(520) },
      { signal: 'SIGINT' as const, at: new Date(560) },
      { signal: 'SIGTERM' as const, at: new Date(650) },
    ];
    const alerts = interruptionAlerts(log, 'G7', spans, true);
    expect(alerts).toHaveLength(3);
    expect(alerts[0]).toMatch(
      /^INTERRUPTED by SIGINT during G7 \(at 1970-01-01T00:00:00\.520Z\): G7 is INCONCLUSIVE \(environment\), so the run cannot PASS; the closing gates still ran and teardown completed$/,
    );
    expect(alerts[1]).toBe(
      'SIGINT received again during G7 (at 1970-01-01T00:00:00.560Z): recorded, not counted again; the closing gates went on',
    );
    expect(alerts[2]).toMatch(/^SIGTERM received again after G7/);
    expect(interruptionAlerts(log.slice(0, 1), 'G7', spans, false)[0]).toContain('teardown is INCOMPLETE');
    expect(interruptionAlerts([], null, spans, true)).toEqual([]);
  });
});
