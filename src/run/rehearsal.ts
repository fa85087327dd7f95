// `rehearse run`: the rehearsal gate by gate (DESIGN.md), as the run's plan orders them. Inputs
// that cannot be read are usage errors (exit 2, no report, nothing created); from the first gate
// on, every outcome is recorded, the first failure stops the run (every later gate and scenario
// NOT_RUN, except the closing gates), and the verdict is decided from the record, never from hope.
import { realpath } from 'node:fs/promises';
import { join } from 'node:path';
import type { Report } from '../config/index.js';
import { environmentNames, stateRoot, type DockerClient } from '../engine/index.js';
import { renderMarkdown, serialiseReport } from '../report/index.js';
import { EnvironmentWatchdog } from './environment-watchdog.js';
import { GateRunner } from './gate-runner.js';
import { backupGate } from './gates/backup.js';
import { physicalBackupGate } from './gates/physical-backup.js';
import { baselineGate } from './gates/baseline.js';
import { inputsGate } from './gates/inputs.js';
import { scanForLeaks, scanWrittenFiles } from './gates/leak.js';
import { postChecksGate } from './gates/post-checks.js';
import { preflightGate } from './gates/preflight.js';
import { provisionGate } from './gates/provision.js';
import { restoreGate } from './gates/restore.js';
import { scenarioGate } from './gates/scenario.js';
import { teardownGate } from './gates/teardown.js';
import { traceGate } from './gates/trace.js';
import { loadInputs } from './inputs.js';
import type { Interruption } from './interruption.js';
import { assertOutOutsideState, prepareOutDir } from './out-dir.js';
import { loadVerifiedReport } from './prior-report.js';
import { teeProgress, type Progress } from './progress.js';
import { toolProvenance } from './provenance.js';
import { newRunId } from './run-id.js';
import { need, type RunContext } from './run-context.js';
import { planRun, type GateId } from './run-plan.js';
import { buildReport } from './run-report.js';
import { scanPlacesOf, type RunOutput } from './run-outputs.js';
import { newSessionMarker } from '../pg/index.js';
import { RunRecord } from './run-record.js';
import { redactedEvents } from './redacted-events.js';
import { raiseAlerts } from './run-alerts.js';
import { versionEvent } from './run-events.js';
import { interruptionAlerts } from './verdict.js';

export interface RehearsalOptions {
  configFile: string;
  outDir: string;
  keepBackup: boolean;
  /** Use (and save) a cached restore: also `cache: true` in the config. */
  cache?: boolean | undefined;
  /** A prior report.json: the report then says, scenario by scenario, what changed since. */
  previous?: string | undefined;
  /** What the run writes beside the report for a pipeline (run-outputs.ts); leak-scanned with it. */
  outputs?: readonly RunOutput[] | undefined;
}

export interface RehearsalDeps {
  docker: DockerClient;
  progress: Progress;
  interruption: Interruption;
  now?: () => Date;
  stateRoot?: string;
  /** How often the environment watchdog looks (1 s); a test of the health check before blame alone sets it out of reach. */
  watchdogIntervalMs?: number;
}

export interface RehearsalResult {
  report: Report;
  exitCode: number;
  reportPath: string;
}

/** What each gate of the plan does, by id (G2 alone when it does not stream into G4). */
const GATE_WORK: Record<GateId, (ctx: RunContext) => Promise<Record<string, unknown> | null>> = {
  G0: inputsGate,
  G1: preflightGate,
  G2: (ctx) => (ctx.plan.copy === 'physical' ? physicalBackupGate(ctx) : backupGate(ctx, null)),
  G3: provisionGate,
  G4: restoreGate,
  G5: baselineGate,
  G6: traceGate,
  G7: teardownGate,
  G8: postChecksGate,
};

export async function rehearse(opts: RehearsalOptions, deps: RehearsalDeps): Promise<RehearsalResult> {
  const { docker, interruption } = deps;
  // Everything the tool prints is kept for the leak scan; every event is redacted with the run's secrets first.
  const consoleLines: string[] = [];
  let secrets: readonly string[] = [];
  const progress = redactedEvents(teeProgress(deps.progress, consoleLines), () => secrets);
  const now = deps.now ?? (() => new Date());
  const root = deps.stateRoot ?? stateRoot();
  // From G3 to G7 the watchdog aborts what waits on a paused or dead dry-run server; the work takes either signal.
  using watchdog = new EnvironmentWatchdog(docker, { now, intervalMs: deps.watchdogIntervalMs });

  // Usage errors throw from here: no report, nothing created.
  await assertOutOutsideState(opts.outDir, root);
  const inputs = await loadInputs(opts.configFile);
  const prior = opts.previous ? await loadVerifiedReport(opts.previous, 'prior report') : null;
  const { config, paths } = inputs.loaded;
  const plan = planRun(config, { cache: opts.cache, keepBackup: opts.keepBackup });
  const sutRealPath = await realpath(paths.sut).catch(() => paths.sut);
  // A read-only or full --out is the environment's (exit 3): no report can be written, nothing was created.
  await prepareOutDir(opts.outDir);

  const runId = newRunId(now());
  progress.data(`run id: ${runId}`);
  const tool = await toolProvenance();
  progress.event(versionEvent(runId, tool.version));
  const rec = new RunRecord(runId, config.name, now(), plan.gates);
  for (const s of inputs.pack) rec.scenarios.push(notRun(s));
  const runner = new GateRunner(plan, rec, interruption, watchdog, progress);
  const ctx = newContext({
    plan,
    inputs,
    runId,
    rec,
    docker,
    progress,
    now,
    root,
    watchdog,
    outDir: opts.outDir,
    sutRealPath,
    signal: AbortSignal.any([interruption.signal, watchdog.signal]),
    runInner: (id, label, work) => runner.run(id, null, label, work),
  });
  secrets = ctx.secrets;

  for (const step of plan.steps) {
    if (step.kind === 'scenarios') {
      for (const s of inputs.pack)
        await runner.run(s.scenario.id, s.scenario.id, s.scenario.title, () => scenarioGate(ctx, s));
      continue;
    }
    const { id, name } = step.gate;
    // The watchdog watches the dry-run server until teardown begins.
    if (id === 'G7') await watchdog.stop();
    await runner.run(id, null, name, () => GATE_WORK[id](ctx));
  }

  // The leak scan runs last, over everything the run and the system under test printed and wrote.
  const leaks = scanForLeaks(ctx, consoleLines);
  if (rec.sections.table_matrix && rec.gate('G5').status === 'PASS') rec.sections.table_matrix.final = ctx.counts;
  const ended = now();
  runner.landLate(ended);
  const landed = interruptionAlerts(
    interruption.log,
    runner.landedIn,
    runner.spans,
    rec.sections.teardown?.complete ?? null,
  );
  raiseAlerts(rec, progress, landed);
  const closing = { ended, tool, interruptedIn: runner.landedIn, prior };
  // The files this run writes are scanned too: report.json and report.md as they will be written.
  const first = buildReport(ctx, closing).report;
  scanWrittenFiles(ctx, leaks, [
    { place: 'report.json', text: serialiseReport(first) },
    { place: 'report.md', text: renderMarkdown(first) },
    ...scanPlacesOf(opts.outputs ?? [], first),
  ]);
  const { report, decision } = buildReport(ctx, closing);
  return { report, exitCode: decision.exitCode, reportPath: join(opts.outDir, 'report.json') };
}

type Fixed = Pick<
  RunContext,
  | 'plan'
  | 'inputs'
  | 'runId'
  | 'rec'
  | 'docker'
  | 'progress'
  | 'now'
  | 'root'
  | 'watchdog'
  | 'outDir'
  | 'sutRealPath'
  | 'signal'
  | 'runInner'
>;

/** The context before G0: what is fixed, and every field a gate sets still empty. */
function newContext(fixed: Fixed): RunContext {
  const { config, paths } = fixed.inputs.loaded;
  const production = need(fixed.inputs.production, "production's DSN");
  return {
    ...fixed,
    config,
    paths,
    names: environmentNames(config.environment.name),
    // A physical copy has production's system identifier: every session to production proves it finds no marker.
    production: { ...production, ...(fixed.plan.copy === 'physical' ? { marker: newSessionMarker(null) } : {}) },
    // Every secret of the run, for redaction and the leak scan: production's password included.
    secrets: [production.password].filter(Boolean),
    secretOwners: new Map(production.password ? [[production.password, 'production']] : []),
    scanPlaces: [],
    prodStatements: [],
    imageId: null,
    runnerImageId: null,
    prodIdentity: null,
    prodCluster: null,
    replicationSqlRefusal: null,
    prodContainerPre: null,
    run: null,
    backup: null,
    pgDump: null,
    streamedRestore: null,
    copied: null,
    cache: {
      enabled: fixed.plan.cache,
      key: null,
      hit: false,
      snapshot: null,
      age_s: null,
      saved: false,
      start_to_ready_ms: null,
    },
    dryRun: null,
    stepRunner: null,
    install: null,
    health: null,
    counts: {},
    countersPrev: null,
    windows: [],
  };
}

function notRun(s: RunContext['inputs']['pack'][number]): Report['scenarios'][number] {
  return {
    id: s.scenario.id,
    title: s.scenario.title,
    negative: s.scenario.negative,
    file: s.file,
    status: 'NOT_RUN',
    started_at: null,
    ms: null,
    steps: [],
    deltas: [],
    evidence: null,
  };
}
