import { describe, expect, it } from 'vitest';
import { EngineUnreachableError, InterruptedError, ToolError } from '../errors.js';
import { GateFailure, classOfAssertionError, failureOf } from './gate-failure.js';

describe('failureOf', () => {
  it('makes a defect of the system under test or an artefact a FAIL', () => {
    expect(failureOf(new GateFailure('sut', 'exit 1'), 'S6', 'S6')).toMatchObject({
      status: 'FAIL',
      failure: { classification: 'sut', gate: 'S6', scenario: 'S6' },
    });
    expect(failureOf(new GateFailure('artefact', 'pin mismatch'), 'G0', null).status).toBe('FAIL');
  });

  it('never makes the environment or a bug of ours a FAIL', () => {
    expect(failureOf(new EngineUnreachableError('down'), 'G1', null)).toMatchObject({
      status: 'INCONCLUSIVE',
      failure: { classification: 'environment' },
    });
    expect(failureOf(new InterruptedError('SIGINT'), 'S2', 'S2')).toMatchObject({
      status: 'INCONCLUSIVE',
      failure: { classification: 'environment' },
    });
    expect(failureOf(new GateFailure('environment', 'dump failed'), 'G2', null).status).toBe('INCONCLUSIVE');
    const bug = failureOf(new TypeError('x is undefined'), 'G4', null);
    expect(bug).toMatchObject({ status: 'INCONCLUSIVE', failure: { classification: 'tool' } });
    expect(bug.failure.stack).toContain('TypeError');
    expect(failureOf(new ToolError('invariant'), 'G4', null).failure.classification).toBe('tool');
  });

  it("makes a full, read-only or unwritable disk the environment's, naming the path and the errno, never a bug of ours", () => {
    const enospc = Object.assign(new Error("ENOSPC: no space left on device, write '/state/runs/x/state.json'"), {
      code: 'ENOSPC',
      syscall: 'write',
      path: '/state/runs/x/state.json',
    });
    expect(failureOf(enospc, 'G3', null)).toMatchObject({
      status: 'INCONCLUSIVE',
      failure: {
        classification: 'environment',
        message: 'the file system refused `/state/runs/x/state.json`: ENOSPC (no space left on device) (in write)',
        stack: null,
      },
    });
    const erofs = Object.assign(new Error('EROFS'), { code: 'EROFS', syscall: 'mkdir', path: '/ro/state' });
    expect(failureOf(erofs, 'G2', null).failure.classification).toBe('environment');
  });
});

describe('classOfAssertionError', () => {
  it('puts an undefined table or column, or any error about the query itself, on the pack', () => {
    for (const state of ['42P01', '42703', '42601', '22012', '25006'])
      expect(classOfAssertionError(state), state).toBe('artefact');
  });

  it('puts a lost connection or server on the environment', () => {
    for (const state of [null, '08006', '08001', '57P01', '57P03', '57014', '53100', '55P03', '58030', 'XX000'])
      expect(classOfAssertionError(state), String(state)).toBe('environment');
  });
});
