// S1..Sn: the system under test, scenario by scenario and step by step; then the scenario's
// row-count deltas against its expectations, and its write counters for G6.
import { TOOL_ROLE } from '../../engine/index.js';
import { messageOf } from '../../errors.js';
import { probeIsOn, scenarioLocksConfig, scenarioPolicy } from '../../config/index.js';
import { redact } from '../../evidence/index.js';
import { counterDeltas, readWriteCounters, rowCounts } from '../../pg/index.js';
import type { LoadedScenario } from '../../config/index.js';
import { checkDeltas } from '../../scenario/index.js';
import { GateFailure } from '../gate-failure.js';
import { need, type RunContext } from '../run-context.js';
import type { ScenarioWindow } from '../trace-gate.js';
import { blame } from './blame.js';
import { runScenarioStep } from './scenario-step.js';
import { checkStepLockBudgets } from './step-lock-budget.js';

export async function scenarioGate(ctx: RunContext, s: LoadedScenario): Promise<Record<string, unknown>> {
  const sc = s.scenario;
  const r = ctx.rec.scenario(sc.id);
  const start = Date.now();
  const window: ScenarioWindow = {
    id: sc.id,
    from: start,
    to: start,
    policy: scenarioPolicy(ctx.config, sc),
    budgets: scenarioLocksConfig(ctx.config.locks, sc.locks),
    steps: [],
    writes: null,
  };
  ctx.windows.push(window);
  // The row deltas are known once the counts after it were read, even if they then differ from the expected.
  const seen: { rowDeltas?: Record<string, number> } = {};
  let failing = true;
  try {
    for (const step of sc.steps) {
      ctx.signal.throwIfAborted();
      const stepWindow = { name: step.name, from: Date.now(), to: Date.now() };
      window.steps.push(stepWindow);
      await runScenarioStep(ctx, sc.id, step, r, stepWindow, probeIsOn(window.budgets) ? ctx.inputs.watched : null);
      await checkStepLockBudgets(ctx, stepWindow, window.budgets);
    }
    window.to = Date.now();
    await checkScenarioDeltas(ctx, s, seen);
    failing = false;
    return { steps: sc.steps.length };
  } finally {
    window.to = Date.now();
    await readScenarioWrites(ctx, sc.id, window, seen.rowDeltas, failing);
  }
}

/** The watched tables' counts after the scenario against its expected deltas (none for a negative one). */
async function checkScenarioDeltas(
  ctx: RunContext,
  s: LoadedScenario,
  seen: { rowDeltas?: Record<string, number> },
): Promise<void> {
  const sc = s.scenario;
  const { watched } = ctx.inputs;
  let after: Record<string, number>;
  try {
    after = await rowCounts(need(ctx.dryRun, "G3's dry-run server").target(TOOL_ROLE), watched);
  } catch (err) {
    throw await blame(
      ctx,
      new GateFailure(
        'environment',
        `the row counts after ${sc.id} could not be read: ${redact(messageOf(err), ctx.secrets)}`,
      ),
    );
  }
  ctx.signal.throwIfAborted();
  const before = ctx.counts;
  const deltas = checkDeltas(sc.deltas, sc.negative, before, after, watched);
  ctx.rec.scenario(sc.id).deltas = deltas;
  const deltaMap = Object.fromEntries(watched.map((t) => [t, (after[t] ?? 0) - (before[t] ?? 0)]));
  seen.rowDeltas = deltaMap;
  const expected = Object.fromEntries(watched.map((t) => [t, sc.negative ? 0 : (sc.deltas[t] ?? 0)]));
  const ok = deltas.every((d) => d.ok);
  ctx.rec.sections.table_matrix?.checkpoints.push({ after: sc.id, counts: after, deltas: deltaMap, expected, ok });
  ctx.counts = after;
  if (!ok) {
    const bad = deltas.filter((d) => !d.ok);
    throw await blame(
      ctx,
      new GateFailure(
        'sut',
        `row-count deltas differ: ${bad.map((d) => `${d.what}: expected ${d.expected}, got ${d.actual}`).join('; ')}`,
      ),
    );
  }
}

/**
 * The write counters of the scenario, after its processes exited (a failed one's too: G6 explains
 * them). Counters that cannot be read are named for G6, which cannot then pass; a scenario that
 * passed fails here, one that failed keeps its own failure.
 */
async function readScenarioWrites(
  ctx: RunContext,
  id: string,
  window: ScenarioWindow,
  rowDeltas: Record<string, number> | undefined,
  failing: boolean,
): Promise<void> {
  const prev = ctx.countersPrev;
  if (!prev || ctx.signal.aborted) return;
  try {
    const tool = need(ctx.dryRun, "G3's dry-run server").target(TOOL_ROLE);
    const now = await readWriteCounters(tool, 'all', { roles: ctx.inputs.roles });
    window.writes = {
      deltas: counterDeltas(prev.counters, now.counters),
      settled: now.settled,
      knownTables: Object.keys(now.counters),
      rowDeltas,
      parents: now.parents,
    };
    ctx.countersPrev = now;
  } catch (err) {
    window.writes = null;
    const message = `the write counters after ${id} could not be read: ${redact(messageOf(err), ctx.secrets)}`;
    window.writesUnread = message;
    if (!failing) throw await blame(ctx, new GateFailure('environment', message));
  }
}
