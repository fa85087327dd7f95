// Writing a run's report: report.json (validated against its schema), its sha256 beside it,
// and report.md. The sha is also printed at the end of the run, so a CI log keeps a copy.
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Report } from '../config/index.js';
import { renderMarkdown } from './markdown.js';

export interface WrittenReport {
  json: string;
  markdown: string;
  sha256: string;
}

export function serialiseReport(report: Report): string {
  return JSON.stringify(Report.parse(report), null, 2) + '\n';
}

export async function writeReport(outDir: string, report: Report): Promise<WrittenReport> {
  const text = serialiseReport(report);
  const sha256 = createHash('sha256').update(text).digest('hex');
  const json = join(outDir, 'report.json');
  const markdown = join(outDir, 'report.md');
  await writeFile(json, text);
  await writeFile(`${json}.sha256`, `${sha256}  report.json\n`);
  await writeFile(markdown, renderMarkdown(report) + '\n');
  return { json, markdown, sha256 };
}
