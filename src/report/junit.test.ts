import { describe, expect, it } from 'vitest';
import { validateJunit } from '../test-support/junit-schema.js';
import { failure, finish, passDraft, RUN_ID, type ReportDraft } from '../test-support/report-fixture.js';
import { junitXml } from './junit.js';

const SHA = 'ab'.repeat(32);
const TYPE_ERROR = "TypeError: Cannot read properties of undefined (reading 'id')";

/** S3 exits 1 with a TypeError: FAIL, `sut`; S4 NOT_RUN; the closing gates ran. */
function failAtS3(): ReportDraft {
  const d = passDraft();
  const message = 'step "mark then sweep": exit code: expected 0, got 1 (TypeError at src/phases.ts:89:15)';
  const s3 = d.scenarios[2]!;
  Object.assign(s3, { status: 'FAIL', evidence: { failure: message }, deltas: [] });
  Object.assign(s3.steps[0]!, { exit_code: 1, checks: [{ what: 'exit code', ok: false, expected: '0', actual: '1' }] });
  Object.assign(d.scenarios[3]!, {
    status: 'NOT_RUN',
    started_at: null,
    ms: null,
    steps: [],
    deltas: [],
    evidence: null,
  });
  d.failure = failure({
    gate: 'S3',
    scenario: 'S3',
    classification: 'sut',
    message,
    command: s3.steps[0]!.argv,
    exit_code: 1,
    stderr_tail: [TYPE_ERROR, '    at sweep (src/phases.ts:89:15)'],
    exception: {
      name: 'TypeError',
      message: "Cannot read properties of undefined (reading 'id')",
      location: 'src/phases.ts:89:15',
    },
  });
  return { ...d, execution_status: 'FAIL', exit_code: 1 };
}

/** The dry-run server never became ready: G3 INCONCLUSIVE (environment); G4, G5 and every scenario NOT_RUN. */
function inconclusiveAtG3(): ReportDraft {
  const d = passDraft();
  const message = 'the dry-run server was not ready after 90000 ms (451 attempts; last error: ECONNRESET)';
  for (const g of d.gates) {
    if (g.id === 'G3') Object.assign(g, { status: 'INCONCLUSIVE', evidence: { failure: message } });
    if (g.id === 'G4' || g.id === 'G5')
      Object.assign(g, { status: 'NOT_RUN', started_at: null, ms: null, evidence: null });
  }
  for (const s of d.scenarios)
    Object.assign(s, { status: 'NOT_RUN', started_at: null, ms: null, steps: [], deltas: [], evidence: null });
  d.failure = failure({ gate: 'G3', classification: 'environment', message });
  return { ...d, execution_status: 'INCONCLUSIVE', exit_code: 3, env: null, table_matrix: null };
}

/** The testcases of a document, in order: name and what they hold. */
function cases(xml: string): { name: string; body: string }[] {
  return [...xml.matchAll(/<testcase [^>]*name="([^"]*)"[^>]*?(?:\/>|>([\s\S]*?)<\/testcase>)/g)].map((m) => ({
    name: m[1]!,
    body: m[2] ?? '',
  }));
}

describe('junitXml', () => {
  it('a PASS: one testsuite, a passing testcase a gate and a scenario in run order, the run in its properties; valid against schema/junit.xsd', async () => {
    const xml = junitXml(finish(passDraft()), SHA);
    expect(await validateJunit(xml)).toEqual({ valid: true, errors: [] });
    expect(xml.match(/<testsuite /g)).toHaveLength(1);
    expect(xml).toMatch(
      /<testsuite name="ledger-cutter v0.4 dry-run \(demo\)" [^>]*tests="13" failures="0" errors="0" skipped="0"/,
    );
    expect(cases(xml).map((c) => c.name)).toEqual([
      'G0 inputs',
      'G1 preflight',
      'G2 backup',
      'G3 provision',
      'G4 restore',
      'G5 baseline',
      'S1 CONFIG load (no connect)',
      'S2-neg current_user mismatch refused (ConfigMismatch)',
      'S3 MARK then SWEEP',
      'S4 CUT',
      'G6 trace',
      'G7 teardown',
      'G8 post-checks',
    ]);
    expect(cases(xml).every((c) => c.body === '')).toBe(true);
    for (const [name, value] of [
      ['run_id', RUN_ID],
      ['execution_status', 'PASS'],
      ['report_sha256', SHA],
      ['accepted_commit', 'f6bea52715e9f5a5f5a581eda2f4ec7e7629679a'],
    ])
      expect(xml).toContain(`<property name="${name}" value="${value}"/>`);
  });

  it('a FAIL: the failing scenario is a failure with its message, command, exit code and stderr tail; the one after it skipped with stopped_by', async () => {
    const xml = junitXml(finish(failAtS3()), SHA);
    expect(await validateJunit(xml)).toEqual({ valid: true, errors: [] });
    expect(xml).toMatch(/tests="13" failures="1" errors="0" skipped="1"/);
    const s3 = cases(xml).find((c) => c.name === 'S3 MARK then SWEEP')!;
    expect(s3.body).toContain(
      '<failure message="step &quot;mark then sweep&quot;: exit code: expected 0, got 1 (TypeError at src/phases.ts:89:15)" type="sut">',
    );
    expect(s3.body).toContain('command: node --enable-source-maps dist/cli.js s3');
    expect(s3.body).toContain('exit code: 1');
    expect(s3.body).toContain(TYPE_ERROR);
    const s4 = cases(xml).find((c) => c.name === 'S4 CUT')!;
    expect(s4.body).toContain('<skipped/>');
    expect(s4.body).toContain('NOT_RUN: stopped_by S3');
    expect(xml).toContain('<property name="execution_status" value="FAIL"/>');
  });

  it('an INCONCLUSIVE: an error (never a failure), every case after it skipped, the closing gates run', async () => {
    const xml = junitXml(finish(inconclusiveAtG3()), SHA);
    expect(await validateJunit(xml)).toEqual({ valid: true, errors: [] });
    expect(xml).toMatch(/tests="13" failures="0" errors="1" skipped="6"/);
    const g3 = cases(xml).find((c) => c.name === 'G3 provision')!;
    expect(g3.body).toMatch(
      /^\s*<error message="the dry-run server was not ready after 90000 ms[^"]*" type="environment">/,
    );
    expect(xml).not.toContain('<failure');
    const skipped = cases(xml).filter((c) => c.body.includes('<skipped/>'));
    expect(skipped.map((c) => c.name.split(' ')[0])).toEqual(['G4', 'G5', 'S1', 'S2-neg', 'S3', 'S4']);
    expect(skipped.every((c) => c.body.includes('NOT_RUN: stopped_by G3'))).toBe(true);
  });

  it('leaves the report sha256 out while the leak scan reads it (before report.json exists)', () => {
    const xml = junitXml(finish(passDraft()), null);
    expect(xml).not.toContain('report_sha256');
    expect(xml).toContain('<property name="run_id"');
  });

  it('the schema check rejects a document that is not JUnit: a testcase without its name, a suite without its counts', async () => {
    const broken = junitXml(finish(failAtS3()), SHA)
      .replace('<testcase classname="pg-rehearse.gate" name="G0 inputs"', '<testcase classname="pg-rehearse.gate"')
      .replace(/ failures="\d+"/, '');
    const r = await validateJunit(broken);
    expect(r.valid).toBe(false);
    expect(r.errors.join('\n')).toMatch(/The attribute 'name' is required but missing/);
    expect(r.errors.join('\n')).toMatch(/The attribute 'failures' is required but missing/);
    expect((await validateJunit('<testsuites><testcase name="x"/></testsuites>')).valid).toBe(false);
  });
});
