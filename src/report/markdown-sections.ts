// The sections of report.md other than the required-output table, each from the report's data:
// progress against a prior run, the scenarios, the failure, the gates, the table matrix, the
// retries, the provenance and the next gate.
import type { Report, ScenarioRecord } from '../config/index.js';
import { byteSize } from '../byte-size.js';
import { listCut, plural } from '../plural.js';
import { cell, code, seconds } from './markdown-format.js';
import { failingAt, teardownClause } from './markdown-opening.js';
import type { Section } from './markdown-section.js';

type Progress = NonNullable<Report['progress']>;

const failureOf = (x: Progress['prior_failure']) =>
  x ? `${x.gate} (\`${x.classification}\`${x.exception ? `, ${x.exception}` : ''})` : 'none';

function failureChange(p: Progress): string {
  switch (p.failure) {
    case 'same':
      return `The same failure as before: ${failureOf(p.current_failure)}.`;
    case 'new':
      return `A new, distinct failure: ${failureOf(p.current_failure)}; the prior one, ${failureOf(p.prior_failure)}, is gone.`;
    case 'resolved':
      return `The prior failure ${failureOf(p.prior_failure)} is resolved; this run has none.`;
    case 'regressed':
      return `A regression: the prior run passed; this one fails at ${failureOf(p.current_failure)}.`;
    case 'none':
      return 'Neither run failed.';
  }
}

export function progressSection(r: Report): Section | null {
  const p = r.progress;
  if (!p) return null;
  const change = (s: Progress['scenarios'][number]) =>
    s.prior === 'FAIL' && s.current === 'PASS' ? `**${s.change}**, was the failure before` : s.change;
  return {
    title: 'Progress against the prior run',
    numbered: false,
    body: [
      `Prior run ${code(p.prior_run_id)}: **${p.prior_status}** at ${code(p.prior_accepted_commit)} → this run: **${p.current_status}** at ${code(p.current_accepted_commit)}. Previous report ${p.prior_report} (sha256 ${p.prior_report_sha256}).`,
      '',
      failureChange(p),
      '',
      '| Scenario | Title | Prior | Now | Change |',
      '|---|---|---|---|---|',
      ...p.scenarios.map(
        (s) => `| ${s.id} | ${cell(s.title)} | ${s.prior ?? '-'} | ${s.current ?? '-'} | ${change(s)} |`,
      ),
      '',
      ...(p.artefacts_changed.length
        ? [`Artefacts changed since the prior run: ${p.artefacts_changed.join(', ')}.`, '']
        : []),
    ],
  };
}

/** A scenario's evidence in one cell: its steps and deltas when it passed, else the first check that failed. */
function scenarioNote(s: ScenarioRecord): string {
  if (s.status === 'NOT_RUN') return 'not reached';
  if (s.status === 'PASS') {
    const delta =
      s.deltas.length === 0
        ? 'no Δ checked'
        : s.deltas.every((d) => d.ok)
          ? `Δ ${s.negative ? '0 (negative)' : 'as expected'}`
          : 'Δ ✗';
    return `${plural(s.steps.length, 'step')}, ${delta}`;
  }
  const failed = s.steps.flatMap((st) => st.checks).find((c) => !c.ok) ?? s.deltas.find((d) => !d.ok);
  return failed
    ? `${failed.what}: expected ${failed.expected}, got ${failed.actual}`
    : String(s.evidence?.failure ?? '');
}

export function scenarioSection(r: Report): Section {
  return {
    title: 'Scenario progress',
    numbered: true,
    body: [
      '| Scenario | Title | Status | Time | Evidence |',
      '|---|---|---|---|---|',
      ...r.scenarios.map(
        (s) =>
          `| ${s.id} | ${cell(s.title)} | **${s.status}** | ${seconds(s.ms)} | ${cell(scenarioNote(s).slice(0, 200))} |`,
      ),
      '',
    ],
  };
}

/** What the leak scan says of the redacted stderr shown under the failure. */
function redactionNote(r: Report): string {
  if (!r.leak_scan) return 'secrets redacted; the leak scan did not run';
  return r.leak_scan.hits === 0
    ? 'secrets redacted'
    : `secrets redacted, yet the leak scan found ${plural(r.leak_scan.hits, 'hit')} in this run's output`;
}

/** The failing scenario's last step, when it timed out: its limit and its output are the failure's evidence. */
function timedOutStep(r: Report): ScenarioRecord['steps'][number] | null {
  const f = r.failure;
  const step = f?.scenario ? r.scenarios.find((s) => s.id === f.scenario)?.steps.at(-1) : undefined;
  return step?.timed_out ? step : null;
}

function timeoutRows(step: ScenarioRecord['steps'][number] | null): string[] {
  if (!step) return [];
  const limit =
    step.timeout_ms === undefined
      ? 'its limit is not recorded in this report'
      : `at its limit of ${seconds(step.timeout_ms)} (timeout_ms ${step.timeout_ms})`;
  return [`| timed out | step "${cell(step.name)}" ${limit}, after ${seconds(step.ms)} |`];
}

/** The first rows of a failed query or finding, saying how many more there were. */
function sqlRowsBlock(f: NonNullable<Report['failure']>): string[] {
  if (!f.sql_rows?.length) return [];
  const n = f.sql_rows.length;
  const more = f.sql_rows_total !== undefined && f.sql_rows_total > n ? f.sql_rows_total - n : 0;
  const title = more > 0 ? `First ${n} of ${f.sql_rows_total} rows (and ${more} more):` : `First ${n} rows:`;
  return [title, '', '```json', ...f.sql_rows.map((row) => JSON.stringify(row)), '```', ''];
}

/** The lock budget a step exceeded: which, its limit, and what exceeded it. */
function lockBudgetRows(b: NonNullable<Report['failure']>['lock_budget']): string[] {
  if (!b) return [];
  const what = [
    b.mode ? `${b.mode} on ${b.relation}` : b.relation,
    b.held_ms !== null && b.budget === 'max_blocked_read_ms' ? `a plain read blocked ${b.held_ms} ms` : null,
    b.held_ms !== null && b.budget !== 'max_blocked_read_ms'
      ? `held ${b.held_ms} ms${b.source ? ` (${b.source})` : ''}`
      : null,
    b.bytes !== null ? `rewritten whole, ${byteSize(b.bytes)}` : null,
  ].filter((x) => x !== null);
  return [
    `| lock budget | \`locks.${b.budget}\` ${code(b.limit)}, exceeded in step "${cell(b.step)}"${b.breaches > 1 ? ` (1 of ${b.breaches} breaches)` : ''} |`,
    `| locked | ${cell(what.join(', '))} |`,
    ...(b.statement ? [`| statement | ${code(b.statement)} |`] : []),
  ];
}

export function failureSection(r: Report): Section | null {
  const f = r.failure;
  if (!f) return null;
  const timedOut = timedOutStep(r);
  const table = [
    `| gate | ${f.gate}${f.scenario ? ` (scenario ${f.scenario})` : ''} |`,
    `| classification | \`${f.classification}\` |`,
    `| message | ${cell(f.message)} |`,
    ...(f.command ? [`| command | ${code(f.command.join(' '))} |`] : []),
    ...(f.exit_code !== null ? [`| exit code | ${f.exit_code} |`] : []),
    ...(f.exception
      ? [
          `| exception | \`${f.exception.name}\`: ${cell(f.exception.message)}${f.exception.location ? ` at \`${f.exception.location}\`` : ''} |`,
        ]
      : []),
    ...timeoutRows(timedOut),
    ...lockBudgetRows(f.lock_budget),
  ];
  const stderr = f.stderr_tail?.length
    ? [
        `Last ${plural(f.stderr_tail.length, 'line')} of stderr (${redactionNote(r)}):`,
        '',
        '```',
        ...f.stderr_tail,
        '```',
        '',
      ]
    : [];
  const stdout = timedOut?.stdout_tail.length
    ? [
        `Last ${plural(timedOut.stdout_tail.length, 'line')} of stdout (${redactionNote(r)}):`,
        '',
        '```',
        ...timedOut.stdout_tail,
        '```',
        '',
      ]
    : [];
  const rows = sqlRowsBlock(f);
  const stackTitle = f.classification === 'tool' ? 'Stack (a bug of pg-rehearse):' : 'Stack:';
  const stack = f.stack ? [stackTitle, '', '```', f.stack, '```', ''] : [];
  return {
    title: 'Failure',
    numbered: true,
    body: ['| | |', '|---|---|', ...table, '', ...stdout, ...stderr, ...rows, ...stack],
  };
}

export function gatesSection(r: Report): Section {
  const streamed = r.gates.some((g) => g.id === 'G2' && g.evidence?.streamed_into_restore === true);
  const intoContainer = r.gates.some((g) => g.id === 'G2' && g.evidence?.streamed_into_container === true);
  return {
    title: 'Gates',
    numbered: true,
    body: [
      '| Gate | Name | Status | Started (UTC) | Time |',
      '|---|---|---|---|---|',
      ...r.gates.map(
        (g) => `| ${g.id} | ${g.name} | ${g.status} | ${g.started_at?.slice(11, 23) ?? '-'} | ${seconds(g.ms)} |`,
      ),
      ...(streamed
        ? [
            '',
            "G2 ran inside G4, after G3: the plain dump streamed into G4's restore as it was written, so G4's time includes G2's.",
          ]
        : []),
      ...(intoContainer
        ? [
            '',
            "G2 ran inside G3: the base backup streamed into the created dry-run container, and the image's pg_verifybackup checked it there before the server started, so G3's time includes G2's.",
          ]
        : []),
      '',
    ],
  };
}

export function tableMatrixSection(r: Report): Section | null {
  const tm = r.table_matrix;
  if (!tm) return null;
  const delta = (c: (typeof tm.checkpoints)[number], t: string) =>
    `${c.deltas[t]}${c.deltas[t] === c.expected[t] ? '' : ` (expected ${c.expected[t]}) ✗`}`;
  return {
    title: 'Table matrix (exact row counts)',
    numbered: true,
    body: [
      `| table | baseline | ${tm.checkpoints.map((c) => `Δ ${c.after}`).join(' | ')} | final |`,
      `|---|---|${tm.checkpoints.map(() => '---|').join('')}---|`,
      ...tm.tables.map(
        (t) =>
          `| ${t} | ${tm.baseline[t]} | ${tm.checkpoints.map((c) => delta(c, t)).join(' | ')} | ${tm.final?.[t] ?? '-'} |`,
      ),
      '',
    ],
  };
}

/** The retries the run recorded, by the gates that made them. */
export function retriesSection(r: Report): Section | null {
  if (!r.retries.length) return null;
  const gates = [...new Set(r.retries.map((x) => x.gate))].map((id) => {
    const name = r.gates.find((g) => g.id === id)?.name;
    return name ? `${id} (${name})` : id;
  });
  const reasons = listCut([...new Set(r.retries.map((x) => x.reason))], 5);
  return {
    title: 'Retries',
    numbered: false,
    body: [
      `${plural(r.retries.length, 'attempt')} ${r.retries.length === 1 ? 'was' : 'were'} retried at ${gates.join(', ')}: ${reasons}`,
      '',
    ],
  };
}

export function provenanceSection(r: Report): Section {
  const p = r.provenance;
  return {
    title: 'Provenance',
    numbered: false,
    body: [
      `pg-rehearse ${p.tool_version} (build ${p.build_sha ?? 'unknown'}) · image ${r.env?.image ?? '-'} (${p.image_id ?? '-'}) · ${p.pg_dump_where ?? 'no dump'} · production PostgreSQL ${p.production_server_version ?? '-'} · dry-run PostgreSQL ${p.dry_run_server_version ?? '-'}${p.squawk_version ? ` · squawk ${p.squawk_version}` : ''} · config ${r.config.path} (sha256 ${r.config.sha256})`,
      '',
    ],
  };
}

/** Whether the gates all ran and passed, else which did not. */
function gatesSummary(r: Report): string {
  const other = r.gates.filter((g) => g.status !== 'PASS');
  if (other.length === 0) return 'every gate ran and passed';
  return `${r.gates.length - other.length} of ${r.gates.length} gates passed (${other.map((g) => `${g.id} ${g.status}`).join(', ')})`;
}

/** What the tool itself did beyond running the gates: never a patch or a mask; the retries are those it recorded. */
function remediation(r: Report): string {
  const retried = r.retries.length
    ? `nothing was patched or masked, and the only ${r.retries.length === 1 ? 'retry is the' : 'retries are the'} ${plural(r.retries.length, 'attempt')} under Retries`
    : 'nothing was patched, retried or masked';
  return `No remediation was applied by the tool: ${retried}.`;
}

export function nextGateSection(r: Report): Section {
  const finish =
    r.teardown && !r.teardown.complete
      ? [
          `Before anything else: ${teardownClause(r.teardown)}; \`rehearse teardown --run-id ${r.run_id}\` finishes it.`,
          '',
        ]
      : [];
  if (r.execution_status === 'PASS') {
    return {
      title: 'Next gate',
      numbered: false,
      body: [
        `PASS: ${gatesSummary(r)}. A reviewer approves these artefact pins to open the next gate:`,
        '',
        ...r.artefacts.map((a) => `- ${a.path}: ${a.sha256}`),
        `- accepted commit: ${r.accepted_commit}`,
        '',
        ...finish,
      ],
    };
  }
  const f = r.failure;
  return {
    title: 'Next gate',
    numbered: false,
    body: [
      `Blocked: the run is ${r.execution_status} at ${failingAt(r)} (${f.gate}, \`${f.classification}\`): ${f.message}`,
      '',
      ...finish,
      `${remediation(r)} The next gate stays closed until a fix lands under review and a rerun passes.`,
      '',
    ],
  };
}
