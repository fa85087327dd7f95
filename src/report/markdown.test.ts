import { describe, expect, it } from 'vitest';
import { failAtG0, failAtScenario, notRunFrom, stopAt } from '../test-support/failed-report-drafts.js';
import { failure, finish, passDraft, RUN_ID, type ReportDraft } from '../test-support/report-fixture.js';
import { renderMarkdown } from './markdown.js';

const headings = (md: string) => md.match(/^## .*$/gm) ?? [];
const row = (md: string, field: string) => md.split('\n').find((l) => l.startsWith(`| ${field} |`)) ?? '';
const TORN_DOWN = 'the environment was torn down by exact name and proved gone';

/** pg_dump could not connect to production: INCONCLUSIVE at G2, `environment`; the readiness of G3 was retried. */
function inconclusiveEnvironment(): ReportDraft {
  const d = passDraft();
  d.failure = failure({
    gate: 'G2',
    classification: 'environment',
    message:
      'pg_dump of database `ledger` failed (exit 1): pg_dump: error: connection to server at "127.0.0.1", port 32809 failed: Connection refused',
  });
  stopAt(d, 'G2', 'INCONCLUSIVE');
  notRunFrom(d, 0);
  d.retries = [1, 2].map((attempt) => ({ gate: 'G3', attempt, at: d.started_at, reason: 'read ECONNRESET' }));
  d.teardown!.backup_shredded = null;
  return { ...d, execution_status: 'INCONCLUSIVE', exit_code: 3, backup: null, table_matrix: null, sql_trace: null };
}

/** G8 threw: a bug of ours, INCONCLUSIVE `tool`, production not read after the run. */
function inconclusiveTool(): ReportDraft {
  const d = passDraft();
  const stack =
    "TypeError: Cannot read properties of null (reading 'id')\n    at postChecks (dist/run/rehearsal.js:812:33)";
  d.failure = failure({
    gate: 'G8',
    classification: 'tool',
    message: "a bug of pg-rehearse: Cannot read properties of null (reading 'id')",
    exception: null,
    stack,
  });
  stopAt(d, 'G8', 'INCONCLUSIVE');
  Object.assign(d.production!, { sysid_post: null, start_post: null, container_post: null, unchanged: null });
  d.protected_envs!.forEach((e) => Object.assign(e, { post: null, sysid_post: null, unchanged: null }));
  return { ...d, execution_status: 'INCONCLUSIVE', exit_code: 3 };
}

/** The dry-run container could not be removed: INCONCLUSIVE at G7, exit 4, the alert at the top. */
function teardownIncomplete(): ReportDraft {
  const d = passDraft();
  const left = d.teardown!.resources[0]!;
  Object.assign(left, { action: 'remove failed', gone: false, proof: 'inspect pg-rehearse-demo-dryrun: 200, running' });
  d.teardown!.complete = false;
  d.alerts = [
    `TEARDOWN INCOMPLETE: container pg-rehearse-demo-dryrun could not be proved gone; run \`rehearse teardown --run-id ${RUN_ID}\``,
  ];
  d.failure = failure({
    gate: 'G7',
    classification: 'environment',
    message: 'teardown could not prove everything gone',
  });
  stopAt(d, 'G7', 'INCONCLUSIVE');
  return { ...d, execution_status: 'INCONCLUSIVE', exit_code: 4 };
}

/** Production restarted during the run and did not answer after it: INCONCLUSIVE at G8, `environment`. */
function productionChanged(): ReportDraft {
  const d = passDraft();
  const p = d.production!;
  const restarted = '2026-12-02T00:54:07.958211231Z';
  Object.assign(p, { sysid_post: null, start_post: null, unchanged: false });
  p.container_post = { ...p.container_pre!, started_at: restarted };
  d.alerts = [
    `PRODUCTION CHANGED DURING THE RUN: system identifier ${p.sysid_pre} -> unreachable, postmaster start ${p.start_pre} -> unreachable, container ${p.container_pre!.started_at} -> ${restarted}; this run cannot claim production untouched`,
  ];
  d.failure = failure({ gate: 'G8', classification: 'environment', message: d.alerts[0]! });
  stopAt(d, 'G8', 'INCONCLUSIVE');
  return { ...d, execution_status: 'INCONCLUSIVE', exit_code: 3 };
}

describe('renderMarkdown', () => {
  it('renders a PASS with its sections numbered 1 to 6, no failure and the pins for the next gate', () => {
    const md = renderMarkdown(finish(passDraft()));
    expect(headings(md)).toEqual([
      '## 1. Scenario progress',
      '## 2. Required output',
      '## 3. Gates',
      '## 4. Table matrix (exact row counts)',
      '## 5. Locks',
      "## 6. Production: the dump's footprint",
      '## Provenance',
      '## Next gate',
    ]);
    expect(md).toContain(`**Verdict: PASS** · exit 0 · run \`${RUN_ID}\``);
    expect(md).not.toContain('The verdict is decided');
    expect(md).toMatch(/^## Next gate\n\nPASS: every gate ran and passed/m);
    expect(md).toContain(`- rehearse.yaml: ${'7'.repeat(64)}`);
    expect(row(md, 'production untouched')).toContain(
      'production unchanged ✓: sysid 7714503374991876128 == 7714503374991876128',
    );
    expect(row(md, 'production untouched')).toContain('statements sent to production: 8 (read-only)');
    expect(row(md, 'teardown')).toContain('| complete: container pg-rehearse-demo-dryrun removed, gone');
    expect(row(md, 'teardown')).toContain('; 2 secret files shredded');
    expect(row(md, 'backup path + sha')).toContain('(shredded at teardown)');
    expect(row(md, 'final baseline')).toBe('| final baseline | ledger.account 40, ledger.mark 972, ledger.cut 972 |');
    expect(row(md, 'negative Δ0')).toBe('| negative Δ0 | S2-neg Δ0 ✓ |');
    expect(md).toContain("G2 ran inside G4, after G3: the plain dump streamed into G4's restore as it was written");
  });

  it('keeps the numbering from 1 when a progress section against the prior run comes first', () => {
    const d = passDraft();
    d.progress = {
      prior_report: '/runs/a/report.json',
      prior_report_sha256: 'b'.repeat(64),
      prior_run_id: '20261201-120000-aaaaaaaa',
      prior_status: 'FAIL',
      current_status: 'PASS',
      prior_accepted_commit: 'a'.repeat(40),
      current_accepted_commit: d.accepted_commit,
      prior_failure: { gate: 'S4', classification: 'sut', exception: 'TypeError at src/phases.ts:89:15' },
      current_failure: null,
      failure: 'resolved',
      scenarios: [{ id: 'S4', title: 'CUT', prior: 'FAIL', current: 'PASS', change: 'FAIL -> PASS' }],
      gates: [],
      artefacts_changed: [],
    };
    const md = renderMarkdown(finish(d));
    expect(headings(md).slice(0, 2)).toEqual(['## Progress against the prior run', '## 1. Scenario progress']);
    expect(md).toMatch(/\| S4 \| CUT \| FAIL \| PASS \| \*\*FAIL -> PASS\*\*/);
    expect(md).toContain(
      'The prior failure S4 (`sut`, TypeError at src/phases.ts:89:15) is resolved; this run has none.',
    );
  });

  it('renders a FAIL at a scenario: the failing check, the NOT_RUN after it, the stderr and the teardown', () => {
    const md = renderMarkdown(finish(failAtScenario()));
    expect(headings(md).slice(0, 5)).toEqual([
      '## 1. Scenario progress',
      '## 2. Failure',
      '## 3. Required output',
      '## 4. Gates',
      '## 5. Table matrix (exact row counts)',
    ]);
    expect(md).toContain('**Verdict: FAIL** at S3, classification `sut` · exit 1');
    expect(md).toContain(`The verdict is decided at S3; 1 scenario NOT_RUN after the run stopped; ${TORN_DOWN}.`);
    expect(md).toContain('| S3 | MARK then SWEEP | **FAIL** | 991 ms | exit code: expected 0, got 1 |');
    expect(md).toContain('| S4 | CUT | **NOT_RUN** | - | not reached |');
    expect(md).toContain(
      "| exception | `TypeError`: Cannot read properties of undefined (reading 'id') at `src/phases.ts:89:15` |",
    );
    expect(md).toContain('Last 2 lines of stderr (secrets redacted):');
    expect(row(md, 'execution_status')).toBe('| execution_status | FAIL (sut at S3) |');
    expect(row(md, 'final baseline')).toBe(
      '| final baseline | not reached: 2 scenarios did not pass (the counts where the run stopped are in the table matrix) |',
    );
    expect(md).toContain('Blocked: the run is FAIL at S3 (S3, `sut`): step "mark then sweep"');
    expect(md).toContain('No remediation was applied by the tool: nothing was patched, retried or masked.');
  });

  it('renders a FAIL at G0: nothing reached, nothing created, so nothing claimed torn down', () => {
    const md = renderMarkdown(finish(failAtG0()));
    expect(headings(md).slice(0, 4)).toEqual([
      '## 1. Scenario progress',
      '## 2. Failure',
      '## 3. Required output',
      '## 4. Gates',
    ]);
    expect(md).not.toContain('Table matrix');
    expect(md).toContain('**Verdict: FAIL** at G0, classification `artefact` · exit 1');
    expect(md).toContain(
      'The verdict is decided at G0; 4 scenarios NOT_RUN after the run stopped; teardown recorded nothing created, so nothing was torn down.',
    );
    expect(md).not.toContain('torn down by exact name');
    expect(row(md, 'artefact shas')).toContain(`../../sql/roles.sql eeeeeeeeeeee pinned ffffffffffff ✗`);
    expect(row(md, 'production untouched')).toBe('| production untouched | not reached |');
    expect(row(md, 'dry-run env / sysid')).toBe('| dry-run env / sysid | not provisioned |');
    expect(row(md, 'backup path + sha')).toBe('| backup path + sha | not reached |');
    expect(row(md, 'teardown')).toBe('| teardown | complete: nothing was created; 0 secret files shredded |');
    expect(row(md, 'negative Δ0')).toBe('| negative Δ0 | S2-neg not reached |');
  });

  it('renders an INCONCLUSIVE of the environment with the retries it recorded, not "nothing retried"', () => {
    const md = renderMarkdown(finish(inconclusiveEnvironment()));
    expect(md).toContain('**Verdict: INCONCLUSIVE** at G2, classification `environment` · exit 3');
    expect(md).toContain(`The verdict is decided at G2; 4 scenarios NOT_RUN after the run stopped; ${TORN_DOWN}.`);
    expect(headings(md)).toContain('## Retries');
    expect(md).toContain('2 attempts were retried at G3 (provision): read ECONNRESET');
    expect(md).toContain(
      'No remediation was applied by the tool: nothing was patched or masked, and the only retries are the 2 attempts under Retries.',
    );
    expect(md).not.toContain('nothing was patched, retried or masked');
    expect(row(md, 'final baseline')).toBe('| final baseline | not reached |');
  });

  it('renders an INCONCLUSIVE of the tool with its stack, and production as not checked, never as unchanged', () => {
    const md = renderMarkdown(finish(inconclusiveTool()));
    expect(md).toContain('**Verdict: INCONCLUSIVE** at G8, classification `tool` · exit 3');
    expect(md).toContain(`The verdict is decided at G8; ${TORN_DOWN}.`);
    expect(md).toContain('Stack (a bug of pg-rehearse):\n\n```\nTypeError: Cannot read properties of null');
    expect(row(md, 'production sysid pre/post')).toBe(
      '| production sysid pre/post | production system identifier 7714503374991876128 / not checked |',
    );
    expect(row(md, 'production untouched')).toContain(
      'production not checked after the run: sysid 7714503374991876128 -> not checked',
    );
    expect(md).not.toMatch(/unchanged ✓/);
    expect(row(md, 'protected envs untouched')).toBe(
      '| protected envs untouched | pg-rehearse-demo-protected not checked after |',
    );
  });

  it('says teardown is INCOMPLETE, names what is left and how to finish it, and never claims it torn down', () => {
    const r = finish(teardownIncomplete());
    const md = renderMarkdown(r);
    expect(md).toContain('**Verdict: INCONCLUSIVE** at G7, classification `environment` · exit 4');
    expect(md.split('\n').slice(0, 6).join('\n')).toContain(`> **${r.alerts[0]}**`);
    expect(md).toContain(
      'The verdict is decided at G7; teardown is INCOMPLETE: container pg-rehearse-demo-dryrun could not be proved gone.',
    );
    expect(md).not.toContain('torn down by exact name');
    expect(row(md, 'teardown')).toContain('| INCOMPLETE: container pg-rehearse-demo-dryrun remove failed, NOT gone');
    expect(md).toContain(
      `Before anything else: teardown is INCOMPLETE: container pg-rehearse-demo-dryrun could not be proved gone; \`rehearse teardown --run-id ${RUN_ID}\` finishes it.`,
    );
  });

  it('tells a production change loudly at the top and in every row about production, never as unchanged', () => {
    const r = finish(productionChanged());
    const md = renderMarkdown(r);
    expect(md.split('\n').slice(0, 6).join('\n')).toMatch(/> \*\*PRODUCTION CHANGED DURING THE RUN/);
    expect(md).toContain('**Verdict: INCONCLUSIVE** at G8, classification `environment` · exit 3');
    expect(row(md, 'production sysid pre/post')).toBe(
      '| production sysid pre/post | production system identifier 7714503374991876128 / unreachable (CHANGED) |',
    );
    expect(row(md, 'production untouched')).toContain(
      '| production untouched | production CHANGED ✗: sysid 7714503374991876128 -> unreachable, postmaster start 2026-12-02 00:53:19.371227+00 -> unreachable, container StartedAt 2026-12-02T00:53:05.414215282Z -> 2026-12-02T00:54:07.958211231Z;',
    );
    expect(md).not.toMatch(/unchanged ✓|\(unchanged\)/);
    // Every scenario passed before G8: the final baseline was reached.
    expect(row(md, 'final baseline')).toBe('| final baseline | ledger.account 40, ledger.mark 972, ledger.cut 972 |');
  });

  it('does not call statements read-only when one ran outside a READ ONLY transaction and no read-only dump session proves it', () => {
    const d = passDraft();
    d.production!.statements = ['BEGIN', 'select 1', 'COMMIT'];
    expect(row(renderMarkdown(finish(d)), 'production untouched')).toContain(
      'statements sent to production: 3 (NOT all inside a READ ONLY transaction)',
    );
  });

  it('claims the checks of G4 on a cache hit only when G4 passed', () => {
    const hit = (d: ReportDraft) => {
      d.env!.cache = {
        ...d.env!.cache,
        enabled: true,
        key: 'd'.repeat(64),
        hit: true,
        snapshot: 'pg-rehearse-cache-dddddddddddd',
        age_s: 120,
      };
      return d;
    };
    const pass = renderMarkdown(finish(hit(passDraft())));
    expect(row(pass, 'cached restore')).toContain('no restore; fresh per-run passwords set; every check of G4 ran;');
    const d = hit(passDraft());
    d.failure = failure({
      gate: 'G4',
      classification: 'artefact',
      message: 'the privileges in force differ from the grant matrix in 1 places',
    });
    stopAt(d, 'G4', 'FAIL');
    notRunFrom(d, 0);
    const failed = renderMarkdown(finish({ ...d, execution_status: 'FAIL', exit_code: 1, table_matrix: null }));
    expect(row(failed, 'cached restore')).toContain('no restore; G4 FAIL;');
    expect(failed).not.toContain('every check of G4 ran');
  });
});

describe('renderMarkdown says everything report.json knows about the failure', () => {
  it("lists G6's findings in full in their own section when the verdict was decided at an earlier scenario", () => {
    const d = failAtScenario();
    const forbidden = (step: string, text: string) => ({
      scenario: 'S1',
      step,
      verb: 'DELETE',
      kind: 'delete',
      objects: ['ledger.mark'],
      rule: 'forbidden_verbs',
      user: 'cutter_app',
      text,
    });
    d.sql_trace!.forbidden = [
      forbidden('config', 'DELETE FROM ledger.mark WHERE id = 1'),
      forbidden('config', 'DELETE FROM ledger.mark'),
    ];
    d.sql_trace!.writes.unexplained = [
      { scenario: 'S1', table: 'ledger.cut', verb: 'UPDATE', rows: 3, forbidden: false },
    ];
    const md = renderMarkdown(finish(d));
    expect(headings(md)).toContain('## 3. SQL trace findings (G6)');
    expect(md).toContain('The verdict was decided at S3; G6 still traced the run and found:');
    expect(md).toContain('2 forbidden statements (each occurrence):');
    expect(md).toContain(
      '| S1 | config | DELETE / delete | ledger.mark | `forbidden_verbs` | cutter_app | `DELETE FROM ledger.mark WHERE id = 1` |',
    );
    expect(md).toContain(
      '| S1 | config | DELETE / delete | ledger.mark | `forbidden_verbs` | cutter_app | `DELETE FROM ledger.mark` |',
    );
    expect(md).toContain('1 write the counters saw that no logged statement explains:');
    expect(md).toContain('| S1 | ledger.cut | UPDATE | 3 | no |');
    // A trace with nothing found has no such section.
    expect(renderMarkdown(finish(passDraft()))).not.toContain('SQL trace findings');
  });

  it('says a timed-out step’s limit and shows its last lines of stdout and stderr', () => {
    const d = failAtScenario();
    const step = d.scenarios[2]!.steps[0]!;
    Object.assign(step, {
      exit_code: null,
      timed_out: true,
      timeout_ms: 30_000,
      ms: 30_012,
      stdout_tail: ['batch 1 done', 'batch 2 done'],
      stderr_tail: ['waiting for lock'],
      checks: [{ what: 'exit code', ok: false, expected: '0', actual: 'timed out (killed by SIGTERM)' }],
    });
    d.failure = { ...d.failure!, exception: null, exit_code: null, stderr_tail: ['waiting for lock'] };
    const md = renderMarkdown(finish(d));
    expect(row(md, 'timed out')).toBe(
      '| timed out | step "mark then sweep" at its limit of 30.0 s (timeout_ms 30000), after 30.0 s |',
    );
    expect(md).toContain('Last 2 lines of stdout (secrets redacted):\n\n```\nbatch 1 done\nbatch 2 done\n```');
    expect(md).toContain('Last 1 line of stderr (secrets redacted):\n\n```\nwaiting for lock\n```');
    // A step that did not time out has no such row.
    expect(row(renderMarkdown(finish(failAtScenario())), 'timed out')).toBe('');
  });

  it('names whose secret leaked in each place, never the value, with plurals right', () => {
    const d = passDraft();
    d.leak_scan = {
      ...d.leak_scan!,
      secrets: 1,
      scanned: 3,
      hits: 3,
      places: [
        { place: 'S1 config stderr', hits: 2, literals: 0, owners: ['cutter_app', 'production'] },
        { place: 'S1 config stdout', hits: 1, literals: 1, owners: [] },
        { place: 'console', hits: 0, literals: 0, owners: [] },
      ],
    };
    d.failure = failure({
      gate: 'G6',
      classification: 'sut',
      message: 'the password of cutter_app and the password of production appeared in S1 config stderr',
    });
    stopAt(d, 'G6', 'FAIL');
    const md = renderMarkdown(finish({ ...d, execution_status: 'FAIL', exit_code: 1 }));
    expect(row(md, 'no secret leakage')).toBe(
      "| no secret leakage | ✗ 1 secret × 5 forms, 3 places scanned, 3 hits: S1 config stderr (2 hits: the password of cutter_app and the password of production); S1 config stdout (1 PASSWORD '...' literal) |",
    );
  });

  it('says how many rows, dirty files and retry reasons there were past each cut', () => {
    const d = passDraft();
    d.failure = failure({
      gate: 'G4',
      classification: 'artefact',
      message: 'the privileges in force differ from the grant matrix in 12 places',
      sql_rows: [1, 2, 3, 4, 5].map((n) => ({ n })),
      sql_rows_total: 12,
    });
    stopAt(d, 'G4', 'FAIL');
    notRunFrom(d, 0);
    d.git!.clean = false;
    d.git!.dirty = ['a.ts', 'b.ts', 'c.ts', 'd.ts', 'e.ts'];
    d.retries = ['r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7'].map((reason, attempt) => ({
      gate: 'G3',
      attempt,
      at: d.started_at,
      reason,
    }));
    const md = renderMarkdown(finish({ ...d, execution_status: 'FAIL', exit_code: 1, table_matrix: null }));
    expect(md).toContain('First 5 of 12 rows (and 7 more):\n\n```json\n{"n":1}');
    expect(row(md, 'git')).toContain('git status dirty: a.ts, b.ts, c.ts, and 2 more');
    expect(md).toContain('7 attempts were retried at G3 (provision): r1; r2; r3; r4; r5; and 2 more');
    expect(md).toContain('The verdict is decided at G4; 4 scenarios NOT_RUN');
  });

  it('says one of a thing in the singular', () => {
    const d = inconclusiveEnvironment();
    d.retries = d.retries.slice(0, 1);
    d.scenarios.slice(1).forEach((s) => Object.assign(s, { status: 'PASS' }));
    const md = renderMarkdown(finish(d));
    expect(md).toContain('The verdict is decided at G2; 1 scenario NOT_RUN after the run stopped');
    expect(md).toContain('1 attempt was retried at G3 (provision): read ECONNRESET');
    expect(md).toContain('the only retry is the 1 attempt under Retries');
  });
});

describe('report.md Locks', () => {
  it('shows each relation in its strongest mode with the time held, how it was seen, and its rewrite', () => {
    const md = renderMarkdown(finish(passDraft()));
    expect(row(md, 'S4 | ledger.sweep_log')).toBe(
      '| S4 | ledger.sweep_log | ACCESS EXCLUSIVE | 41 ms | both | yes, 16.0 KiB (migrate) | `ALTER TABLE ledger.sweep_log ALTER COLUMN swept_count TYPE bigint` |',
    );
    expect(md).toContain('sampled from pg_locks every 25 ms, or both; 1 table rewritten whole.');
  });
});

describe('report.md warnings', () => {
  it('tells each warning loudly at the top of a report that stays PASS', () => {
    const d = passDraft();
    const message =
      'the dry-run image gives another collation version than production recorded for ledger (libc en_US.UTF-8: production 2.31, copy 2.36): REINDEX';
    d.warnings = [
      {
        kind: 'collation_version',
        message,
        databases: [
          {
            database: 'ledger',
            provider: 'libc',
            locale: 'en_US.UTF-8',
            collate: 'en_US.UTF-8',
            ctype: 'en_US.UTF-8',
            production_version: '2.31',
            copy_version: '2.36',
          },
        ],
      },
    ];
    const r = finish(d);
    const md = renderMarkdown(r);
    expect(r.execution_status).toBe('PASS');
    expect(md.split('\n').slice(0, 6)).toContain(`> **Warning:** ${message}`);
  });

  it('has no warning line when the report has none', () => {
    expect(renderMarkdown(finish(passDraft()))).not.toContain('**Warning:**');
  });
});
