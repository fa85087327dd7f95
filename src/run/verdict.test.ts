import { describe, expect, it } from 'vitest';
import { decideVerdict, shouldRun, type Outcome } from './verdict.js';

const pass = (id: string): Outcome => ({ id, status: 'PASS', classification: null });
const all = ['G0', 'G1', 'G2', 'G3', 'G4', 'G5', 'S1', 'S2', 'G6', 'G7', 'G8'].map(pass);

describe('decideVerdict', () => {
  it('is PASS with exit 0 only when every gate and scenario passed and production is unchanged', () => {
    expect(decideVerdict({ outcomes: all, productionUnchanged: true, teardownComplete: true })).toEqual({ verdict: 'PASS', decidedBy: null, classification: null, exitCode: 0 });
  });

  it('takes the first non-PASS result, keeping its classification', () => {
    const outcomes = all.map((o) => (o.id === 'S2' ? { ...o, status: 'FAIL' as const, classification: 'sut' as const } : o.id === 'G6' ? { ...o, status: 'FAIL' as const, classification: 'sut' as const } : o));
    expect(decideVerdict({ outcomes, productionUnchanged: true, teardownComplete: true })).toMatchObject({ verdict: 'FAIL', decidedBy: 'S2', classification: 'sut', exitCode: 1 });
  });

  it('is INCONCLUSIVE (3) for an environment failure, never FAIL', () => {
    const outcomes = all.map((o) => (o.id === 'G3' ? { ...o, status: 'INCONCLUSIVE' as const, classification: 'environment' as const } : o));
    expect(decideVerdict({ outcomes, productionUnchanged: true, teardownComplete: true })).toMatchObject({ verdict: 'INCONCLUSIVE', classification: 'environment', exitCode: 3 });
  });

  it('turns an otherwise PASS run INCONCLUSIVE when production changed or could not be checked', () => {
    expect(decideVerdict({ outcomes: all, productionUnchanged: false, teardownComplete: true })).toMatchObject({ verdict: 'INCONCLUSIVE', decidedBy: 'G8', exitCode: 3 });
    expect(decideVerdict({ outcomes: all, productionUnchanged: null, teardownComplete: true })).toMatchObject({ verdict: 'INCONCLUSIVE' });
  });

  it('never lets a production change or a teardown turn a FAIL into anything else but keeps exit 4 for an incomplete teardown', () => {
    const outcomes = all.map((o) => (o.id === 'S1' ? { ...o, status: 'FAIL' as const, classification: 'sut' as const } : o));
    expect(decideVerdict({ outcomes, productionUnchanged: false, teardownComplete: true })).toMatchObject({ verdict: 'FAIL', exitCode: 1 });
    expect(decideVerdict({ outcomes, productionUnchanged: true, teardownComplete: false })).toMatchObject({ verdict: 'FAIL', exitCode: 4 });
    expect(decideVerdict({ outcomes: all, productionUnchanged: true, teardownComplete: false })).toMatchObject({ verdict: 'PASS', exitCode: 4 });
  });

  it('never calls a run with a NOT_RUN part and no failure a PASS', () => {
    const outcomes = all.map((o) => (o.id === 'S2' ? { ...o, status: 'NOT_RUN' as const } : o));
    expect(decideVerdict({ outcomes, productionUnchanged: true, teardownComplete: true })).toMatchObject({ verdict: 'INCONCLUSIVE', classification: 'tool' });
  });
});

describe('shouldRun', () => {
  it('runs everything until the first failure, then only the closing gates', () => {
    expect(shouldRun('S3', false)).toBe(true);
    expect(shouldRun('S3', true)).toBe(false);
    expect(shouldRun('G5', true)).toBe(false);
    for (const g of ['G6', 'G7', 'G8']) expect(shouldRun(g, true)).toBe(true);
  });
});
