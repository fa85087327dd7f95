import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verbPolicy } from '../config/index.js';
import { PACKAGE_ROOT } from '../engine/image.js';
import { analyseTrace, traceFailure, unreadWritesFailure, type ScenarioWindow } from './trace-gate.js';

// A real PostgreSQL 15 log (fixtures/stderr/README.md says what ran); the whole day is one window.
const log = readFileSync(join(PACKAGE_ROOT, 'fixtures', 'stderr', 'postgres-15-dry-run.log'), 'utf8');
const allDay = (forbidden: string[]): ScenarioWindow => ({
  id: 'S1',
  from: Date.parse('2026-11-25T00:00:00Z'),
  to: Date.parse('2026-11-26T00:00:00Z'),
  policy: verbPolicy(forbidden),
  budgets: {},
  steps: [],
  writes: null,
});
const opts = { toolRole: 'rehearse_tool', sessionAudit: false, redact: (t: string) => t };

describe('the trace gate', () => {
  it("fails on the system's DELETE under the tool's application name, and leaves the tool's own DELETE out", async () => {
    const a = await analyseTrace(log, [allDay(['DELETE', 'TRUNCATE'])], {
      ...opts,
      policy: verbPolicy(['DELETE', 'TRUNCATE']),
    });
    const deletes = a.section.forbidden.filter((f) => f.verb === 'DELETE');
    expect(deletes.length).toBeGreaterThan(0);
    expect(deletes.every((f) => f.user === 'cutter_app')).toBe(true);
    expect(deletes.some((f) => f.text.includes('WHERE entry_id = 961'))).toBe(true);
    expect(a.section.forbidden.some((f) => f.text.includes('ledger.verify_log WHERE false'))).toBe(false);
    expect(a.section.forbidden.every((f) => f.scenario === 'S1')).toBe(true);
    expect(traceFailure(a)?.classification).toBe('sut');
  });

  it('fails when a prefix reads more than one way, before anything else', async () => {
    const a = await analyseTrace(log, [allDay([])], { ...opts, policy: verbPolicy([]) });
    expect(a.ambiguousStatements).toBeGreaterThan(0);
    expect(traceFailure(a)?.message).toMatch(/reads more than one way/);
  });

  it('passes a clean trace, and is inconclusive when the write counters did not settle', () => {
    const section = {
      source: '',
      statements: 1,
      verbs: ['SELECT'],
      counts: { SELECT: 1 },
      forbidden_verbs: ['DELETE'],
      policy: { run: { forbidden_verbs: ['DELETE'], allow: [], forbid: [] }, scenarios: {} },
      forbidden: [],
      per_scenario: {},
      unparsed: 0,
      rewrites: [],
      audit: null,
      writes: { settled: true, explained: 0, unexplained: [] },
    };
    expect(traceFailure({ section, ambiguousStatements: 0, ambiguousAudit: 0 })).toBeNull();
    const unsettled = traceFailure({
      section: { ...section, writes: { ...section.writes, settled: false } },
      ambiguousStatements: 0,
      ambiguousAudit: 0,
    });
    expect(unsettled?.classification).toBe('environment');
  });
});

// A log of one scenario window (10:00:01-10:00:05, two steps) and statements outside it.
const at = (s: string) => Date.parse(`2026-11-25T10:00:0${s}Z`);
const logLine = (sec: string, pid: number, rest: string) =>
  `2026-11-25 10:00:0${sec} UTC [${pid}] 6925ea61.${pid.toString(16)} 0 3/${pid} app=psql user=shop_migrator db=shop LOG:  ${rest}`;
const synthetic = [
  logLine('1.100', 11, 'statement: ALTER TABLE public.device ADD COLUMN firmware text'),
  logLine('3.100', 12, 'statement: DELETE FROM public.reading WHERE device_id = 7'),
  logLine('3.200', 12, 'AUDIT: SESSION,1,1,FUNCTION,EXECUTE,FUNCTION,public.prune,select public.prune(),<not logged>'),
  logLine(
    '3.300',
    12,
    'AUDIT: SESSION,1,2,WRITE,DELETE,TABLE,public.reading,delete from public.reading where device_id = 8,<not logged>',
  ),
  // Outside every window: the run's policy; the same text twice is two findings.
  logLine('7.100', 13, 'statement: ALTER TABLE public.device DROP COLUMN firmware'),
  logLine('7.200', 13, 'statement: ALTER TABLE public.device DROP COLUMN firmware'),
].join('\n');
const runPolicy = verbPolicy(['DELETE', 'ALTER', 'DROP']);
const s1 = (forbidden: string[]): ScenarioWindow => ({
  id: 'S1',
  from: at('1'),
  to: at('5'),
  policy: verbPolicy(forbidden),
  budgets: {},
  steps: [
    { name: '001-add-column', from: at('1'), to: at('2') },
    { name: '002-prune', from: at('3'), to: at('4') },
  ],
  writes: null,
});

describe("the trace gate's policy", () => {
  it("applies a scenario's own list to its window (replacing the run's) and the run's outside, counting every occurrence", async () => {
    const a = await analyseTrace(synthetic, [s1(['TRUNCATE'])], { ...opts, policy: runPolicy, sessionAudit: true });
    expect(a.section.forbidden.map((f) => [f.scenario, f.step, f.verb, f.kind, f.rule, f.text])).toEqual([
      [null, null, 'ALTER', 'ALTER TABLE', 'forbidden_verbs', 'ALTER TABLE public.device DROP COLUMN firmware'],
      [null, null, 'DROP', 'ALTER TABLE', 'forbidden_verbs', 'ALTER TABLE public.device DROP COLUMN firmware'],
      [null, null, 'ALTER', 'ALTER TABLE', 'forbidden_verbs', 'ALTER TABLE public.device DROP COLUMN firmware'],
      [null, null, 'DROP', 'ALTER TABLE', 'forbidden_verbs', 'ALTER TABLE public.device DROP COLUMN firmware'],
    ]);
    // The nested DELETE is allowed in S1 as the top-level one is: the audit count follows the same policy.
    expect(a.section.audit?.forbidden_nested).toBe(0);
    expect(a.section.policy.scenarios.S1?.forbidden_verbs).toEqual(['TRUNCATE']);
    expect(traceFailure(a)?.message).toBe(
      'the system under test ran forbidden SQL: ALTER in the run (×2), DROP in the run (×2)',
    );
  });

  it('names the scenario and the step that sent each forbidden statement, nested ones included', async () => {
    const a = await analyseTrace(synthetic, [s1(['DELETE'])], { ...opts, policy: verbPolicy([]), sessionAudit: true });
    expect(a.section.forbidden.map((f) => [f.scenario, f.step, f.verb, f.objects])).toEqual([
      ['S1', '002-prune', 'DELETE', ['public.reading']],
      ['S1', '002-prune', 'DELETE', ['public.reading']],
    ]);
    expect(a.section.forbidden[1]?.text).toMatch(
      /^\(inside a function, DO block or trigger\) delete from public.reading where device_id = 8/,
    );
    expect(a.section.audit?.forbidden_nested).toBe(1);
    expect(traceFailure(a)?.message).toBe(
      'the system under test ran forbidden SQL: DELETE in S1 step "002-prune" (×2)',
    );
  });
});

describe('write counters that could not be read', () => {
  const window = (id: string, writesUnread: string | null): ScenarioWindow => ({
    id,
    from: 0,
    to: 1,
    policy: verbPolicy([]),
    budgets: {},
    steps: [],
    writes: null,
    writesUnread,
  });

  it('make G6 INCONCLUSIVE (environment), naming the scenario and why', () => {
    const f = unreadWritesFailure([
      window('S1', null),
      window('S2', 'the write counters after S2 could not be read: boom'),
    ]);
    expect(f?.classification).toBe('environment');
    expect(f?.message).toBe(
      'the writes of S2 cannot be proved explained: the write counters after S2 could not be read: boom',
    );
  });

  it('say nothing when every scenario was read, or was not read because a signal stopped it', () => {
    expect(unreadWritesFailure([window('S1', null), window('S2', null)])).toBeNull();
    expect(unreadWritesFailure([])).toBeNull();
  });
});
