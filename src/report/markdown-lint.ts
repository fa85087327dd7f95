// report.md's Lint section: what squawk found in the DDL the system under test ran and in the SQL
// files the change adds, each finding with its rule, where it was and its statement; what squawk
// could not parse; and, when squawk could not run, that nothing was linted.
import { lintPlace, type Lint, type Report } from '../config/index.js';
import { plural } from '../plural.js';
import { cell, code } from './markdown-format.js';
import type { Section } from './markdown-section.js';

const MAX_ROWS = 50;

function scope(l: Lint): string {
  const files =
    l.files === null
      ? 'no files (no `sut.base_commit` in the config)'
      : `${plural(l.files.length, 'SQL file')} the change adds or modifies`;
  const excluded = l.excluded.trace.length
    ? `; rules left out of the trace's lint: ${l.excluded.trace.join(', ')}`
    : '';
  return `squawk ${l.version ?? '(version unknown)'} for PostgreSQL ${l.pg_version}, \`lint: ${l.mode}\`, over ${plural(l.statements, 'DDL statement')} the system under test ran (each linted alone) and ${files}${excluded}.`;
}

function findingRows(l: Lint): string[] {
  if (l.findings.length === 0) return ['No finding.', ''];
  const rows = l.findings.slice(0, MAX_ROWS).map((f) => {
    const where = `${lintPlace(f)}${f.nested ? ' (inside a function or DO block)' : ''}`;
    return `| ${code(f.rule)} | ${cell(where)} | ${cell(code(f.statement.slice(0, 120)))} | ${cell(f.message)} |`;
  });
  const more = l.findings.length - rows.length;
  return [
    '| Rule | Where | Statement | Message |',
    '|---|---|---|---|',
    ...rows,
    '',
    ...(more > 0 ? [`And ${plural(more, 'more finding')} in report.json.`, ''] : []),
  ];
}

/** The section, or null when the lint did not run (`lint: off`, or G6 not reached). */
export function lintSection(r: Report): Section | null {
  const l = r.lint;
  if (!l) return null;
  if (l.error)
    return {
      title: 'Lint (squawk)',
      numbered: true,
      body: [
        `squawk could not run (${l.error.kind}): ${l.error.message}. Nothing was linted: this is no clean lint.`,
        '',
      ],
    };
  return {
    title: 'Lint (squawk)',
    numbered: true,
    body: [
      scope(l),
      '',
      ...findingRows(l),
      ...(l.unparsed.length
        ? [
            `squawk could not parse ${plural(l.unparsed.length, 'statement')}, so did not lint ${l.unparsed.length === 1 ? 'it' : 'them'}:`,
            ...l.unparsed.map((u) => `- ${lintPlace(u)}: ${code(u.statement.slice(0, 120))} (${u.message})`),
            '',
          ]
        : []),
    ],
  };
}
