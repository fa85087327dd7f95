// report.md's section on G2's own footprint on production: its lock wait timeout, how long it held
// its ACCESS SHARE locks and its snapshot's xmin (at least; sampled every 200 ms), and every
// session seen waiting on it.
import type { DumpFootprint, Report } from '../config/index.js';
import { plural } from '../plural.js';
import { cell, code, seconds } from './markdown-format.js';
import type { Section } from './markdown-section.js';

const WAITERS_SHOWN = 20;

function heldLines(f: DumpFootprint): string[] {
  if (f.backend_pid === null)
    return [
      `- no sample saw the dump's session: it ended within about ${seconds(f.sample_interval_ms)} of its start, or sampling did not run`,
    ];
  return [
    f.locks_held_ms === null
      ? '- no sample saw it hold ACCESS SHARE on a table'
      : `- ACCESS SHARE on ${plural(f.relations_locked, 'table')} (the most in one sample) held at least ${seconds(f.locks_held_ms)}, from the first sample that saw it to the dump's end`,
    f.xmin_held_ms === null
      ? '- no sample saw its snapshot hold the xmin horizon back'
      : `- its snapshot held the xmin horizon back at least ${seconds(f.xmin_held_ms)} (backend_xmin at most ${plural(f.xmin_age_max ?? 0, 'transaction')} old)`,
  ];
}

function waiterRows(f: DumpFootprint): string[] {
  if (f.waiters.length === 0)
    return [
      `No session was seen waiting on the dump (a wait shorter than ${seconds(f.sample_interval_ms)} can be missed).`,
      '',
    ];
  const shown = f.waiters.slice(0, WAITERS_SHOWN);
  return [
    `${plural(f.waiters.length, 'session')} waited on the dump, directly or queued behind a session that waited on it (longest first):`,
    '',
    '| pid | role | relation | mode | waited at least | waited for | query |',
    '|---|---|---|---|---|---|---|',
    ...shown.map(
      (w) =>
        `| ${w.pid} | ${cell(w.role ?? '-')} | ${cell(w.relation)} | ${w.mode} | ${seconds(w.waited_ms)} | ${w.blocked_by.join(', ') || '-'} | ${w.query === null ? '-' : cell(code(w.query.slice(0, 120)))} |`,
    ),
    ...(f.waiters.length > shown.length ? [`| and ${f.waiters.length - shown.length} more | | | | | | |`] : []),
    '',
  ];
}

/** The section, or null when G2 did not run. */
export function dumpFootprintSection(r: Report): Section | null {
  const f = r.production?.dump_footprint;
  if (!f) return null;
  return {
    title: "Production: the dump's footprint",
    numbered: true,
    body: [
      `G2's pg_dump ran with \`--lock-wait-timeout=${f.lock_wait_timeout_ms}\` (production.lock_wait_timeout_ms): it gives up rather than queue behind another session's lock. A read-only session of the tool read production every ${seconds(f.sample_interval_ms)} while it ran (${plural(f.samples, 'sample')}${f.backend_pid === null ? '' : `, the dump's backend pid ${f.backend_pid}`}):`,
      '',
      ...heldLines(f),
      '',
      ...waiterRows(f),
      ...(f.unread.length ? [...f.unread.map((u) => `- partial: ${u}`), ''] : []),
    ],
  };
}
