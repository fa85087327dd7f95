import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../engine/image.js';
import { analyseTrace, traceFailure, type ScenarioWindow } from './trace-gate.js';

// A real PostgreSQL 15 log (fixtures/stderr/README.md says what ran); the whole day is one window.
const log = readFileSync(join(PACKAGE_ROOT, 'fixtures', 'stderr', 'postgres-15-dry-run.log'), 'utf8');
const allDay = (forbidden: string[]): ScenarioWindow => ({ id: 'S1', from: Date.parse('2026-11-25T00:00:00Z'), to: Date.parse('2026-11-26T00:00:00Z'), forbidden, writes: null });
const opts = { toolRole: 'rehearse_tool', sessionAudit: false, redact: (t: string) => t };

describe('the trace gate', () => {
  it("fails on the system's DELETE under the tool's application name, and leaves the tool's own DELETE out", async () => {
    const a = await analyseTrace(log, [allDay(['DELETE', 'TRUNCATE'])], { ...opts, forbidden: ['DELETE', 'TRUNCATE'] });
    const deletes = a.section.forbidden.filter((f) => f.verb === 'DELETE');
    expect(deletes.length).toBeGreaterThan(0);
    expect(deletes.every((f) => f.user === 'cutter_app')).toBe(true);
    expect(deletes.some((f) => f.text.includes('WHERE entry_id = 961'))).toBe(true);
    expect(a.section.forbidden.some((f) => f.text.includes('ledger.verify_log WHERE false'))).toBe(false);
    expect(a.section.forbidden.every((f) => f.scenario === 'S1')).toBe(true);
    expect(traceFailure(a)?.classification).toBe('sut');
  });

  it('fails when a prefix reads more than one way, before anything else', async () => {
    const a = await analyseTrace(log, [allDay([])], { ...opts, forbidden: [] });
    expect(a.ambiguousStatements).toBeGreaterThan(0);
    expect(traceFailure(a)?.message).toMatch(/reads more than one way/);
  });

  it('passes a clean trace, and is inconclusive when the write counters did not settle', () => {
    const section = { source: '', statements: 1, verbs: ['SELECT'], counts: { SELECT: 1 }, forbidden_verbs: ['DELETE'], forbidden: [], per_scenario: {}, unparsed: 0, audit: null, writes: { settled: true, explained: 0, unexplained: [] } };
    expect(traceFailure({ section, ambiguousStatements: 0, ambiguousAudit: 0 })).toBeNull();
    const unsettled = traceFailure({ section: { ...section, writes: { ...section.writes, settled: false } }, ambiguousStatements: 0, ambiguousAudit: 0 });
    expect(unsettled?.classification).toBe('environment');
  });
});
