import { describe, expect, it } from 'vitest';
import { failAtG0, failAtScenario } from '../test-support/failed-report-drafts.js';
import { failure, finish, passDraft } from '../test-support/report-fixture.js';
import { annotationLines, failureAnnotations, MAX_ANNOTATIONS } from './github-annotations.js';

const S3_YAML = [
  'id: S3',
  'title: MARK then SWEEP',
  'steps:',
  '  - name: mark then sweep',
  '    run: [node, dist/cli.js, s3]',
  '    role: cutter_app',
  '    expect:',
  '      exit_code: 0',
  'deltas:',
  '  ledger.mark: 12',
].join('\n');
const PINS = ['artefacts:', '  rehearse.yaml: 7777', '  ../../sql/roles.sql: ffff'].join('\n');
const FILES: Record<string, string> = {
  '/work/main/scenarios/S3.yaml': S3_YAML,
  '/work/main/fixtures/demo/pins.yaml': PINS,
};
const ctx = (workspace: string | null) => ({ workspace, readText: (p: string) => FILES[p] ?? null });

describe('GitHub annotations of a failure', () => {
  it("puts the system under test's exception at its file:line relative to the workspace, then the scenario at the failed expectation", () => {
    const r = finish(failAtScenario());
    const text = annotationLines(r, ctx('/work/main'));
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe(
      "::error file=fixtures/demo/work/cutter/src/phases.ts,line=89,col=15,title=S3%3A TypeError::TypeError: Cannot read properties of undefined (reading 'id')",
    );
    // The acceptance check's own pattern.
    expect(lines[0]).toMatch(/^::error .*file=[^,]*phases\.ts,.*line=[0-9]+/);
    expect(lines[1]).toBe(
      `::error file=scenarios/S3.yaml,line=8,title=pg-rehearse%3A FAIL at S3 (sut)::${r.failure!.message}`,
    );
    expect(lines).toHaveLength(2);
  });

  it('gives no file= (and no line=) to a file outside the workspace, and none at all without GITHUB_WORKSPACE', () => {
    const r = finish(failAtScenario());
    for (const ws of ['/elsewhere', null]) {
      const a = failureAnnotations(r, ctx(ws));
      expect(a.every((x) => x.file === null && x.line === null && x.col === null)).toBe(true);
      expect(annotationLines(r, ctx(ws))).not.toMatch(/file=|line=/);
    }
  });

  it("points a pin mismatch at the artefact's line of pins.yaml beside the config", () => {
    const r = finish(failAtG0());
    const a = failureAnnotations(r, ctx('/work/main'));
    expect(a).toEqual([
      {
        file: 'fixtures/demo/pins.yaml',
        line: 3,
        col: null,
        title: 'G0: pin mismatch',
        message: `../../sql/roles.sql (roles) has sha256 ${'e'.repeat(64)}, pinned ${'f'.repeat(64)}`,
      },
    ]);
  });

  it('annotates each hardcode finding at its line, at most 10 in all, the last saying how many more', () => {
    const d = passDraft();
    d.git!.hardcode!.findings = Array.from({ length: 12 }, (_, i) => ({
      file: `src/config-${i}.ts`,
      line: i + 1,
      pattern: 'literal IPv4 address',
      text: `const host = '10.0.0.${i}';`,
    }));
    d.failure = failure({ gate: 'G1', classification: 'artefact', message: 'hardcoded values: 12 findings' });
    const r = finish({ ...d, execution_status: 'FAIL', exit_code: 1 });
    const a = failureAnnotations(r, ctx('/work/main'));
    expect(a).toHaveLength(MAX_ANNOTATIONS);
    expect(a[0]).toMatchObject({ file: 'fixtures/demo/work/cutter/src/config-0.ts', line: 1 });
    expect(a[8]).toMatchObject({ file: 'fixtures/demo/work/cutter/src/config-8.ts', line: 9 });
    expect(a[9]).toMatchObject({ file: null, message: '3 more findings: see report.md' });
  });

  it('annotates with lint: fail each squawk finding in a file of the change at its line, and none in report mode', () => {
    const d = passDraft();
    const finding = {
      rule: 'adding-required-field',
      level: 'Warning',
      message: 'Adding a new column that is `NOT NULL` and has no default value makes it required.',
      help: null,
      statement: 'ALTER TABLE t ADD COLUMN c int NOT NULL;',
      source: 'file' as const,
      scenario: null,
      step: null,
      nested: false,
      file: 'migrations/002.sql',
      line: 4,
    };
    const lint = {
      tool: 'squawk' as const,
      version: '2.66.0',
      mode: 'fail' as const,
      pg_version: '15',
      excluded: { trace: [], files: [] },
      assume_in_transaction: false,
      statements: 1,
      files: ['migrations/002.sql'],
      findings: [finding, { ...finding, source: 'trace' as const, file: null, line: null, scenario: 'S4' }],
      unparsed: [],
      error: null,
    };
    d.failure = failure({ gate: 'G6', classification: 'artefact', message: 'squawk found 2 problems' });
    const r = finish({ ...d, lint, execution_status: 'FAIL', exit_code: 1 });
    expect(failureAnnotations(r, ctx('/work/main'))).toEqual([
      {
        file: 'fixtures/demo/work/cutter/migrations/002.sql',
        line: 4,
        col: null,
        title: 'G6: squawk adding-required-field',
        message: `adding-required-field: ${finding.message}`,
      },
    ]);
    const reported = finish({ ...d, lint: { ...lint, mode: 'report' }, execution_status: 'FAIL', exit_code: 1 });
    expect(failureAnnotations(reported, ctx('/work/main')).map((a) => a.file)).toEqual([null]);
  });

  it('a failure with no file (the environment) is one annotation without file=, its message escaped', () => {
    const d = passDraft();
    d.failure = failure({ gate: 'G1', classification: 'environment', message: 'engine down: 100%\nretry later' });
    const r = finish({ ...d, execution_status: 'INCONCLUSIVE', exit_code: 3 });
    expect(annotationLines(r, ctx('/work/main'))).toBe(
      '::error title=pg-rehearse%3A INCONCLUSIVE at G1 (environment)::engine down: 100%25%0Aretry later\n',
    );
  });

  it('a PASS has none', () => {
    expect(annotationLines(finish(passDraft()), ctx('/work/main'))).toBe('');
  });
});
