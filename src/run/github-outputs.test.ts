import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { failAtScenario } from '../test-support/failed-report-drafts.js';
import { finish } from '../test-support/report-fixture.js';
import { githubActionsOf, githubOutputs } from './github-outputs.js';
import { scanPlacesOf, writeOutputs } from './run-outputs.js';

describe('githubActionsOf', () => {
  it('is null off GitHub: GITHUB_ACTIONS unset or anything but `true`', () => {
    expect(githubActionsOf({})).toBeNull();
    expect(githubActionsOf({ GITHUB_ACTIONS: 'false', GITHUB_STEP_SUMMARY: '/tmp/x' })).toBeNull();
    expect(githubActionsOf({ GITHUB_ACTIONS: '1' })).toBeNull();
  });
  it('under GitHub, gives the summary file and the workspace (absolute) it names, null where unset', () => {
    expect(githubActionsOf({ GITHUB_ACTIONS: 'true' })).toEqual({ summaryFile: null, workspace: null });
    expect(
      githubActionsOf({ GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: '/s/sum.md', GITHUB_WORKSPACE: '/w/' }),
    ).toEqual({ summaryFile: '/s/sum.md', workspace: '/w' });
  });
});

describe('the GitHub outputs of a run', () => {
  it('appends the summary (with the sha256) to the step summary file and prints the annotations; the scan reads both first', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gh-outputs-'));
    const summaryFile = join(dir, 'summary.md');
    await writeFile(summaryFile, '# an earlier step\n');
    const printed: string[] = [];
    const outputs = githubOutputs(
      { summaryFile, workspace: '/work/main' },
      { outDir: '/work/main/out', print: (t) => void printed.push(t) },
    );
    const report = finish(failAtScenario());
    const scanned = scanPlacesOf(outputs, report);
    expect(scanned.map((s) => s.place)).toEqual([
      'the GitHub step summary ($GITHUB_STEP_SUMMARY)',
      'the GitHub annotations (::error)',
    ]);
    expect(scanned[0]!.text).toContain('Full report: `out/report.json` (report.md beside it).');
    expect(await writeOutputs(outputs, report, 'ab'.repeat(32))).toEqual([]);
    const summary = await readFile(summaryFile, 'utf8');
    expect(summary.startsWith('# an earlier step\n\n# ')).toBe(true);
    expect(summary).toContain(`sha256 \`${'ab'.repeat(32)}\``);
    expect(printed.join('')).toMatch(/^::error file=fixtures\/demo\/work\/cutter\/src\/phases\.ts,line=89,/);
  });
  it('without $GITHUB_STEP_SUMMARY, only the annotations', () => {
    const outputs = githubOutputs({ summaryFile: null, workspace: null }, { outDir: '/o', print: () => {} });
    expect(outputs.map((o) => o.place)).toEqual(['the GitHub annotations (::error)']);
  });
});
