// G6's findings in full, whatever the verdict: every forbidden statement (each occurrence, with
// the scenario and step that sent it, its verb and kind, the objects it names, the rule it broke
// and its text) and every write the counters saw that no logged statement explains.
import type { Report } from '../config/index.js';
import { plural } from '../plural.js';
import { cell, code } from './markdown-format.js';
import { failingAt } from './markdown-opening.js';
import type { Section } from './markdown-section.js';

type Trace = NonNullable<Report['sql_trace']>;

function forbiddenTable(t: Trace): string[] {
  if (!t.forbidden.length) return [];
  return [
    `${plural(t.forbidden.length, 'forbidden statement')} (each occurrence):`,
    '',
    '| Scenario | Step | Verb / kind | Objects | Rule | User | Statement |',
    '|---|---|---|---|---|---|---|',
    ...t.forbidden.map(
      (f) =>
        `| ${f.scenario ?? 'outside every scenario'} | ${cell(f.step ?? '-')} | ${f.verb} / ${f.kind} | ${cell(f.objects.join(', ') || '-')} | ${code(f.rule)} | ${cell(f.user)} | ${cell(code(f.text))} |`,
    ),
    '',
  ];
}

function unexplainedTable(t: Trace): string[] {
  const u = t.writes.unexplained;
  if (!u.length) return [];
  return [
    `${plural(u.length, 'write')} the counters saw that no logged statement explains:`,
    '',
    '| Scenario | Table | Verb | Rows | Forbidden |',
    '|---|---|---|---|---|',
    ...u.map((w) => `| ${w.scenario} | ${w.table} | ${w.verb} | ${w.rows} | ${w.forbidden ? 'yes ✗' : 'no'} |`),
    '',
  ];
}

/** The section, or null when G6 did not trace or found nothing. */
export function traceFindingsSection(r: Report): Section | null {
  const t = r.sql_trace;
  if (!t || (!t.forbidden.length && !t.writes.unexplained.length)) return null;
  const decided =
    r.failure && r.failure.gate !== 'G6'
      ? [`The verdict was decided at ${failingAt(r)}; G6 still traced the run and found:`, '']
      : [];
  return {
    title: 'SQL trace findings (G6)',
    numbered: true,
    body: [...decided, ...forbiddenTable(t), ...unexplainedTable(t)],
  };
}
