// The outputs `rehearse run` adds under GitHub Actions: its step summary and `::error` annotations
// (printed to stderr after report.json). Off GitHub, none.
import { githubActionsOf, githubOutputs } from '../run/github-outputs.js';
import type { RunOutput } from '../run/run-outputs.js';

export function githubRunOutputs(outDir: string): RunOutput[] {
  const gh = githubActionsOf(process.env);
  return gh ? githubOutputs(gh, { outDir, print: (text) => void process.stderr.write(text) }) : [];
}
