import { describe, expect, it } from 'vitest';
import { failAtScenario } from '../test-support/failed-report-drafts.js';
import { finish } from '../test-support/report-fixture.js';
import { STEP_SUMMARY_LIMIT_BYTES, stepSummary } from './github-summary.js';

const opts = { sha256: 'ab'.repeat(32), reportPath: 'out/report.json', budgetBytes: STEP_SUMMARY_LIMIT_BYTES };

describe('the GitHub step summary', () => {
  it("holds report.md's verdict, scenarios, failure, required output and gates, then where the full report is", () => {
    const md = stepSummary(finish(failAtScenario()), opts);
    expect(md).toContain('**Verdict: FAIL** at S3, classification `sut`');
    expect(md.match(/^## .*$/gm)).toEqual([
      '## 1. Scenario progress',
      '## 2. Failure',
      '## 3. Required output',
      '## 4. Gates',
    ]);
    expect(md).toContain('| S3 | MARK then SWEEP | **FAIL** |');
    expect(md.trimEnd().split('\n').at(-1)).toBe(
      `Full report: \`out/report.json\` (report.md beside it), sha256 \`${opts.sha256}\`.`,
    );
  });

  it('leaves the sha256 out while the leak scan reads it', () => {
    expect(stepSummary(finish(failAtScenario()), { ...opts, sha256: null })).toContain(
      'Full report: `out/report.json` (report.md beside it).',
    );
  });

  it('is cut at a line under its budget, an open code block closed, with a line saying it was cut and where the report is', () => {
    const d = failAtScenario();
    d.failure!.stderr_tail = Array.from({ length: 4000 }, (_, i) => `stderr line ${i} ${'x'.repeat(300)}`);
    const r = finish(d);
    expect(Buffer.byteLength(stepSummary(r, { ...opts, budgetBytes: Infinity }))).toBeGreaterThan(
      STEP_SUMMARY_LIMIT_BYTES,
    );
    const budget = STEP_SUMMARY_LIMIT_BYTES - 1000;
    const cut = stepSummary(r, { ...opts, sha256: null, budgetBytes: budget });
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(budget);
    expect(Buffer.byteLength(cut)).toBeGreaterThan(budget - 2000);
    expect((cut.match(/^```/gm) ?? []).length % 2).toBe(0);
    expect(cut.trimEnd().split('\n').at(-1)).toBe(
      "> **This summary was cut** to stay under GitHub's 1 MiB limit for a step summary; the full report is `out/report.json` (report.md beside it).",
    );
    expect(cut).toContain('**Verdict: FAIL** at S3');
  });
});
