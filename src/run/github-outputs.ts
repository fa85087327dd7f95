// Under GitHub Actions (GITHUB_ACTIONS=true) a run also appends its summary to
// $GITHUB_STEP_SUMMARY and prints `::error` annotations for its failure; both are run outputs
// (run-outputs.ts): built and leak-scanned before report.json, written after it. Off GitHub, none.
import { readFileSync, statSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { annotationLines, STEP_SUMMARY_LIMIT_BYTES, stepSummary, workspacePath } from '../report/index.js';
import type { RunOutput } from './run-outputs.js';

export interface GithubActions {
  /** $GITHUB_STEP_SUMMARY; null when GitHub gave none. */
  summaryFile: string | null;
  /** $GITHUB_WORKSPACE, absolute; null when it is not set. */
  workspace: string | null;
}

/** Whether this is a GitHub Actions job, and what it gives; null off GitHub. */
export function githubActionsOf(env: Readonly<Record<string, string | undefined>>): GithubActions | null {
  if (env.GITHUB_ACTIONS !== 'true') return null;
  return {
    summaryFile: env.GITHUB_STEP_SUMMARY ? env.GITHUB_STEP_SUMMARY : null,
    workspace: env.GITHUB_WORKSPACE ? resolve(env.GITHUB_WORKSPACE) : null,
  };
}

const sizeOf = (file: string) => {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
};

const readText = (path: string) => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
};

/** The step summary and the annotations; `print` writes the annotations to the console (stderr). */
export function githubOutputs(gh: GithubActions, o: { outDir: string; print: (text: string) => void }): RunOutput[] {
  const reportJson = resolve(o.outDir, 'report.json');
  const outputs: RunOutput[] = [];
  const summaryFile = gh.summaryFile;
  if (summaryFile)
    outputs.push({
      place: 'the GitHub step summary ($GITHUB_STEP_SUMMARY)',
      build: (report, sha256) =>
        stepSummary(report, {
          sha256,
          reportPath: workspacePath(reportJson, gh.workspace) ?? reportJson,
          // One step's summary file holds all it was given; another step of ours may have written to it already.
          budgetBytes: STEP_SUMMARY_LIMIT_BYTES - sizeOf(summaryFile) - 1,
        }),
      write: (text) => appendFile(summaryFile, sizeOf(summaryFile) > 0 ? `\n${text}` : text),
    });
  outputs.push({
    place: 'the GitHub annotations (::error)',
    build: (report) => annotationLines(report, { workspace: gh.workspace, readText }),
    write: async (text) => o.print(text),
  });
  return outputs;
}
