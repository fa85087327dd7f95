import { describe, expect, it } from 'vitest';
import { checkFileSha, checkSchema, checkSha, parseShaFile } from './verify.js';

describe('verify checks', () => {
  it('tells a changed report by its sha256', () => {
    expect(checkSha('x', 'a'.repeat(64), 'a'.repeat(64)).ok).toBe(true);
    const bad = checkSha('x', 'a'.repeat(64), 'b'.repeat(64));
    expect(bad.ok).toBe(false);
    expect(bad.detail).toContain('MISMATCH');
  });

  it('reads the sha file written beside a report', () => {
    expect(parseShaFile(`${'c'.repeat(64)}  report.json\n`)).toBe('c'.repeat(64));
    expect(parseShaFile('garbage')).toBeNull();
  });

  it('refuses a report that is not JSON or not of the schema', () => {
    expect(checkSchema('{').check.ok).toBe(false);
    expect(checkSchema('{"schema_version": 1}').check.ok).toBe(false);
  });

  it('says a recorded file no longer readable does not match', () => {
    expect(checkFileSha('artefact a', 'd'.repeat(64), null)).toMatchObject({ ok: false });
    expect(checkFileSha('artefact a', 'd'.repeat(64), 'd'.repeat(64))).toMatchObject({ ok: true });
  });
});
