import { describe, expect, it } from 'vitest';
import { EngineUnreachableError, NameTakenError, TeardownIncompleteError, ToolError, UsageError } from '../errors.js';
import { exitCodeOf, exitCodeOfError } from './exit-code.js';

describe('exit codes', () => {
  it('maps each failure kind to the design table', () => {
    expect(exitCodeOfError(new UsageError('bad'))).toBe(2);
    expect(exitCodeOfError(new EngineUnreachableError('down'))).toBe(3);
    expect(exitCodeOfError(new NameTakenError('container', 'x', 'abc'))).toBe(3);
    expect(exitCodeOfError(new ToolError('bug'))).toBe(3);
    expect(exitCodeOfError(new TeardownIncompleteError('r', ['container x']))).toBe(4);
  });

  it('treats an unexpected exception as a bug of ours (3), never as success or FAIL', () => {
    expect(exitCodeOfError(new TypeError('oops'))).toBe(3);
    expect(exitCodeOfError('a string')).toBe(3);
  });

  it('returns 4 whenever teardown is incomplete, whatever else happened', () => {
    expect(exitCodeOf({ error: null, teardownComplete: false })).toBe(4);
    expect(exitCodeOf({ error: new UsageError('x'), teardownComplete: false })).toBe(4);
    expect(exitCodeOf({ error: new EngineUnreachableError('x'), teardownComplete: true })).toBe(3);
    expect(exitCodeOf({ error: null, teardownComplete: true })).toBe(0);
    expect(exitCodeOf({ error: null, teardownComplete: null })).toBe(0);
  });
});
