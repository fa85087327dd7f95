// The run as JUnit XML (`rehearse run --junit FILE`), for the test tabs of Jenkins and GitLab: one
// testsuite a run, one testcase a gate and a scenario in run order (G0-G5, the scenarios, G6-G8,
// as report.md lists them). FAIL is a failure, INCONCLUSIVE an error (never a failure of the system
// under test), NOT_RUN skipped with what stopped it. Built from the report alone, whose texts are
// already redacted; validated against schema/junit.xsd in the tests.
import junitModule, { type Builder, type TestCase } from 'junit-report-builder';
import type { Report, ScenarioRecord, GateRecord } from '../config/index.js';

// The package is CommonJS (`module.exports = builder`) with an `export default` in its types: under
// NodeNext the default import is that builder at run time, typed as the module.
const junit = junitModule as unknown as Builder;

/** A gate or a scenario as one testcase. */
interface Case {
  /** G0..G8, or the scenario's id. */
  id: string;
  /** "G4 restore", "S6 CUT": the id first, so that a reader finds it. */
  name: string;
  classname: string;
  status: GateRecord['status'];
  ms: number | null;
  evidence: Record<string, unknown> | null;
  /** The step that ran last, for a scenario: its command, exit code and stderr. */
  lastStep: ScenarioRecord['steps'][number] | null;
}

/** The gates and scenarios in the order the run takes them: the closing gates G6-G8 after the scenarios. */
function runOrder(r: Report): Case[] {
  const gate = (g: GateRecord): Case => ({
    id: g.id,
    name: `${g.id} ${g.name}`,
    classname: 'pg-rehearse.gate',
    status: g.status,
    ms: g.ms,
    evidence: g.evidence,
    lastStep: null,
  });
  const scenario = (s: ScenarioRecord): Case => ({
    id: s.id,
    name: `${s.id} ${s.title}`,
    classname: 'pg-rehearse.scenario',
    status: s.status,
    ms: s.ms,
    evidence: s.evidence,
    lastStep: s.steps.at(-1) ?? null,
  });
  const closing = r.gates.findIndex((g) => g.id === 'G6');
  const before = closing < 0 ? r.gates : r.gates.slice(0, closing);
  const after = closing < 0 ? [] : r.gates.slice(closing);
  return [...before.map(gate), ...r.scenarios.map(scenario), ...after.map(gate)];
}

const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** What a case that did not pass says: the report's failure for the one that decided the verdict, else its own evidence. */
function problemOf(r: Report, c: Case): { message: string; type: string; detail: string } {
  const f = r.failure && (r.failure.scenario ?? r.failure.gate) === c.id ? r.failure : null;
  const message = f?.message ?? text(c.evidence?.failure) ?? text(c.evidence?.leak) ?? `${c.id} ${c.status}`;
  const command = f?.command ?? c.lastStep?.argv ?? null;
  const exitCode = f ? f.exit_code : (c.lastStep?.exit_code ?? null);
  const stderr = f?.stderr_tail ?? c.lastStep?.stderr_tail ?? [];
  const detail = [
    message,
    ...(command ? [`command: ${command.join(' ')}`] : []),
    ...(exitCode !== null ? [`exit code: ${exitCode}`] : []),
    ...(f?.exception
      ? [
          `exception: ${f.exception.name}: ${f.exception.message}${f.exception.location ? ` at ${f.exception.location}` : ''}`,
        ]
      : []),
    ...(stderr.length ? ['stderr (its last lines, secrets redacted):', ...stderr] : []),
    ...(f?.stack ? ['stack:', f.stack] : []),
  ];
  return { message, type: f?.classification ?? c.status, detail: detail.join('\n') };
}

/** Why a case did not run: the gate that stopped it, or the place the run stopped. */
function notRunNote(r: Report, c: Case): string {
  const by = text(c.evidence?.stopped_by) ?? (r.failure ? (r.failure.scenario ?? r.failure.gate) : null);
  const reason = text(c.evidence?.reason);
  if (!by) return 'NOT_RUN';
  return `NOT_RUN: stopped_by ${by}${reason ? ` (${reason})` : ''}; the run stops at its first failure, and only the closing gates G6-G8 run after it`;
}

function addCase(t: TestCase, r: Report, c: Case): void {
  t.className(c.classname).name(c.name);
  if (c.ms !== null) t.time(c.ms / 1000);
  switch (c.status) {
    case 'PASS':
      return;
    case 'FAIL': {
      const p = problemOf(r, c);
      t.failure(p.message, p.type).stacktrace(p.detail);
      return;
    }
    case 'INCONCLUSIVE': {
      const p = problemOf(r, c);
      t.error(p.message, p.type, p.detail);
      return;
    }
    case 'NOT_RUN':
      t.skipped().standardOutput(notRunNote(r, c));
      return;
  }
}

/** The JUnit XML of a report; `sha256` is report.json's, or null while the leak scan reads this before report.json exists. */
export function junitXml(r: Report, sha256: string | null): string {
  const suite = junit
    .newBuilder()
    .testSuite()
    .name(r.name)
    .timestamp(r.started_at.slice(0, 19))
    .time(r.ms / 1000)
    .property('run_id', r.run_id)
    .property('execution_status', r.execution_status)
    .property('exit_code', String(r.exit_code))
    .property('accepted_commit', r.accepted_commit);
  if (sha256 !== null) suite.property('report_sha256', sha256);
  for (const alert of r.alerts) suite.property('alert', alert);
  for (const warning of r.warnings) suite.property('warning', warning.message);
  for (const c of runOrder(r)) addCase(suite.testCase(), r, c);
  // The suite is the document's root: the schema's `testsuites` wrapper has no `skipped` count.
  return suite.build().end({ pretty: true }) + '\n';
}
