// report.md, in the spirit of a hand-written rehearsal report: the verdict line, the scenario
// progress, the failure with its evidence, the required-output table, and the next gate.
import type { Report } from '../config/index.js';

const code = (s: string) => '`' + s.replaceAll('`', "'") + '`';
const cell = (s: string) => s.replaceAll('|', '\\|').replaceAll('\n', ' ');
const seconds = (ms: number | null) => (ms === null ? '-' : ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`);
const short = (sha: string | null | undefined) => (sha ? sha.slice(0, 12) : 'none');

export function renderMarkdown(r: Report): string {
  const out: string[] = [];
  const push = (...lines: string[]) => out.push(...lines);
  const failingAt = r.failure ? (r.failure.scenario ?? r.failure.gate) : null;

  push(`# ${r.name}: execution_status ${r.execution_status}${r.execution_status === 'PASS' ? '' : ' (honest)'}`, '');
  push(
    `**Verdict: ${r.execution_status}**${r.failure ? ` at ${failingAt}, classification \`${r.failure.classification}\`` : ''} · exit ${r.exit_code} · run ${code(r.run_id)} · ${r.started_at} → ${r.ended_at} (${seconds(r.ms)}) · accepted commit ${code(r.accepted_commit)}`,
    '',
  );
  for (const a of r.alerts) push(`> **${a}**`, '');
  if (r.failure) {
    push(`${r.failure.message}`, '');
    // Each clause from the report's data: an interrupted run stops at a closing gate, a teardown may be incomplete.
    const notRun = r.scenarios.filter((s) => s.status === 'NOT_RUN').length;
    const teardown = r.teardown
      ? r.teardown.complete
        ? 'the environment was torn down by exact name and proved gone'
        : 'teardown is INCOMPLETE (see the alerts)'
      : 'no teardown was recorded';
    push(
      `The verdict is decided at ${failingAt}${notRun > 0 ? `; ${notRun} scenario(s) NOT_RUN after the run stopped` : ''}; ${teardown}.`,
      '',
    );
  }

  if (r.progress) {
    const p = r.progress;
    const f = (x: typeof p.prior_failure) =>
      x ? `${x.gate} (\`${x.classification}\`${x.exception ? `, ${x.exception}` : ''})` : 'none';
    push('## Progress against the prior run', '');
    push(
      `Prior run ${code(p.prior_run_id)}: **${p.prior_status}** at ${code(p.prior_accepted_commit)} → this run: **${p.current_status}** at ${code(p.current_accepted_commit)}. Previous report ${p.prior_report} (sha256 ${p.prior_report_sha256}).`,
      '',
    );
    const failureLine: Record<typeof p.failure, string> = {
      same: `The same failure as before: ${f(p.current_failure)}.`,
      new: `A new, distinct failure: ${f(p.current_failure)}; the prior one, ${f(p.prior_failure)}, is gone.`,
      resolved: `The prior failure ${f(p.prior_failure)} is resolved; this run has none.`,
      regressed: `A regression: the prior run passed; this one fails at ${f(p.current_failure)}.`,
      none: 'Neither run failed.',
    };
    push(failureLine[p.failure], '');
    push('| Scenario | Title | Prior | Now | Change |', '|---|---|---|---|---|');
    for (const s of p.scenarios)
      push(
        `| ${s.id} | ${cell(s.title)} | ${s.prior ?? '-'} | ${s.current ?? '-'} | ${s.prior === 'FAIL' && s.current === 'PASS' ? `**${s.change}**, was the failure before` : s.change} |`,
      );
    push('');
    if (p.artefacts_changed.length)
      push(`Artefacts changed since the prior run: ${p.artefacts_changed.join(', ')}.`, '');
  }

  push('## 1. Scenario progress', '', '| Scenario | Title | Status | Time | Evidence |', '|---|---|---|---|---|');
  for (const s of r.scenarios) {
    const failed = s.steps.flatMap((st) => st.checks).find((c) => !c.ok) ?? s.deltas.find((d) => !d.ok);
    const note =
      s.status === 'PASS'
        ? `${s.steps.length} step(s), Δ ${s.negative ? '0 (negative)' : 'as expected'}`
        : s.status === 'NOT_RUN'
          ? 'not reached'
          : failed
            ? `${failed.what}: expected ${failed.expected}, got ${failed.actual}`
            : String(s.evidence?.failure ?? '');
    push(`| ${s.id} | ${cell(s.title)} | **${s.status}** | ${seconds(s.ms)} | ${cell(note.slice(0, 200))} |`);
  }
  push('');

  if (r.failure) {
    const f = r.failure;
    push('## 2. Failure', '', `| | |`, `|---|---|`);
    push(`| gate | ${f.gate}${f.scenario ? ` (scenario ${f.scenario})` : ''} |`);
    push(`| classification | \`${f.classification}\` |`);
    push(`| message | ${cell(f.message)} |`);
    if (f.command) push(`| command | ${code(f.command.join(' '))} |`);
    if (f.exit_code !== null) push(`| exit code | ${f.exit_code} |`);
    if (f.exception)
      push(
        `| exception | \`${f.exception.name}\`: ${cell(f.exception.message)}${f.exception.location ? ` at \`${f.exception.location}\`` : ''} |`,
      );
    push('');
    if (f.stderr_tail?.length)
      push(`Last ${f.stderr_tail.length} lines of stderr (secrets redacted):`, '', '```', ...f.stderr_tail, '```', '');
    if (f.sql_rows?.length)
      push(
        `First ${f.sql_rows.length} rows:`,
        '',
        '```json',
        ...f.sql_rows.map((row) => JSON.stringify(row)),
        '```',
        '',
      );
    if (f.stack) push('Stack (a bug of pg-rehearse):', '', '```', f.stack, '```', '');
  }

  push('## 3. Required output', '', '| Field | Value |', '|---|---|');
  const row = (field: string, value: string) => push(`| ${field} | ${cell(value)} |`);
  row('execution_status', `${r.execution_status}${r.failure ? ` (${r.failure.classification} at ${failingAt})` : ''}`);
  row(
    'accepted commit',
    r.git
      ? `${r.accepted_commit} (HEAD ${r.git.head_matches ? 'matches' : `is ${r.git.head ?? 'unknown'}`}; ${r.git.clean ? 'clean' : 'NOT clean'})`
      : `${r.accepted_commit} (not checked)`,
  );
  row(
    'dry-run env / sysid',
    r.env
      ? `${r.env.container} / ${r.env.network} on 127.0.0.1:${r.env.port}, dry-run system identifier ${r.env.sysid ?? 'not reached'}`
      : 'not provisioned',
  );
  if (r.env?.cache.enabled) {
    const c = r.env.cache;
    row(
      'cached restore',
      c.hit
        ? `hit: ${c.snapshot} (key ${short(c.key)}, ${c.age_s ?? '?'} s old): no restore; fresh per-run passwords set; every check of G4 ran; first query ${c.start_to_ready_ms ?? '?'} ms after the container started`
        : `miss (key ${short(c.key)}): fresh restore${c.saved ? `, saved as ${c.snapshot}` : ''}`,
    );
  }
  row(
    'production sysid pre/post',
    r.production
      ? `production system identifier ${r.production.sysid_pre} / ${r.production.sysid_post ?? 'not checked'}${r.production.unchanged === null ? '' : r.production.unchanged ? ' (unchanged)' : ' (CHANGED)'}`
      : 'not reached',
  );
  row(
    'backup path + sha',
    r.backup
      ? `sha256 ${r.backup.sha256} · content sha256 ${r.backup.content_sha256} · ${r.backup.bytes.toLocaleString('en')} B · ${r.backup.format} · ${r.backup.pg_dump_where} · read-only session ${r.backup.read_only_session ? 'proved' : 'NOT proved'} · ${r.backup.path} (${r.backup.kept ? 'kept' : 'shredded at teardown'})`
      : 'not reached',
  );
  row(
    'artefact shas',
    r.artefacts.length
      ? r.artefacts
          .map(
            (a) =>
              `${a.path}${a.real_path ? ` (→ ${a.real_path})` : ''} ${short(a.sha256)} ${a.ok ? 'pinned ✓' : `pinned ${short(a.pinned)} ✗`}`,
          )
          .join(' · ')
      : 'none hashed',
  );
  row('install scope', `${r.sut_runner.mode} runner: ${r.sut_runner.install}`);
  row(
    `scenario ${r.scenarios[0]?.id ?? ''}→${r.scenarios.at(-1)?.id ?? ''}`,
    r.scenarios.map((s) => `${s.id} ${s.status}`).join(', '),
  );
  row(
    'table matrix (row counts)',
    r.table_matrix
      ? `${r.table_matrix.tables.length} watched tables; checkpoints after ${r.table_matrix.checkpoints.map((c) => `${c.after}${c.ok ? '' : ' ✗'}`).join(', ') || 'none'}`
      : 'not reached',
  );
  row(
    'final baseline',
    r.table_matrix?.final && r.execution_status === 'PASS'
      ? Object.entries(r.table_matrix.final)
          .map(([t, n]) => `${t} ${n}`)
          .join(', ')
      : 'not reached',
  );
  const negatives = r.scenarios.filter((s) => s.negative);
  row(
    'negative Δ0',
    negatives.length
      ? negatives
          .map((s) => `${s.id} ${s.status === 'PASS' ? 'Δ0 ✓' : s.status === 'NOT_RUN' ? 'not reached' : 'delta ✗'}`)
          .join(', ')
      : 'no negative scenario',
  );
  const runPolicy = r.sql_trace ? JSON.stringify(r.sql_trace.policy.run) : '';
  const ownPolicies = r.sql_trace
    ? Object.entries(r.sql_trace.policy.scenarios)
        .filter(([, p]) => JSON.stringify(p) !== runPolicy)
        .map(([id]) => id)
    : [];
  row(
    'no forbidden SQL',
    r.sql_trace
      ? `${r.sql_trace.forbidden.length === 0 ? '✓' : '✗'} trace verbs {${r.sql_trace.verbs.join(', ')}}; forbidden {${r.sql_trace.forbidden_verbs.join(', ')}}${ownPolicies.length ? ` (${ownPolicies.join(', ')} under their own policy)` : ''}: ${r.sql_trace.forbidden.length} found`
      : 'not traced',
  );
  row(
    'no secret leakage',
    r.leak_scan
      ? `${r.leak_scan.hits === 0 ? '✓' : '✗'} ${r.leak_scan.secrets} secrets × ${r.leak_scan.forms.length} forms, ${r.leak_scan.scanned} places scanned, ${r.leak_scan.hits} hits`
      : 'not scanned',
  );
  row(
    'teardown',
    r.teardown
      ? `${r.teardown.complete ? 'complete' : 'INCOMPLETE'}: ${r.teardown.resources.map((x) => `${x.kind} ${x.name} ${x.action}, ${x.gone ? 'gone' : 'NOT gone'} (${x.proof})`).join('; ') || 'nothing was created'}; ${r.teardown.secrets.length} secret files shredded`
      : 'not run',
  );
  row(
    'protected envs untouched',
    r.protected_envs
      ? r.protected_envs.length
        ? r.protected_envs
            .map(
              (e) =>
                `${e.name} ${e.unchanged ? `✓ running, same id, StartedAt and system identifier (${e.sysid_pre ?? 'no PostgreSQL'})` : e.unchanged === null ? 'not checked after' : '✗ CHANGED'}`,
            )
            .join('; ')
        : 'none configured'
      : 'not checked',
  );
  row(
    'production untouched',
    r.production
      ? `production ${r.production.unchanged ? 'unchanged ✓' : r.production.unchanged === null ? 'not checked after the run' : 'CHANGED ✗'}: sysid ${r.production.sysid_pre}${r.production.sysid_post ? ` == ${r.production.sysid_post}` : ''}, postmaster start ${r.production.start_pre}${r.production.container_pre ? `, container StartedAt ${r.production.container_pre.started_at}` : ''}; statements sent to production: ${r.production.statements.length} (read-only)`
      : 'not reached',
  );
  row(
    'git',
    r.git
      ? `branch ${r.git.branch ?? '(detached)'}; HEAD ${r.git.head ?? 'unknown'}; git status ${r.git.clean ? 'clean' : `dirty: ${r.git.dirty.slice(0, 3).join(', ')}`}`
      : 'not checked',
  );
  const hc = r.git?.hardcode;
  row(
    'hardcode/scale control',
    hc
      ? `hardcode scan of ${short(hc.base_commit)}..${short(r.accepted_commit)}: ${hc.lines_scanned} added lines, patterns {${hc.patterns.join(', ')}}: ${hc.findings.length === 0 ? 'no finding ✓' : hc.findings.map((f) => `${f.file}:${f.line} ${f.pattern}`).join('; ') + ' ✗'}`
      : 'hardcode scan: not run (no sut.base_commit in the config)',
  );
  push('');

  push('## 4. Gates', '', '| Gate | Name | Status | Started (UTC) | Time |', '|---|---|---|---|---|');
  for (const g of r.gates)
    push(`| ${g.id} | ${g.name} | ${g.status} | ${g.started_at?.slice(11, 23) ?? '-'} | ${seconds(g.ms)} |`);
  if (r.gates.some((g) => g.id === 'G2' && g.evidence?.streamed_into_restore === true)) {
    push(
      '',
      "G2 ran inside G4, after G3: the plain dump streamed into G4's restore as it was written, so G4's time includes G2's.",
    );
  }
  push('');

  if (r.table_matrix) {
    const tm = r.table_matrix;
    push(
      '## 5. Table matrix (exact row counts)',
      '',
      `| table | baseline | ${tm.checkpoints.map((c) => `Δ ${c.after}`).join(' | ')} | final |`,
      `|---|---|${tm.checkpoints.map(() => '---|').join('')}---|`,
    );
    for (const t of tm.tables) {
      push(
        `| ${t} | ${tm.baseline[t]} | ${tm.checkpoints.map((c) => `${c.deltas[t]}${c.deltas[t] === c.expected[t] ? '' : ` (expected ${c.expected[t]}) ✗`}`).join(' | ')} | ${tm.final?.[t] ?? '-'} |`,
      );
    }
    push('');
  }

  if (r.retries.length)
    push(
      '## Retries (environment readiness only)',
      '',
      `${r.retries.length} readiness attempts were retried: ${[...new Set(r.retries.map((x) => x.reason))].slice(0, 5).join('; ')}`,
      '',
    );

  push(
    '## Provenance',
    '',
    `pg-rehearse ${r.provenance.tool_version} (build ${r.provenance.build_sha ?? 'unknown'}) · image ${r.env?.image ?? '-'} (${r.provenance.image_id ?? '-'}) · ${r.provenance.pg_dump_where ?? 'no dump'} · production PostgreSQL ${r.provenance.production_server_version ?? '-'} · dry-run PostgreSQL ${r.provenance.dry_run_server_version ?? '-'} · config ${r.config.path} (sha256 ${r.config.sha256})`,
    '',
  );

  push('## Next gate', '');
  if (r.execution_status === 'PASS') {
    push('PASS: every gate ran and passed. A reviewer approves these artefact pins to open the next gate:', '');
    for (const a of r.artefacts) push(`- ${a.path}: ${a.sha256}`);
    push(`- accepted commit: ${r.accepted_commit}`, '');
  } else {
    push(
      `Blocked: the run is ${r.execution_status} at ${failingAt} (${r.failure?.gate}, \`${r.failure?.classification}\`): ${r.failure?.message ?? ''}`,
      '',
    );
    push(
      'No remediation was applied by the tool: nothing was patched, retried or masked. The next gate stays closed until a fix lands under review and a rerun passes.',
      '',
    );
  }
  return out.join('\n');
}
