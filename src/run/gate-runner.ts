// The gate runner: runs one gate or scenario at a time, records its timing and status, stops the
// run at the first failure (only the closing gates start after it), and puts the run's first
// signal in the gate or scenario it landed in, once.
import type { Failure, Status } from '../config/index.js';
import { InterruptedError } from '../errors.js';
import type { EnvironmentWatchdog } from './environment-watchdog.js';
import { WATCHDOG_GRACE_MS } from './environment-watchdog.js';
import { gateEndMessage } from './gate-end-message.js';
import { failureOf, StoppedByGate } from './gate-failure.js';
import type { Interruption, ReceivedSignal } from './interruption.js';
import type { Progress } from './progress.js';
import type { GateWork } from './run-context.js';
import { mayStart, type RunPlan } from './run-plan.js';
import type { RunRecord } from './run-record.js';
import { interruptedResult, type Span } from './verdict.js';

type Entry = { status: Status; evidence: Record<string, unknown> | null; started_at: string | null; ms: number | null };

export class GateRunner {
  /** When each gate and scenario ran, for placing signals. */
  readonly spans: Span[] = [];
  /** The gate or scenario the run's first signal landed in; set once. */
  landedIn: string | null = null;
  private stopped = false;
  private depth = 0;

  constructor(
    private readonly plan: RunPlan,
    private readonly rec: RunRecord,
    private readonly interruption: Interruption,
    private readonly watchdog: EnvironmentWatchdog,
    private readonly progress: Progress,
  ) {}

  /** Run one gate (scenario null) or scenario; a failure or a signal stops the run. */
  async run(id: string, scenario: string | null, label: string, work: GateWork): Promise<void> {
    const r = scenario ? this.rec.scenario(scenario) : this.rec.gate(id);
    if (!mayStart(this.plan, id, this.stopped || this.interruption.signal.aborted)) return this.skip(id, scenario, r);
    const t0 = Date.now();
    r.started_at = new Date(t0).toISOString();
    // The event first: a console that draws gates from events then knows this start is the gate's own.
    this.progress.event({ type: 'gate_start', id, scenario, title: label });
    this.progress.start(`${id} ${label}`);
    this.depth++;
    let failure: Failure | null = null;
    let cutShort = false;
    try {
      // An inner gate (G2 in G4) gets the shorter grace, so that it carries the fault.
      const evidence = await this.watchdog.guard(work, WATCHDOG_GRACE_MS / this.depth);
      r.status = 'PASS';
      if (evidence) r.evidence = evidence;
    } catch (err) {
      if (err instanceof StoppedByGate) {
        // A gate run inside this one failed and stopped the run: that gate carries the failure.
        r.status = 'NOT_RUN';
        r.evidence = { ...(r.evidence ?? {}), stopped_by: err.gate, reason: err.message };
      } else {
        ({ status: r.status, failure } = failureOf(err, id, scenario));
        cutShort = err instanceof InterruptedError;
      }
    } finally {
      this.depth--;
      this.spans.push({ id, from: t0, to: Date.now() });
      const first = this.interruption.log[0];
      if (first && this.landedIn === null && (this.depth === 0 || first.at.getTime() >= t0))
        failure = this.landHere(
          first,
          id,
          scenario,
          r,
          first.at.getTime() < t0 ? 'before' : 'during',
          failure,
          cutShort,
        );
      if (failure) this.fail(r, failure);
      if (this.interruption.signal.aborted) this.stopped = true;
      r.ms = Date.now() - t0;
      this.progress.end(`${id} ${label}`, r.status === 'PASS', r.ms, r.status === 'PASS' ? undefined : r.status);
      this.progress.event({
        type: 'gate_end',
        id,
        scenario,
        title: label,
        status: r.status,
        ms: r.ms,
        classification: failure?.classification ?? null,
        message: gateEndMessage(failure, r.evidence),
      });
    }
  }

  /**
   * The verdict is decided at `at`, from the signals received until then (one later changes
   * nothing); a signal after G8 (while the report is made) lands in G8, the last gate that ran.
   */
  landLate(at: Date): void {
    this.interruption.decide(at);
    const late = this.interruption.log[0];
    if (!late || this.landedIn !== null) return;
    const g8 = this.rec.gate('G8');
    const f = this.landHere(late, 'G8', null, g8, 'after', this.rec.failures.get('G8') ?? null);
    g8.evidence = { ...(g8.evidence ?? {}), failure: f.message };
    this.rec.failures.set('G8', f);
    this.rec.fail(f);
  }

  /** Not started after the run stopped; a signal that came between gates lands in the next one. */
  private skip(id: string, scenario: string | null, r: Entry): void {
    const first = this.interruption.log[0];
    if (first && this.landedIn === null && this.depth === 0)
      this.fail(r, this.landHere(first, id, scenario, r, 'before', null));
  }

  private fail(r: Entry, failure: Failure): void {
    r.evidence = { ...(r.evidence ?? {}), failure: failure.message };
    this.rec.fail(failure);
    this.stopped = true;
  }

  /** The run's first signal landed in this gate or scenario: it is INCONCLUSIVE (environment), whatever its work gave. */
  private landHere(
    first: ReceivedSignal,
    id: string,
    scenario: string | null,
    r: Entry,
    when: 'before' | 'during' | 'after',
    own: Failure | null,
    cutShort = false,
  ): Failure {
    this.landedIn = scenario ?? id;
    // A gate the signal itself cut short has nothing of its own to say.
    const result = interruptedResult(
      first.signal,
      id,
      when,
      cutShort ? { status: 'NOT_RUN', message: null } : { status: r.status, message: own?.message ?? null },
    );
    r.status = result.status;
    r.evidence = { ...(r.evidence ?? {}), interrupted: { signal: first.signal, at: first.at.toISOString() } };
    return {
      ...(own ?? failureOf(new InterruptedError(first.signal), id, scenario).failure),
      classification: result.classification,
      message: result.message,
    };
  }
}
