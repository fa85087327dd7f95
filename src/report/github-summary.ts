// The GitHub Actions step summary of a run: report.md's verdict, scenarios, failure, required
// output and gates, then where the full report is. GitHub refuses a step summary over 1 MiB, so a
// longer one is cut at a line, with a line saying it was cut and where the full report is.
import type { Report } from '../config/index.js';
import { openingLines } from './markdown-opening.js';
import { requiredOutputSection } from './markdown-required-output.js';
import { headed } from './markdown-section.js';
import { failureSection, gatesSection, scenarioSection } from './markdown-sections.js';

/** GitHub's limit for one step's summary (its whole file). */
export const STEP_SUMMARY_LIMIT_BYTES = 1024 * 1024;

export interface SummaryOptions {
  /** The report's sha256; null while the leak scan reads the summary. */
  sha256: string | null;
  /** Where report.json is, as the reader finds it (relative to the workspace where it is inside it). */
  reportPath: string;
  /** The bytes this summary may take (the limit less what the step's summary file already holds). */
  budgetBytes: number;
}

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

export function stepSummary(r: Report, o: SummaryOptions): string {
  const where = `\`${o.reportPath}\` (report.md beside it)`;
  const footer = `Full report: ${where}${o.sha256 ? `, sha256 \`${o.sha256}\`` : ''}.`;
  const lines = [
    ...openingLines(r),
    ...headed([scenarioSection(r), failureSection(r), requiredOutputSection(r), gatesSection(r)]),
    footer,
    '',
  ];
  const text = lines.join('\n');
  if (bytes(text) <= o.budgetBytes) return text;
  const note = `> **This summary was cut** to stay under GitHub's 1 MiB limit for a step summary; the full report is ${where}.\n`;
  return cutToFit(lines, o.budgetBytes - bytes(note) - bytes('```\n')) + note;
}

/** The first lines that fit in `budget` bytes, a code block left open closed again. */
function cutToFit(lines: readonly string[], budget: number): string {
  let used = 0;
  let fences = 0;
  const kept: string[] = [];
  for (const line of lines) {
    const size = bytes(line) + 1;
    if (used + size > budget) break;
    kept.push(line);
    used += size;
    if (line.startsWith('```')) fences++;
  }
  if (fences % 2 === 1) kept.push('```');
  return kept.map((l) => `${l}\n`).join('');
}
