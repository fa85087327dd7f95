// Report drafts of a run that did not pass, shared by the report's unit tests: a FAIL at a
// scenario (the demo's TypeError at src/phases.ts) and a FAIL at G0 (a pin mismatch).
import { failure, passDraft, type ReportDraft } from './report-fixture.js';

/** Gates from `from` on are NOT_RUN, except the closing gates, which always run. */
export function stopAt(d: ReportDraft, gate: string, status: 'FAIL' | 'INCONCLUSIVE'): void {
  const i = d.gates.findIndex((g) => g.id === gate);
  d.gates.forEach((g, j) => {
    if (j === i) Object.assign(g, { status, evidence: { failure: d.failure?.message ?? '' } });
    else if (j > i && !['G6', 'G7', 'G8'].includes(g.id))
      Object.assign(g, { status: 'NOT_RUN', started_at: null, ms: null, evidence: null });
  });
}

export function notRunFrom(d: ReportDraft, index: number): void {
  for (const s of d.scenarios.slice(index))
    Object.assign(s, { status: 'NOT_RUN', started_at: null, ms: null, steps: [], deltas: [], evidence: null });
}

/** S3 (MARK then SWEEP) exits 1 with a TypeError: FAIL, `sut`; S4 NOT_RUN; the closing gates ran. */
export function failAtScenario(): ReportDraft {
  const d = passDraft();
  const message = 'step "mark then sweep": exit code: expected 0, got 1 (TypeError at src/phases.ts:89:15)';
  const s3 = d.scenarios[2]!;
  s3.status = 'FAIL';
  s3.steps[0]!.exit_code = 1;
  s3.steps[0]!.checks = [{ what: 'exit code', ok: false, expected: '0', actual: '1' }];
  s3.deltas = [];
  s3.evidence = { failure: message };
  notRunFrom(d, 3);
  d.table_matrix!.checkpoints = d.table_matrix!.checkpoints.slice(0, 2);
  d.table_matrix!.final = d.table_matrix!.checkpoints[1]!.counts;
  d.failure = failure({
    gate: 'S3',
    scenario: 'S3',
    classification: 'sut',
    message,
    command: s3.steps[0]!.argv,
    exit_code: 1,
    stderr_tail: [
      "TypeError: Cannot read properties of undefined (reading 'id')",
      '    at sweep (src/phases.ts:89:15)',
    ],
    exception: {
      name: 'TypeError',
      message: "Cannot read properties of undefined (reading 'id')",
      location: 'src/phases.ts:89:15',
    },
  });
  return { ...d, execution_status: 'FAIL', exit_code: 1 };
}

/** An artefact changed after its pin: FAIL at G0, `artefact`; nothing was created. */
export function failAtG0(): ReportDraft {
  const d = passDraft();
  d.artefacts[1] = { ...d.artefacts[1]!, sha256: 'e'.repeat(64), ok: false };
  d.failure = failure({
    gate: 'G0',
    classification: 'artefact',
    message: 'artefacts differ from their pins: ../../sql/roles.sql (pinned ffffffffffff, now eeeeeeeeeeee)',
  });
  stopAt(d, 'G0', 'FAIL');
  notRunFrom(d, 0);
  d.teardown = { complete: true, ms: 0, resources: [], secrets: [], backup_shredded: null };
  return {
    ...d,
    execution_status: 'FAIL',
    exit_code: 1,
    production: null,
    env: null,
    backup: null,
    table_matrix: null,
    sql_trace: null,
    protected_envs: null,
  };
}
