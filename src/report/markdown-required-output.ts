// The required-output table of report.md: one row a field of the seed's rehearsal report, each
// value read from report.json; where a section is null the row says it was not reached.
import type { Report } from '../config/index.js';
import { plural } from '../plural.js';
import { cell, short } from './markdown-format.js';
import { evidenceRows, productionMissing, productionState } from './markdown-evidence-rows.js';
import { failingAt } from './markdown-opening.js';
import type { Section } from './markdown-section.js';

type Row = readonly [field: string, value: string];

function gitRow(r: Report): string {
  if (!r.git) return `${r.accepted_commit} (not checked)`;
  const head = r.git.head_matches ? 'matches' : `is ${r.git.head ?? 'unknown'}`;
  return `${r.accepted_commit} (HEAD ${head}; ${r.git.clean ? 'clean' : 'NOT clean'})`;
}

function envRow(r: Report): string {
  if (!r.env) return 'not provisioned';
  return `${r.env.container} / ${r.env.network} on 127.0.0.1:${r.env.port}, dry-run system identifier ${r.env.sysid ?? 'not reached'}`;
}

/** A cache hit skips the restore; G4 sets fresh passwords and runs its checks, so its status says whether they ran. */
function cacheRow(r: Report): Row[] {
  const c = r.env?.cache;
  if (!c?.enabled) return [];
  const g4 = r.gates.find((g) => g.id === 'G4')?.status ?? 'NOT_RUN';
  if (!c.hit) {
    const restore = g4 === 'PASS' ? 'fresh restore' : `G4 ${g4}`;
    return [['cached restore', `miss (key ${short(c.key)}): ${restore}${c.saved ? `, saved as ${c.snapshot}` : ''}`]];
  }
  const checks = g4 === 'PASS' ? 'fresh per-run passwords set; every check of G4 ran' : `G4 ${g4}`;
  return [
    [
      'cached restore',
      `hit: ${c.snapshot} (key ${short(c.key)}, ${c.age_s ?? '?'} s old): no restore; ${checks}; first query ${c.start_to_ready_ms ?? '?'} ms after the container started`,
    ],
  ];
}

function productionSysidRow(r: Report): string {
  const p = r.production;
  if (!p) return 'not reached';
  const post = p.sysid_post ?? productionMissing(p);
  return `production system identifier ${p.sysid_pre} / ${post}${p.unchanged === null ? '' : ` (${productionState(p)})`}`;
}

/** The backup file's fate: kept by request, or what teardown recorded of its shredding. */
function backupFate(r: Report, kept: boolean): string {
  if (kept) return 'kept';
  if (!r.teardown || r.teardown.backup_shredded === null) return 'not shredded: no teardown recorded it';
  return r.teardown.backup_shredded ? 'shredded at teardown' : 'NOT shredded at teardown';
}

function backupRow(r: Report): string {
  const b = r.backup;
  if (!b) return 'not reached';
  const ph = b.physical;
  if (ph)
    return `physical base backup (the whole cluster) · manifest sha256 ${b.manifest_sha256} · ${ph.manifest_files.toLocaleString('en')} files, ${b.bytes.toLocaleString('en')} B · WAL ${ph.wal_start}..${ph.wal_end} (timeline ${ph.timeline}) · ${ph.checkpoint} checkpoint${ph.max_rate ? `, --max-rate ${ph.max_rate}` : ''} · pg_basebackup ${ph.pg_basebackup_version} · pg_verifybackup ${b.verified ? '✓ verified' : '✗ NOT verified'} · ${b.path} (${backupFate(r, b.kept)})`;
  return `sha256 ${b.sha256} · content sha256 ${b.content_sha256} · ${b.bytes.toLocaleString('en')} B · ${b.format} · ${b.pg_dump_where} · read-only session ${b.read_only_session ? 'proved' : 'NOT proved'} · ${b.path} (${backupFate(r, b.kept)})`;
}

function artefactsRow(r: Report): string {
  if (!r.artefacts.length) return 'none hashed';
  return r.artefacts
    .map(
      (a) =>
        `${a.path}${a.real_path ? ` (→ ${a.real_path})` : ''} ${short(a.sha256)} ${a.ok ? 'pinned ✓' : `pinned ${short(a.pinned)} ✗`}`,
    )
    .join(' · ');
}

function tableMatrixRow(r: Report): string {
  const tm = r.table_matrix;
  if (!tm) return 'not reached';
  const after = tm.checkpoints.map((c) => `${c.after}${c.ok ? '' : ' ✗'}`).join(', ') || 'none';
  return `${tm.tables.length} watched tables; checkpoints after ${after}`;
}

/** The final baseline is reached when every scenario passed; the counts where a run stopped are in the table matrix. */
function finalBaselineRow(r: Report): string {
  const final = r.table_matrix?.final;
  if (!final) return 'not reached';
  const notPassed = r.scenarios.filter((s) => s.status !== 'PASS').length;
  if (notPassed > 0)
    return `not reached: ${plural(notPassed, 'scenario')} did not pass (the counts where the run stopped are in the table matrix)`;
  return Object.entries(final)
    .map(([t, n]) => `${t} ${n}`)
    .join(', ');
}

function negativesRow(r: Report): string {
  const negatives = r.scenarios.filter((s) => s.negative);
  if (!negatives.length) return 'no negative scenario';
  const state = (s: Report['scenarios'][number]) => {
    if (s.status === 'NOT_RUN') return 'not reached';
    if (s.deltas.some((d) => !d.ok)) return 'delta ✗';
    if (s.status === 'PASS') return s.deltas.length ? 'Δ0 ✓' : 'PASS, Δ not checked';
    return s.deltas.length ? `${s.status}, Δ0 ✓` : `${s.status}, Δ not checked`;
  };
  return negatives.map((s) => `${s.id} ${state(s)}`).join(', ');
}

function rowsOfTheRun(r: Report): Row[] {
  const at = failingAt(r);
  return [
    ['execution_status', `${r.execution_status}${r.failure ? ` (${r.failure.classification} at ${at})` : ''}`],
    ['accepted commit', gitRow(r)],
    ['dry-run env / sysid', envRow(r)],
    ...cacheRow(r),
    ['production sysid pre/post', productionSysidRow(r)],
    ['backup path + sha', backupRow(r)],
    ['artefact shas', artefactsRow(r)],
    ['install scope', `${r.sut_runner.mode} runner: ${r.sut_runner.install}`],
    [
      `scenario ${r.scenarios[0]?.id ?? ''}→${r.scenarios.at(-1)?.id ?? ''}`,
      r.scenarios.map((s) => `${s.id} ${s.status}`).join(', '),
    ],
    ['table matrix (row counts)', tableMatrixRow(r)],
    ['final baseline', finalBaselineRow(r)],
    ['negative Δ0', negativesRow(r)],
  ];
}

export function requiredOutputSection(r: Report): Section {
  const rows = [...rowsOfTheRun(r), ...evidenceRows(r)];
  return {
    title: 'Required output',
    numbered: true,
    body: ['| Field | Value |', '|---|---|', ...rows.map(([field, value]) => `| ${field} | ${cell(value)} |`), ''],
  };
}
