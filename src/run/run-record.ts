// The record of one rehearsal as it happens: gates and scenarios start NOT_RUN and are filled
// in as they run; sections stay null until their gate produces them. It becomes report.json.
import type { Classification, Failure, GateRecord, Report, ScenarioRecord, Status, Warning } from '../config/index.js';
import { REPORT_SCHEMA_VERSION } from '../config/index.js';
import type { PlannedGate } from './run-plan.js';

type Sections = Pick<
  Report,
  | 'production'
  | 'env'
  | 'backup'
  | 'table_matrix'
  | 'sql_trace'
  | 'leak_scan'
  | 'locks'
  | 'protected_envs'
  | 'git'
  | 'teardown'
  | 'lint'
>;
type Nullable<T> = { [K in keyof T]: T[K] | null };

export class RunRecord {
  readonly gates: GateRecord[];
  readonly scenarios: ScenarioRecord[] = [];
  readonly retries: Report['retries'] = [];
  readonly alerts: string[] = [];
  readonly warnings: Warning[] = [];
  artefacts: Report['artefacts'] = [];
  failure: Failure | null = null;
  sections: Nullable<Sections> = {
    production: null,
    env: null,
    backup: null,
    table_matrix: null,
    sql_trace: null,
    leak_scan: null,
    locks: null,
    protected_envs: null,
    git: null,
    teardown: null,
    lint: null,
  };

  constructor(
    readonly runId: string,
    readonly name: string,
    readonly startedAt: Date,
    /** The plan's gates, in the order the report lists them. */
    gates: readonly PlannedGate[],
  ) {
    this.gates = gates.map(({ id, name }) => ({
      id,
      name,
      status: 'NOT_RUN',
      started_at: null,
      ms: null,
      evidence: null,
    }));
  }

  gate(id: string): GateRecord {
    const g = this.gates.find((x) => x.id === id);
    if (!g) throw new Error(`no gate ${id}`);
    return g;
  }

  scenario(id: string): ScenarioRecord {
    const s = this.scenarios.find((x) => x.id === id);
    if (!s) throw new Error(`no scenario ${id}`);
    return s;
  }

  /** The failure of each gate and scenario that did not pass, by id (a scenario's id for a scenario). */
  readonly failures = new Map<string, Failure>();

  /** Record a gate's or scenario's failure (its first one); the first of the run leads until the verdict names the one that decided it. */
  fail(failure: Failure): void {
    const id = failure.scenario ?? failure.gate;
    if (!this.failures.has(id)) this.failures.set(id, failure);
    this.failure ??= failure;
  }

  /** The report leads with the failure of the gate or scenario that decided the verdict. */
  leadWith(id: string | null): void {
    const f = id === null ? undefined : this.failures.get(id);
    if (f) this.failure = f;
  }

  /**
   * Each gate and scenario in `order` (the plan's run order), with the classification of its own
   * recorded failure: a non-PASS result without one is our bug, never the system's.
   */
  outcomes(order: readonly string[]): { id: string; status: Status; classification: Classification | null }[] {
    return order.map((id) => {
      const { status } = this.gates.find((g) => g.id === id) ?? this.scenario(id);
      const classification =
        status === 'PASS' || status === 'NOT_RUN' ? null : (this.failures.get(id)?.classification ?? 'tool');
      return { id, status, classification };
    });
  }
}

export interface ReportExtras {
  verdict: Report['execution_status'];
  exitCode: number;
  endedAt: Date;
  acceptedCommit: string;
  config: Report['config'];
  provenance: Report['provenance'];
  sutRunner: Report['sut_runner'];
  progress: Report['progress'];
}

/** The report object of a record (validated by the caller against the schema). */
export function toReport(rec: RunRecord, x: ReportExtras): unknown {
  return {
    schema_version: REPORT_SCHEMA_VERSION,
    name: rec.name,
    run_id: rec.runId,
    execution_status: x.verdict,
    exit_code: x.exitCode,
    started_at: rec.startedAt.toISOString(),
    ended_at: x.endedAt.toISOString(),
    ms: x.endedAt.getTime() - rec.startedAt.getTime(),
    accepted_commit: x.acceptedCommit,
    config: x.config,
    alerts: rec.alerts,
    warnings: rec.warnings,
    failure: x.verdict === 'PASS' ? null : rec.failure,
    gates: rec.gates,
    scenarios: rec.scenarios,
    artefacts: rec.artefacts,
    retries: rec.retries,
    provenance: x.provenance,
    sut_runner: x.sutRunner,
    progress: x.progress,
    ...rec.sections,
  };
}
