// report.md's Locks section: per scenario, each relation the system under test locked with its
// strongest mode, the longest time it was held in it and whether that was inferred, sampled or
// both, the tables its steps rewrote whole, and what they left invalid or waited on.
import type { Locks, Report } from '../config/index.js';
import { byteSize } from '../byte-size.js';
import { plural } from '../plural.js';
import { cell, code } from './markdown-format.js';
import type { Section } from './markdown-section.js';

type ScenarioLocks = Locks['scenarios'][number];

/** The strongest mode per relation (the report lists them strongest first), from the tables the scenario reached. */
function strongest(s: ScenarioLocks): ScenarioLocks['relations'] {
  const seen = new Set<string>();
  return s.relations.filter((r) => !seen.has(r.relation) && seen.add(r.relation));
}

/** A statement as a table cell shows it: its leading comment lines dropped, cut to 120 characters. */
const shown = (statement: string) =>
  cell(
    code(
      statement
        .replace(/^(\s*--[^\n]*\n)+/, '')
        .trim()
        .slice(0, 120),
    ),
  );

function scenarioRows(s: ScenarioLocks): string[] {
  const rewritten = new Map(s.rewrites.map((r) => [r.relation, r]));
  return strongest(s).map((r) => {
    const rw = rewritten.get(r.relation);
    return `| ${s.id} | ${r.relation} | ${r.mode} | ${r.held_ms} ms | ${r.source} | ${rw ? `yes, ${byteSize(rw.bytes)} (${cell(rw.step)})` : '-'} | ${shown(r.statement)} |`;
  });
}

function leftovers(s: ScenarioLocks): string[] {
  return [
    ...s.invalid_indexes.map((i) => `- ${s.id}: index ${i} left invalid (indisvalid = false)`),
    ...s.not_valid_constraints.map((c) => `- ${s.id}: constraint ${c} left NOT VALID`),
    ...s.waits.map(
      (w) =>
        `- ${s.id}: waited at least ${w.waited_ms} ms for ${w.mode} on ${w.relation}: ${code(w.statement.slice(0, 120))}`,
    ),
    ...(s.blocked_reads ?? [])
      .filter((b) => b.blocked_read_ms > 0)
      .map(
        (b) =>
          `- ${s.id}: reads of ${b.relation} would have queued ${b.blocked_read_ms} ms${b.statement ? ` behind ${code(b.statement.slice(0, 120))}` : ''}`,
      ),
    ...s.unread.map((u) => `- ${s.id}: partial: ${u}`),
  ];
}

/** What the read probe measured, when it ran: how many tables it read and that none was blocked, or the lines above. */
function probeNote(l: Locks): string[] {
  const probed = l.scenarios.filter((s) => s.blocked_reads);
  if (!l.probe || probed.length === 0) return [];
  const blocked = probed.flatMap((s) => s.blocked_reads!.filter((b) => b.blocked_read_ms > 0));
  const tables = new Set(probed.flatMap((s) => s.blocked_reads!.map((b) => b.relation)));
  return [
    `The read probe read one row of each of ${plural(tables.size, 'watched table')} every ${l.probe.interval_ms} ms during the steps of ${plural(probed.length, 'scenario')} (a ${l.probe.lock_timeout_ms} ms lock_timeout); ${blocked.length === 0 ? 'no read was blocked.' : `${plural(blocked.length, 'table')} had reads blocked, as listed above.`}`,
    '',
  ];
}

/** The section, or null when no scenario ran against a dry-run server. */
export function locksSection(r: Report): Section | null {
  const l = r.locks;
  if (!l || l.scenarios.length === 0) return null;
  const rows = l.scenarios.flatMap(scenarioRows);
  const notes = l.scenarios.flatMap(leftovers);
  const rewrites = l.scenarios.flatMap((s) => s.rewrites);
  return {
    title: 'Locks',
    numbered: true,
    body: [
      l.scenarios.some((s) => s.samples > 0)
        ? `What the system under test locked, per scenario: each relation in its strongest mode and the longest time it was held in it, inferred from the statement log (statement start to its transaction's end), sampled from pg_locks every ${l.sample_interval_ms} ms, or both; ${plural(rewrites.length, 'table')} rewritten whole.`
        : "What the system under test locked, per scenario: each relation in its strongest mode and the longest time it was held in it, inferred from the statement log (each statement's documented lock level, from its start to its transaction's end).",
      '',
      ...(rows.length
        ? [
            '| Scenario | Relation | Strongest mode | Held | Seen | Rewritten | Statement |',
            '|---|---|---|---|---|---|---|',
            ...rows,
            '',
          ]
        : ['No relation was locked by the system under test.', '']),
      ...(notes.length ? [...notes, ''] : []),
      ...probeNote(l),
    ],
  };
}
