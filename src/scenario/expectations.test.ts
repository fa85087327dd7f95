import { describe, expect, it } from 'vitest';
import type { StepExpectation } from '../config/scenario.js';
import { checkDeltas, checkRows, checkStep, firstFailure, namesError, type RunOutcome } from './expectations.js';

const expectation = (e: Partial<StepExpectation>): StepExpectation => ({
  exit_code: 0,
  stdout: [],
  stderr: [],
  error: null,
  sql: [],
  ...e,
});
const run = (r: Partial<RunOutcome>): RunOutcome => ({
  exitCode: 0,
  signal: null,
  timedOut: false,
  stdout: '',
  stderr: '',
  ...r,
});

describe('checkStep', () => {
  it('passes S4 mark as the fixed cutter prints it', () => {
    const checks = checkStep(expectation({ stdout: ['^marked 12 entries'] }), run({ stdout: 'marked 12 entries\n' }));
    expect(checks).toEqual([
      { what: 'exit code', ok: true, expected: '0', actual: '0' },
      {
        what: 'stdout matches /^marked 12 entries/',
        ok: true,
        expected: '/^marked 12 entries/',
        actual: '"marked 12 entries\\n"',
      },
    ]);
    expect(firstFailure(checks)).toBeNull();
  });

  it('fails S6 on the defective cutter at the exit code first, showing its stdout', () => {
    const checks = checkStep(
      expectation({ stdout: ['^cut 12 entries signed by signer-2026'] }),
      run({
        exitCode: 1,
        stderr: 'TypeError: Do not know how to serialize a BigInt\n    at JSON.stringify (<anonymous>)\n',
      }),
    );
    expect(firstFailure(checks)).toEqual({ what: 'exit code', ok: false, expected: '0', actual: '1' });
    expect(checks[1]).toMatchObject({ ok: false, actual: '(empty)' });
  });

  it('never takes a timeout or a signal for the expected exit', () => {
    expect(
      checkStep(expectation({ exit_code: 0 }), run({ exitCode: 0, timedOut: true, signal: 'SIGTERM' }))[0],
    ).toMatchObject({ ok: false, actual: 'timed out (killed by SIGTERM)' });
    expect(checkStep(expectation({ exit_code: 0 }), run({ exitCode: 0, timedOut: true }))[0]).toMatchObject({
      ok: false,
      actual: 'timed out',
    });
    expect(checkStep(expectation({ exit_code: 1 }), run({ exitCode: null, signal: 'SIGKILL' }))[0]).toMatchObject({
      ok: false,
      actual: 'killed by SIGKILL',
    });
    expect(checkStep(expectation({}), run({ exitCode: null }))[0]).toMatchObject({
      ok: false,
      actual: 'did not start',
    });
  });

  it('compiles patterns without flags: ^ is the start of the whole output, ^$ means empty', () => {
    const [, empty, anchored] = checkStep(
      expectation({ stdout: ['^$', '^second'] }),
      run({ stdout: 'first\nsecond\n' }),
    );
    expect(empty).toMatchObject({ what: 'stdout matches /^$/', ok: false });
    expect(anchored).toMatchObject({ ok: false });
    expect(checkStep(expectation({ stdout: ['^$'] }), run({ stdout: '' }))[1]!.ok).toBe(true);
  });

  it('checks the named error of S3-neg and each stderr pattern', () => {
    const stderr = 'ConfigMismatch: current_user is cutter_readonly, expected cutter_app: refusing to run\n';
    const checks = checkStep(
      expectation({
        exit_code: 3,
        stdout: ['^$'],
        stderr: ['^ConfigMismatch: current_user is cutter_readonly, expected cutter_app'],
        error: 'ConfigMismatch',
      }),
      run({ exitCode: 3, stderr }),
    );
    expect(checks.map((c) => [c.what, c.ok])).toEqual([
      ['exit code', true],
      ['stdout matches /^$/', true],
      ['stderr matches /^ConfigMismatch: current_user is cutter_readonly, expected cutter_app/', true],
      ['names error ConfigMismatch', true],
    ]);
    const other = checkStep(
      expectation({ exit_code: 3, error: 'ConfigMismatch' }),
      run({ exitCode: 3, stderr: 'PermissionDenied: permission denied for table signer\n' }),
    );
    expect(firstFailure(other)).toMatchObject({
      what: 'names error ConfigMismatch',
      expected: 'ConfigMismatch',
      actual: '"PermissionDenied: permission denied for table signer\\n"',
    });
  });

  it('finds a named error as `Name:` at a line start or as a whole word, not inside another word', () => {
    expect(namesError('warning\nMissingKeyError: CUTTER_SIGNING_KEY is not set\n', 'MissingKeyError')).toBe(true);
    expect(namesError('failed with psycopg.errors.InsufficientPrivilege (42501)', 'InsufficientPrivilege')).toBe(true);
    expect(namesError('NotConfigMismatchAtAll: x', 'ConfigMismatch')).toBe(false);
    expect(namesError('ConfigMismatches: x', 'ConfigMismatch')).toBe(false);
    expect(namesError('a.b: x', 'a.b')).toBe(true);
    expect(namesError('axb: x', 'a.b')).toBe(false);
  });

  it('redacts the output it shows, but matches the output as it was', () => {
    const checks = checkStep(
      expectation({ stdout: ['^dsn=postgres://u:s3cr"et@h'] }),
      run({ stdout: 'dsn=postgres://u:s3cr"et@h\n' }),
      { redact: (t) => t.replaceAll('s3cr"et', '[REDACTED]') },
    );
    expect(checks[1]).toMatchObject({ ok: true, actual: '"dsn=postgres://u:[REDACTED]@h\\n"' });
  });

  it('shows long output as its first lines with the total size', () => {
    const stdout = Array.from({ length: 20 }, (_, i) => `line ${i}`).join('\n');
    const [, check] = checkStep(expectation({ stdout: ['^nothing'] }), run({ stdout }));
    expect(check!.actual).toBe(`"line 0\\nline 1\\nline 2\\nline 3\\nline 4" … (20 lines, ${stdout.length} chars)`);
  });
});

describe('checkRows', () => {
  it('matches rows regardless of key order, values as JSON (bigint and Date as strings)', () => {
    const when = new Date('2026-05-17T11:23:08.000Z');
    const check = checkRows(
      [{ n: 12, state: 'swept', at: '2026-05-17T11:23:08.000Z', id: '972' }],
      [{ state: 'swept', id: 972n, at: when, n: 12 }],
    );
    expect(check.ok).toBe(true);
    expect(check.what).toBe('rows');
  });

  it('keeps row order significant and types strict', () => {
    expect(checkRows([{ state: 'closed' }, { state: 'open' }], [{ state: 'open' }, { state: 'closed' }]).ok).toBe(
      false,
    );
    expect(checkRows([{ n: 12 }], [{ n: '12' }])).toMatchObject({
      ok: false,
      expected: '[{"n":12}]',
      actual: '[{"n":"12"}]',
    });
    expect(checkRows([{ n: 1 }], [{ n: 1, extra: null }]).ok).toBe(false);
    expect(checkRows([{ ref_id: null }], [{ ref_id: null }]).ok).toBe(true);
    expect(checkRows([], []).ok).toBe(true);
  });

  it('compares nested values (json columns) regardless of key order', () => {
    expect(
      checkRows([{ body: { manifest: '25', entry: '961' } }], [{ body: { entry: '961', manifest: '25' } }]).ok,
    ).toBe(true);
    expect(checkRows([{ tags: ['a', 'b'] }], [{ tags: ['b', 'a'] }]).ok).toBe(false);
  });

  it('shows at most the first 5 actual rows', () => {
    const rows = Array.from({ length: 8 }, (_, i) => ({ i }));
    expect(checkRows([], rows, 'sql: select i').actual).toBe(
      '[{"i":0}, {"i":1}, {"i":2}, {"i":3}, {"i":4}, … (8 rows in all)]',
    );
    expect(checkRows([], rows, 'sql: select i').what).toBe('sql: select i');
  });

  it('shows bytea as hex, as PostgreSQL prints it', () => {
    expect(checkRows([{ b: '\\xdead' }], [{ b: Buffer.from([0xde, 0xad]) }]).ok).toBe(true);
  });
});

describe('checkDeltas', () => {
  const watched = ['ledger.mark', 'ledger.sweep_log', 'ledger.cut'];
  const before = { 'ledger.mark': 960, 'ledger.sweep_log': 24, 'ledger.cut': 960 };

  it('gives one check per watched table; a table not listed expects 0', () => {
    const checks = checkDeltas(
      { 'ledger.mark': 12, 'ledger.sweep_log': 1 },
      false,
      before,
      { 'ledger.mark': 972, 'ledger.sweep_log': 25, 'ledger.cut': 960 },
      watched,
    );
    expect(checks).toEqual([
      { what: 'delta ledger.mark', ok: true, expected: '+12', actual: '+12 (960 → 972)' },
      { what: 'delta ledger.sweep_log', ok: true, expected: '+1', actual: '+1 (24 → 25)' },
      { what: 'delta ledger.cut', ok: true, expected: '0', actual: '0 (960 → 960)' },
    ]);
  });

  it('fails a change nobody declared, and a declared change that did not happen', () => {
    const checks = checkDeltas({ 'ledger.cut': 12 }, false, before, { ...before, 'ledger.mark': 961 }, watched);
    expect(checks.filter((c) => !c.ok).map((c) => `${c.what}: ${c.expected} vs ${c.actual}`)).toEqual([
      'delta ledger.mark: 0 vs +1 (960 → 961)',
      'delta ledger.cut: +12 vs 0 (960 → 960)',
    ]);
  });

  it('expects 0 everywhere in a negative scenario', () => {
    const checks = checkDeltas({ 'ledger.mark': 12 }, true, before, { ...before, 'ledger.mark': 972 }, watched);
    expect(firstFailure(checks)).toMatchObject({ what: 'delta ledger.mark', expected: '0', actual: '+12 (960 → 972)' });
  });

  it('fails a table without a count, and a declared table that is not watched', () => {
    const checks = checkDeltas(
      { 'ledger.history': 1 },
      false,
      before,
      { 'ledger.mark': 960, 'ledger.sweep_log': 24 },
      watched,
    );
    expect(checks.filter((c) => !c.ok)).toEqual([
      { what: 'delta ledger.cut', ok: false, expected: '0', actual: 'no count after the scenario' },
      { what: 'delta ledger.history', ok: false, expected: '+1', actual: 'not a watched table: never counted' },
    ]);
  });
});
