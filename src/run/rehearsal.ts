// `rehearse run`: the rehearsal gate by gate (DESIGN.md). Inputs that cannot be read are usage
// errors (exit 2, no report, nothing created); from the first gate on, every outcome is recorded,
// the first failure stops the run (every later gate and scenario NOT_RUN, except G6-G8), and the
// verdict is decided from the record, never from hope.
import { mkdir, readFile, realpath, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type Check,
  type Classification,
  type Failure,
  type Report,
  type Status,
  type GrantMatrixFile,
  Report as ReportSchema,
  scenarioPolicy,
} from '../config/index.js';
import {
  assertNamesFree,
  checkEngine,
  containerIdentity,
  containerLog,
  containerSysid,
  assertRunnerNamesFree,
  defaultRunnerImage,
  runnerNames,
  DRY_RUN_DB_ALIAS,
  DRY_RUN_DB_PORT,
  SUT_MOUNT,
  prepareContainerRunner,
  runnerSteps,
  cacheKey,
  commitSnapshot,
  findSnapshot,
  defaultImage,
  environmentNames,
  generatePassword,
  inspectImage,
  sameContainer,
  stateRoot,
  TOOL_ROLE,
  type ContainerIdentity,
  type DockerClient,
} from '../engine/index.js';
import { diskErrorOf, InterruptedError, messageOf, withKnob } from '../errors.js';
import {
  addedLines,
  changeDiff,
  comparePins,
  DEFAULT_HARDCODE_PATTERNS,
  findHardcodes,
  gitState,
  hashArtefacts,
} from '../evidence/index.js';
import { leakMessage, leakScan, redact, type LeakScanResult, type ScanPlace } from '../evidence/index.js';
import {
  chooseDumpRunner,
  parseServerMajor,
  clientToolVersion,
  diffGrantMatrix,
  dsnFor,
  dumpDatabase,
  dumpIntoRestore,
  type DumpResult,
  type StreamedRestoreOutcome,
  queryRows,
  readGrantsInForce,
  rowCounts,
  runSqlFile,
  restoreDump,
  serverIdentity,
  serverPreflight,
  describeConnectionFailure,
  connectionFailureHint,
  IDENTITY_QUERY,
  MISSING_TABLES_QUERY,
  setRolePasswords,
  PgQueryError,
  enableSessionAudit,
  readWriteCounters,
  counterDeltas,
  PGAUDIT_SERVER_SETTINGS,
  type WriteCounterReading,
  type PgTarget,
} from '../pg/index.js';
import {
  checkDeltas,
  checkRows,
  checkStep,
  ContainerStepRunner,
  exceptionOf,
  HostStepRunner,
  type LoadedScenario,
  type StepRunner,
} from '../scenario/index.js';
import { closeRun, openRun, startServer, type OpenRun, type StartedServer } from './dry-run-environment.js';
import { classOfAssertionError, failureOf, GateFailure, StoppedByGate } from './gate-failure.js';
import {
  environmentFaults,
  healthBaseline,
  observeEnvironment,
  type EnvironmentBaseline,
} from './environment-health.js';
import { EnvironmentWatchdog, WATCHDOG_GRACE_MS } from './environment-watchdog.js';
import { streamsIntoRestore } from './gate-order.js';
import type { Interruption, ReceivedSignal } from './interruption.js';
import { step, teeProgress, type Progress } from './progress.js';
import { newRunId } from './run-id.js';
import { RunRecord, toReport } from './run-record.js';
import { decideVerdict, interruptedResult, interruptionAlerts, shouldRun, type Span } from './verdict.js';
import { toolProvenance } from './provenance.js';
import { analyseTrace, traceFailure, type ScenarioWindow } from './trace-gate.js';
import { hostRegistry } from './host-registry.js';
import { execPsql, resetToolPassword } from './cached-restore.js';
import { compareReports, renderMarkdown, serialiseReport } from '../report/index.js';
import { loadVerifiedReport } from './prior-report.js';
import { artefactFiles, loadInputs } from './inputs.js';
import { assertOutOutsideState, checkStateFolder, prepareOutDir } from './out-dir.js';

export interface RehearsalOptions {
  configFile: string;
  outDir: string;
  keepBackup: boolean;
  /** Use (and save) a cached restore: also `cache: true` in the config. */
  cache?: boolean | undefined;
  /** A prior report.json: the report then says, scenario by scenario, what changed since. */
  previous?: string | undefined;
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

/** Settings of a throwaway dry-run server: every statement logged with who sent it. */
export const LOG_SETTINGS = {
  log_statement: 'all',
  log_line_prefix: '%m [%p] app=%a user=%u db=%d ',
  log_min_error_statement: 'error',
  log_timezone: 'UTC',
  lc_messages: 'C',
};
/** A throwaway server may trade durability for restore speed; recorded in the report, off with fast_restore: false. */
export const FAST_RESTORE_SETTINGS = {
  fsync: 'off',
  full_page_writes: 'off',
  synchronous_commit: 'off',
  wal_level: 'minimal',
  max_wal_senders: '0',
  maintenance_work_mem: '512MB',
};

const STDERR_TAIL_LINES = 40;
const tail = (text: string, n: number) =>
  text
    .split('\n')
    .filter((l, i, a) => l !== '' || i < a.length - 1)
    .slice(-n);

export async function rehearse(opts: RehearsalOptions, deps: RehearsalDeps): Promise<RehearsalResult> {
  const { docker, interruption } = deps;
  // Everything the tool prints is kept for the leak scan.
  const consoleLines: string[] = [];
  const progress = teeProgress(deps.progress, consoleLines);
  const now = deps.now ?? (() => new Date());
  const root = deps.stateRoot ?? stateRoot();
  // From G3 to G7 the watchdog aborts what waits on a paused or dead dry-run server; the work takes either signal.
  using watchdog = new EnvironmentWatchdog(docker, { now, intervalMs: deps.watchdogIntervalMs });
  const signal = AbortSignal.any([interruption.signal, watchdog.signal]);

  // Usage errors throw from here: no report, nothing created.
  await assertOutOutsideState(opts.outDir, root);
  const inputs = await loadInputs(opts.configFile);
  const prior = opts.previous ? await loadVerifiedReport(opts.previous, 'prior report') : null;
  const { loaded, pack, watched, matrix, roles } = inputs;
  const production = inputs.production!;
  const { config, paths } = loaded;
  const names = environmentNames(config.environment.name);
  const sutRealPath = await realpath(paths.sut).catch(() => paths.sut);
  // A read-only or full --out is the environment's (exit 3): no report can be written, nothing was created.
  await prepareOutDir(opts.outDir);

  const runId = newRunId(now());
  progress.data(`run id: ${runId}`);
  const rec = new RunRecord(runId, config.name, now());
  for (const s of pack) {
    rec.scenarios.push({
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
    });
  }

  // Every secret of the run, for redaction and the leak scan: production's password included.
  const secrets: string[] = [production.password].filter(Boolean);
  const prodTarget: PgTarget = { ...production };
  const prodStatements: string[] = [];
  const scanPlaces: ScanPlace[] = [];
  let stopped = false;
  let run: OpenRun | null = null;
  let server: StartedServer | null = null;
  let dryTarget: (role: string) => PgTarget = () => {
    throw new Error('no dry-run server');
  };
  const rolePasswords: Record<string, string> = {};
  let backupPath: string | null = null;
  // The container runner (sut.runner: container): ephemeral step containers on the run's internal network.
  const containerMode = config.sut.runner === 'container';
  const containerCfg = {
    image: undefined as string | undefined,
    install: [] as string[],
    install_output: 'node_modules',
    install_timeout_ms: 600_000,
    ...(config.sut.container ?? {}),
  };
  // The runner of every step (host or container), chosen once at G3.
  let stepRunner: StepRunner | null = null;
  let runnerImageId: string | null = null;
  let install: { argv: string[]; exitCode: number | null } | null = null;
  let backupDir: string | null = null;
  let counts: Record<string, number> = {};
  const windows: ScenarioWindow[] = [];
  let countersPrev: WriteCounterReading | null = null;
  // What the scenarios stand on, as it was when the dry-run server became ready.
  let health: EnvironmentBaseline | null = null;

  // Where the run's first signal landed: the first gate or scenario to end after it arrived (an
  // inner gate only when it arrived after the inner one started); set once, never counted twice.
  let landedIn: string | null = null;
  let depth = 0;
  const spans: Span[] = [];

  /** Run one gate or scenario: record its timing and status; a failure or a signal stops the run. */
  async function gate(
    id: string,
    scenario: string | null,
    label: string,
    work: () => Promise<Record<string, unknown> | null>,
  ): Promise<void> {
    const r = scenario ? rec.scenario(scenario) : rec.gate(id);
    // After a signal, only the closing gates start; a signal that came between gates lands in the next.
    if (!shouldRun(id, stopped || interruption.signal.aborted)) {
      const first = interruption.log[0];
      if (first && landedIn === null && depth === 0) {
        const failure = landHere(first, id, scenario, r, 'before', null);
        r.evidence = { ...(r.evidence ?? {}), failure: failure.message };
        rec.fail(failure);
        stopped = true;
      }
      return;
    }
    const t0 = Date.now();
    r.started_at = new Date(t0).toISOString();
    progress.start(`${id} ${label}`);
    depth++;
    let failure: Failure | null = null;
    let cutShort = false;
    try {
      // An inner gate (G2 in G4) gets the shorter grace, so that it carries the fault.
      const evidence = await watchdog.guard(work, WATCHDOG_GRACE_MS / depth);
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
      depth--;
      spans.push({ id, from: t0, to: Date.now() });
      const first = interruption.log[0];
      if (first && landedIn === null && (depth === 0 || first.at.getTime() >= t0))
        failure = landHere(first, id, scenario, r, first.at.getTime() < t0 ? 'before' : 'during', failure, cutShort);
      if (failure) {
        r.evidence = { ...(r.evidence ?? {}), failure: failure.message };
        rec.fail(failure);
        stopped = true;
      }
      if (interruption.signal.aborted) stopped = true;
      r.ms = Date.now() - t0;
      progress.end(`${id} ${label}`, r.status === 'PASS', r.ms, r.status === 'PASS' ? undefined : r.status);
    }
  }

  /** The run's first signal landed in this gate or scenario: it is INCONCLUSIVE (environment), whatever its work gave. */
  function landHere(
    first: ReceivedSignal,
    id: string,
    scenario: string | null,
    r: { status: Status; evidence: Record<string, unknown> | null },
    when: 'before' | 'during' | 'after',
    own: Failure | null,
    cutShort = false,
  ): Failure {
    landedIn = scenario ?? id;
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

  /** A long dump or restore shows its progress in bytes, every 64 MiB. */
  const bytesProgress = (what: string) => {
    let shown = 0;
    return (bytes: number) => {
      if (bytes - shown < 64 * 1024 ** 2) return;
      shown = bytes;
      progress.note(`  ${what}: ${(bytes / 1024 ** 2).toFixed(0)} MiB`);
    };
  };

  const identityEvidence = async (target: PgTarget) => {
    prodStatements.push('BEGIN READ ONLY', IDENTITY_QUERY, 'COMMIT');
    return serverIdentity(target);
  };

  // G0 inputs: hash every artefact, compare with the pins a reviewer approved.
  await gate('G0', null, 'inputs', async () => {
    const hashed = await hashArtefacts(artefactFiles(inputs), paths.dir);
    rec.artefacts = comparePins(hashed, inputs.pins?.artefacts ?? null);
    const bad = rec.artefacts.filter((a) => !a.ok);
    if (!inputs.pins)
      throw new GateFailure(
        'artefact',
        `no pins file beside the config (${paths.pins}): run \`rehearse pin --config ${paths.config}\` and have a reviewer approve it`,
      );
    if (bad.length > 0)
      throw new GateFailure(
        'artefact',
        `artefacts differ from their pins: ${bad.map((a) => `${a.path} (pinned ${a.pinned?.slice(0, 12) ?? 'none'}, now ${a.sha256.slice(0, 12)})`).join(', ')}`,
      );
    return {
      artefacts: rec.artefacts.length,
      pins: paths.pins,
      scenarios: pack.map((s) => s.scenario.id),
      watched_tables: watched.length,
    };
  });

  // G1 preflight: engine, image, exact names free, production and protected environments, git state.
  let imageId: string | null = null;
  let prodId: Awaited<ReturnType<typeof serverIdentity>> | null = null;
  let prodContainerPre: ContainerIdentity | null = null;
  const protectedPre = new Map<string, ContainerIdentity | null>();
  await gate('G1', null, 'preflight', async () => {
    const stateFault = await checkStateFolder(root);
    if (stateFault) throw stateFault;
    const engine = await checkEngine(docker);
    // What to do names the config key a user of `run` sets (the engine's errors name provision's flags).
    const knob = (key: string) => (err: unknown) => {
      throw withKnob(err, `\`${key}\` in the config`);
    };
    const image = await inspectImage(docker, config.environment.image ?? defaultImage()).catch(
      knob('environment.image'),
    );
    imageId = image.id;
    await assertNamesFree(docker, names).catch(knob('environment.name'));
    if (containerMode) {
      runnerImageId = (
        await inspectImage(docker, containerCfg.image ?? defaultRunnerImage()).catch(knob('sut.container.image'))
      ).id;
      // The holder of the steps' network namespace always runs the local runner image.
      await inspectImage(docker, defaultRunnerImage()).catch((err: unknown) => {
        throw withKnob(err, "nothing but `bash scripts/setup` (the local runner image holds every step's network)");
      });
      await assertRunnerNamesFree(docker, runnerNames(names.container)).catch(knob('environment.name'));
    }
    // Identity and the watched tables in production's catalog, in one read-only transaction.
    let missingTables: string[];
    try {
      prodStatements.push('BEGIN READ ONLY', IDENTITY_QUERY, MISSING_TABLES_QUERY, 'COMMIT');
      ({ identity: prodId, missingTables } = await serverPreflight(prodTarget, watched));
    } catch (err) {
      const why = describeConnectionFailure(err, prodTarget, 'production');
      throw new GateFailure(
        'environment',
        `${redact(why.message, secrets)}; what to do: ${connectionFailureHint(why.kind, config.production.dsn_env ? `production.dsn_env (${config.production.dsn_env})` : 'production.dsn_file')}`,
      );
    }
    if (config.production.container) {
      prodContainerPre = await containerIdentity(docker, config.production.container);
      if (!prodContainerPre?.running)
        throw new GateFailure(
          'environment',
          `production's container \`${config.production.container}\` is not running`,
        );
    }
    rec.sections.production = {
      host: prodTarget.host,
      port: prodTarget.port,
      database: prodTarget.database,
      user: prodTarget.user,
      server_version: prodId.serverVersion,
      sysid_pre: prodId.systemIdentifier,
      sysid_post: null,
      start_pre: prodId.postmasterStart,
      start_post: null,
      container_pre: prodContainerPre,
      container_post: null,
      unchanged: null,
      statements: prodStatements,
    };
    // The pack's own mistake, found read-only before anything is provisioned (SQL assertions are not: they may name what the migration adds).
    if (missingTables.length > 0)
      throw new GateFailure(
        'artefact',
        missingTablesMessage(missingTables, watched, await readFile(paths.watchedTables, 'utf8'), paths.watchedTables),
      );
    const protectedSysid = new Map<string, string | null>();
    for (const name of config.protected_envs) {
      const id = await containerIdentity(docker, name);
      protectedPre.set(name, id);
      if (!id?.running)
        throw new GateFailure('environment', `protected environment \`${name}\` is not running before the run`);
      protectedSysid.set(name, await containerSysid(docker, id.id));
    }
    rec.sections.protected_envs = config.protected_envs.map((name) => ({
      name,
      pre: protectedPre.get(name) ?? null,
      post: null,
      sysid_pre: protectedSysid.get(name) ?? null,
      sysid_post: null,
      unchanged: null,
    }));
    const git = await gitState(paths.sut, config.sut.accepted_commit);
    rec.sections.git = { ...git, hardcode: null };
    if (!git.head_matches)
      throw new GateFailure(
        'artefact',
        `the system under test's HEAD is ${git.head ?? 'unknown'}, not the accepted commit ${config.sut.accepted_commit}`,
      );
    if (!git.clean)
      throw new GateFailure(
        'artefact',
        `the system under test's checkout is not clean: ${git.dirty.slice(0, 5).join('; ')}`,
      );
    if (config.sut.base_commit) {
      const patterns = [...DEFAULT_HARDCODE_PATTERNS, ...config.sut.hardcode.patterns];
      const lines = addedLines(await changeDiff(paths.sut, config.sut.base_commit, config.sut.accepted_commit));
      const findings = findHardcodes(lines, patterns, config.sut.hardcode.allow).map((f) => ({
        file: f.file,
        line: f.line,
        pattern: f.pattern,
        text: redact(f.text.trim(), secrets).slice(0, 200),
      }));
      rec.sections.git.hardcode = {
        base_commit: config.sut.base_commit,
        patterns: patterns.map((p) => p.name),
        lines_scanned: lines.length,
        findings,
      };
      if (findings.length > 0) {
        throw new GateFailure(
          'artefact',
          `the change under review (${config.sut.base_commit.slice(0, 12)}..${config.sut.accepted_commit.slice(0, 12)}) adds hardcoded values: ${findings
            .slice(0, 10)
            .map((f) => `${f.file}:${f.line} ${f.pattern}`)
            .join('; ')}`,
        );
      }
    }
    return {
      engine: engine.version,
      image: image.tag,
      image_id: image.id,
      names: [names.container, names.network],
      production_sysid: prodId.systemIdentifier,
      protected_envs: config.protected_envs.length,
    };
  });

  // G2 backup: pg_dump of production, read-only, into a 0600 file of a 0700 folder outside --out.
  // A plain dump without a cache streams into G4's restore as it is written (G3 and G4's roles come
  // first, and G2 runs inside G4): the restore does not wait for the whole dump. A cached restore
  // needs the dump's hash before G3 (its key), and an archive its whole file: those run in order.
  let pgDumpVersion: string | null = null;
  let pgDumpWhere: string | null = null;
  const cacheEnabled = opts.cache || config.cache;
  const keep = opts.keepBackup || config.keep_backup;
  const streamed = streamsIntoRestore(config.production.dump_format, cacheEnabled);
  let streamedRestore: StreamedRestoreOutcome | null = null;
  if (!streamed) await gate('G2', null, 'backup', () => takeBackup(null));

  // G3 provision: the exact-named dry-run server, with per-run passwords and statement logging;
  // from a cached snapshot when one matches this run's dump, roles, grants and image.
  // pgaudit's session audit sees SQL inside functions, DO blocks and triggers; the local image has it.
  const sessionAudit =
    config.environment.session_audit === 'on' ||
    (config.environment.session_audit === 'auto' && !config.environment.image);
  const settings: Record<string, string> = {
    ...LOG_SETTINGS,
    ...(sessionAudit ? PGAUDIT_SERVER_SETTINGS : {}),
    ...(config.environment.fast_restore ? FAST_RESTORE_SETTINGS : {}),
  };
  const cache = {
    enabled: cacheEnabled,
    key: null as string | null,
    hit: false,
    snapshot: null as string | null,
    age_s: null as number | null,
    saved: false,
    start_to_ready_ms: null as number | null,
  };
  await gate('G3', null, 'provision', async () => {
    run ??= await openRun(runId, now(), root);
    const baseImage = config.environment.image ?? defaultImage();
    let image = baseImage;
    if (cacheEnabled) {
      // The key comes from this run's dump: a changed production is always a miss.
      cache.key = cacheKey({
        dumpContentSha256: rec.sections.backup!.content_sha256,
        rolesSha256: rec.artefacts.find((a) => a.kind === 'roles')!.sha256,
        grantsSha256: rec.artefacts.find((a) => a.kind === 'grants')!.sha256,
        baseImageId: imageId!,
        settings,
      });
      const snap = await findSnapshot(docker, cache.key);
      if (snap) {
        cache.hit = true;
        cache.snapshot = snap.tag;
        cache.age_s = snap.createdAt ? Math.round((now().getTime() - Date.parse(snap.createdAt)) / 1000) : null;
        image = snap.tag;
      }
      progress.note(
        `  cache ${cache.hit ? `hit: ${cache.snapshot}, ${cache.age_s} s old` : 'miss'} (key ${cache.key.slice(0, 12)})`,
      );
    }
    const r = config.environment.readiness;
    server = await startServer(
      docker,
      run,
      {
        names,
        image,
        database: prodTarget.database,
        settings,
        readiness: { consecutive: r.consecutive, intervalMs: r.interval_ms, timeoutMs: r.timeout_ms },
      },
      progress,
      signal,
      undefined,
      // A snapshot carries the passwords of the run that made it: set this run's tool password first, over the socket.
      cache.hit
        ? (env, password) => resetToolPassword(docker, env.containerId, env.database, password, r.timeout_ms, signal)
        : undefined,
    );
    secrets.push(server.password);
    health = await healthBaseline(docker, server, null);
    watchdog.start(() => health);
    for (const retry of server.readiness.retries)
      rec.retries.push({ gate: 'G3', attempt: retry.attempt, at: retry.at, reason: retry.reason });
    for (const role of roles) {
      rolePasswords[role] = generatePassword();
      secrets.push(rolePasswords[role]);
    }
    const s = server;
    cache.start_to_ready_ms = Math.max(0, Date.now() - s.env.startedAt.getTime());
    dryTarget = (role) =>
      role === TOOL_ROLE
        ? { host: s.env.host, port: s.env.port, user: TOOL_ROLE, password: s.password, database: s.env.database }
        : { host: s.env.host, port: s.env.port, user: role, password: rolePasswords[role]!, database: s.env.database };
    if (containerMode) {
      const sutRunner = await prepareContainerRunner(docker, run.journal, {
        envName: names.container,
        image: containerCfg.image ?? defaultRunnerImage(),
        checkout: paths.sut,
        output: containerCfg.install_output,
        dryRunContainerId: s.env.containerId,
        secretDir: run.dir,
      });
      health = await healthBaseline(docker, s, sutRunner.holder);
      const containerSteps = new ContainerStepRunner(runnerSteps(docker, run.journal, sutRunner));
      stepRunner = containerSteps;
      if (containerCfg.install.length > 0) {
        const registry = await hostRegistry();
        const ran = await step(
          progress,
          `install (${containerCfg.install.join(' ')}) in an install-phase container`,
          () =>
            containerSteps.install({
              argv: containerCfg.install,
              network: names.network,
              timeoutMs: containerCfg.install_timeout_ms,
              signal: signal,
              registry,
            }),
        );
        scanPlaces.push({ place: 'install stdout', text: ran.stdout }, { place: 'install stderr', text: ran.stderr });
        install = { argv: containerCfg.install, exitCode: ran.exitCode };
        if (ran.canceled) throw new InterruptedError('cancel');
        // A registry outage and a bad lockfile look the same from here: the environment failed us.
        if (ran.exitCode !== 0)
          throw new GateFailure(
            'environment',
            `the install step \`${containerCfg.install.join(' ')}\` exited ${ran.exitCode ?? 'by a signal'}: ${tail(redact(ran.stderr, secrets), 5).join(' / ')}`,
          );
      }
    } else {
      const journal = run.journal;
      stepRunner = new HostStepRunner({
        sutPath: paths.sut,
        sutRoot: sutRealPath,
        passFiles: { dir: run.dir, record: (p) => journal.recordSecret(p) },
      });
    }
    rec.sections.env = {
      run_id: runId,
      container: names.container,
      network: names.network,
      image: s.env.image,
      image_id: imageId ?? '',
      port: s.env.port,
      database: s.env.database,
      server_version: s.readiness.serverVersion,
      sysid: null,
      settings,
      readiness: {
        signal: s.readiness.signal,
        attempts: s.readiness.attempts,
        ms: s.readiness.ms,
        retries: s.readiness.retries.length,
      },
      roles,
      cache,
    };
    return {
      container: names.container,
      port: s.env.port,
      readiness_ms: s.readiness.ms,
      cache: cache.enabled ? (cache.hit ? 'hit' : 'miss') : 'off',
    };
  });

  // G4 restore: roles, their per-run passwords, the dump, the grants; then the privileges in force against the matrix.
  // On a cache hit nothing is restored, but every check of the gate still runs.
  await gate('G4', null, 'restore', async () => {
    const tool = dryTarget(TOOL_ROLE);
    let restore: { ms: number; bytes: number; tool: string; jobs: number } | null = null;
    if (!cache.hit) {
      await sqlArtefact('roles', () => runSqlFile(tool, paths.roles, { singleTransaction: true }));
      await setRolePasswords(tool, rolePasswords);
      if (streamed) {
        await gate('G2', null, 'backup', () => takeBackup(tool));
        if (rec.gate('G2').status !== 'PASS')
          throw new StoppedByGate('G2', 'the backup streaming into this restore failed');
        const outcome = streamedRestore as StreamedRestoreOutcome | null;
        if (!outcome) throw new Error('G2 passed without the outcome of its streamed restore');
        if (!outcome.ok) throw outcome.error;
        restore = { ...outcome.result, tool: "psql, streamed from G2's pg_dump" };
      } else {
        restore = await restoreDump(
          tool,
          { path: backupPath!, format: config.production.dump_format },
          { signal: signal, onProgress: bytesProgress('restore') },
        );
      }
      await sqlArtefact('grants', () => runSqlFile(tool, paths.grants, { singleTransaction: true }));
    } else {
      // Fresh per-run passwords for every role before anything else connects.
      await setRolePasswords(tool, rolePasswords);
    }
    const inForce = await readGrantsInForce(tool, roles, schemasOf(matrix));
    const differences = diffGrantMatrix(matrix, inForce);
    const dry = await serverIdentity(tool);
    signal.throwIfAborted();
    rec.sections.env!.sysid = dry.systemIdentifier;
    if (differences.length > 0) {
      throw new GateFailure(
        'artefact',
        `the privileges in force differ from the grant matrix in ${differences.length} places: ${differences
          .slice(0, 10)
          .map(
            (d) =>
              `${d.role} ${d.privilege} on ${d.object}: expected ${d.expected ? 'granted' : 'not granted'}, is ${d.actual ? 'granted' : 'not granted'}`,
          )
          .join('; ')}`,
        {
          sql_rows: differences.slice(0, 5),
        },
      );
    }
    if (dry.systemIdentifier === rec.sections.production!.sysid_pre)
      throw new GateFailure('tool', 'the dry-run server has the system identifier of production: refusing to go on');
    // The system's roles are audited from their next session on; they cannot turn it off (superuser-only settings).
    const audit = sessionAudit ? await enableSessionAudit(tool, roles) : null;
    if (cacheEnabled && !cache.hit && cache.key) {
      signal.throwIfAborted();
      // Checkpoint first, so the paused copy holds every restored page.
      await execPsql(docker, server!.env.containerId, server!.env.database, 'CHECKPOINT');
      const snap = await watchdog.ownPause(() => commitSnapshot(docker, server!.env.containerId, cache.key!, now()));
      cache.saved = true;
      cache.snapshot = snap.tag;
      progress.note(`  cache: saved ${snap.tag}`);
    }
    return {
      session_audit: audit ? audit.roles : 'off',
      cache_hit: cache.hit,
      restore_ms: restore?.ms ?? 0,
      restore_bytes: restore?.bytes ?? 0,
      restore_tool: restore?.tool ?? 'none (cache hit)',
      restore_jobs: restore?.jobs ?? 0,
      grant_differences: 0,
      sysid: dry.systemIdentifier,
    };
  });

  // G5 baseline: exact row counts of the watched tables.
  await gate('G5', null, 'baseline', async () => {
    const baseline = await rowCounts(dryTarget(TOOL_ROLE), watched);
    const counters = await readWriteCounters(dryTarget(TOOL_ROLE), 'all', { roles });
    // Work the watchdog left behind writes nothing into the record.
    signal.throwIfAborted();
    counts = baseline;
    countersPrev = counters;
    rec.sections.table_matrix = { tables: watched, baseline: counts, checkpoints: [], final: null };
    return { tables: watched.length };
  });

  // S1..Sn: the system under test, step by step.
  for (const s of pack) {
    await gate(s.scenario.id, s.scenario.id, s.scenario.title, () => runScenario(s));
  }

  // G6 trace: the statements of the system under test, from the dry-run server's log (copied before teardown).
  let serverLog = '';
  await gate('G6', null, 'trace', async () => {
    if (!server) return { skipped: 'no dry-run server was started' };
    serverLog = await containerLog(docker, server.env.containerId);
    // The raw log holds the tool's own ALTER ROLE ... PASSWORD '<verifier>': literals are looked for in its redacted copy.
    scanPlaces.push({ place: 'dry-run server log', text: serverLog, literals: false });
    const analysis = await analyseTrace(serverLog, windows, {
      toolRole: TOOL_ROLE,
      policy: scenarioPolicy(config, {}),
      sessionAudit,
      redact: (t) => redact(t, secrets),
    });
    rec.sections.sql_trace = analysis.section;
    const copied = await writeRedacted(join(opts.outDir, 'dry-run-server.log'), serverLog, secrets);
    scanPlaces.push({ place: 'dry-run-server.log (the redacted copy written to --out)', text: copied });
    const failure = traceFailure(analysis);
    if (failure) throw failure;
    return {
      statements: analysis.section.statements,
      verbs: analysis.section.verbs,
      unexplained_writes: analysis.section.writes.unexplained.length,
    };
  });

  await watchdog.stop();
  // G7 teardown: everything the run created, by the ids recorded, proved gone; secrets and the backup shredded.
  await gate('G7', null, 'teardown', async () => {
    let outcome = null;
    if (run)
      scanPlaces.push({
        place: 'the run state file',
        text: await readFile(join(run.dir, 'state.json'), 'utf8').catch(() => JSON.stringify(run!.journal.snapshot())),
      });
    if (run) outcome = await closeRun(docker, run, progress);
    rec.sections.teardown = {
      complete: outcome ? outcome.complete : true,
      ms: outcome?.ms ?? 0,
      resources: (outcome?.resources ?? []).map((r) => ({
        kind: r.kind,
        name: r.name,
        id: r.id,
        action: r.action,
        gone: r.gone,
        proof: r.proof,
      })),
      secrets: (outcome?.secrets ?? []).map((x) => ({ path: x.path, shredded: x.shredded })),
      backup_shredded: backupDir
        ? !keep && (outcome?.secrets.some((x) => x.path === backupDir && x.shredded) ?? false)
        : null,
    };
    if (outcome && !outcome.complete) {
      rec.alerts.push(
        `TEARDOWN INCOMPLETE: ${outcome.resources
          .filter((r) => !r.gone)
          .map((r) => `${r.kind} ${r.name}`)
          .join(', ')} could not be proved gone; run \`rehearse teardown --run-id ${runId}\``,
      );
      throw new GateFailure('environment', 'teardown could not prove everything gone');
    }
    return { resources: outcome?.resources.length ?? 0 };
  });

  // G8 post-checks: production and the protected environments exactly as before.
  await gate('G8', null, 'post-checks', async () => {
    const p = rec.sections.production;
    if (!p) return { skipped: 'production was not reached' };
    const post = await identityEvidence(prodTarget).catch(() => null);
    p.sysid_post = post?.systemIdentifier ?? null;
    p.start_post = post?.postmasterStart ?? null;
    if (config.production.container) p.container_post = await containerIdentity(docker, config.production.container);
    const containerOk = config.production.container ? sameContainer(p.container_pre, p.container_post) : true;
    p.unchanged =
      post !== null && post.systemIdentifier === p.sysid_pre && post.postmasterStart === p.start_pre && containerOk;
    const changed: string[] = [];
    if (!p.unchanged)
      changed.push(
        `PRODUCTION CHANGED DURING THE RUN: system identifier ${p.sysid_pre} -> ${p.sysid_post ?? 'unreachable'}, postmaster start ${p.start_pre} -> ${p.start_post ?? 'unreachable'}${config.production.container ? `, container ${p.container_pre?.started_at} -> ${p.container_post?.started_at ?? 'gone'}` : ''}; this run cannot claim production untouched`,
      );
    const envs = rec.sections.protected_envs ?? [];
    for (const e of envs) {
      e.post = await containerIdentity(docker, e.name);
      e.sysid_post = e.post ? await containerSysid(docker, e.post.id) : null;
      e.unchanged = sameContainer(e.pre, e.post) && e.sysid_post === e.sysid_pre;
      if (!e.unchanged)
        changed.push(
          `PROTECTED ENVIRONMENT ${e.name} CHANGED: ${e.pre?.id.slice(0, 12)} started ${e.pre?.started_at} -> ${e.post ? `${e.post.id.slice(0, 12)} started ${e.post.started_at}, running ${e.post.running}` : 'gone'}`,
        );
    }
    rec.alerts.push(...changed);
    if (changed.length > 0) throw new GateFailure('environment', changed.join('; '));
    return { production_unchanged: true, protected_envs_unchanged: envs.length };
  });

  // The leak scan runs last, over everything the run and the system under test printed and wrote.
  scanPlaces.push({ place: 'pg-rehearse console output', text: consoleLines.join('\n') });
  const leakResult = leakScan(secrets, scanPlaces);
  rec.sections.leak_scan = leakResult;
  if (leakResult.hits > 0)
    leakFailure(
      leakResult.places.filter((p) => p.hits > 0),
      'sut',
    );

  const ended = now();
  const toolInfo = await toolProvenance();
  // A signal after G8 (while the report is made) lands in G8, the last gate that ran.
  const late = interruption.log[0];
  if (late && landedIn === null) {
    const g8 = rec.gate('G8');
    const f = landHere(late, 'G8', null, g8, 'after', rec.failures.get('G8') ?? null);
    g8.evidence = { ...(g8.evidence ?? {}), failure: f.message };
    rec.failures.set('G8', f);
    rec.fail(f);
  }
  rec.alerts.push(...interruptionAlerts(interruption.log, landedIn, spans, rec.sections.teardown?.complete ?? null));
  const build = () => {
    const decision = decideVerdict({
      outcomes: rec
        .outcomes()
        .map((o) => ({ id: o.id, status: o.status, classification: classOf(rec, o.id, o.status) })),
      productionUnchanged: rec.sections.production?.unchanged ?? null,
      teardownComplete: rec.sections.teardown?.complete ?? null,
      interruptedIn: landedIn,
    });
    rec.leadWith(decision.decidedBy);
    if (decision.verdict !== 'PASS' && !rec.failure) {
      rec.fail({
        gate: decision.decidedBy ?? 'G8',
        scenario: null,
        classification: decision.classification ?? 'tool',
        message: 'production could not be proved unchanged',
        command: null,
        exit_code: null,
        stderr_tail: null,
        sql_rows: null,
        exception: null,
        stack: null,
      });
    }
    const report = ReportSchema.parse(
      toReport(rec, {
        verdict: decision.verdict,
        exitCode: decision.exitCode,
        endedAt: ended,
        acceptedCommit: config.sut.accepted_commit,
        config: { path: paths.config, sha256: rec.artefacts.find((a) => a.kind === 'config')?.sha256 ?? '' },
        provenance: {
          tool_version: toolInfo.version,
          build_sha: toolInfo.buildSha,
          image_id: imageId,
          pg_dump_version: pgDumpVersion,
          pg_dump_where: pgDumpWhere,
          dry_run_server_version: rec.sections.env?.server_version ?? null,
          production_server_version: rec.sections.production?.server_version ?? null,
          started_at: rec.startedAt.toISOString(),
          ended_at: ended.toISOString(),
        },
        sutRunner: containerMode
          ? {
              mode: 'container',
              path: paths.sut,
              dsn_env: config.sut.dsn_env,
              install: install
                ? `\`${install.argv.join(' ')}\` ran in an ephemeral install-phase container (no database credentials) into the labelled volume ${runnerNames(names.container).installVolume}, removed with the run; nothing was installed on the host`
                : 'none: no install step configured; nothing was installed on the host',
              installed_on_host: false,
              image: containerCfg.image ?? defaultRunnerImage(),
              image_id: runnerImageId,
              install_command: install?.argv ?? null,
              install_exit_code: install?.exitCode ?? null,
              network: `${runnerNames(names.container).internalNetwork} (internal, no default route, no host address; the dry-run server as ${DRY_RUN_DB_ALIAS}:${DRY_RUN_DB_PORT})`,
              mounts: [
                `${paths.sut} at the accepted commit -> ${SUT_MOUNT} (read-only)`,
                `${runnerNames(names.container).installVolume} -> ${SUT_MOUNT}/${containerCfg.install_output} (read-only in steps)`,
                `tmpfs -> /tmp (HOME)`,
              ],
            }
          : {
              mode: 'host',
              path: paths.sut,
              dsn_env: config.sut.dsn_env,
              install:
                "none: pg-rehearse installs nothing; each step runs from the checkout at the accepted commit with an environment holding only PATH, HOME, LANG, its role's DSN and the step's own variables",
              installed_on_host: false,
              image: null,
              image_id: null,
              install_command: null,
              install_exit_code: null,
              network: null,
              mounts: [],
            },
        progress: null,
      }),
    );
    if (!prior) return { report, decision };
    return {
      report: ReportSchema.parse({
        ...report,
        progress: compareReports(prior.report, report, prior.path, prior.sha256),
      }),
      decision,
    };
  };
  if (rec.sections.table_matrix && rec.gate('G5').status === 'PASS') rec.sections.table_matrix.final = counts;
  let { report, decision } = build();
  // The files this run writes are scanned too: report.json and report.md as they will be written.
  const written = [
    { place: 'report.json', text: serialiseReport(report) },
    { place: 'report.md', text: renderMarkdown(report) },
  ];
  const writtenScan = leakScan(secrets, written);
  rec.sections.leak_scan = {
    ...leakResult,
    scanned: leakResult.scanned + writtenScan.scanned,
    hits: leakResult.hits + writtenScan.hits,
    places: [...leakResult.places, ...writtenScan.places],
  };
  // A secret in our own report is our bug: redaction failed.
  if (writtenScan.hits > 0)
    leakFailure(
      writtenScan.places.filter((p) => p.hits > 0),
      'tool',
    );
  ({ report, decision } = build());
  return { report, exitCode: decision.exitCode, reportPath: join(opts.outDir, 'report.json') };

  // -- the pieces of the gates above ---------------------------------------------------------

  /** A leak fails the run at G6 (its leak scan runs last); a leak into our own report is our bug. */
  function leakFailure(places: LeakScanResult['places'], classification: 'sut' | 'tool'): void {
    const g6 = rec.gate('G6');
    const message = leakMessage(places);
    if (g6.status === 'PASS' || g6.status === 'NOT_RUN') g6.status = classification === 'sut' ? 'FAIL' : 'INCONCLUSIVE';
    g6.evidence = { ...(g6.evidence ?? {}), leak: message };
    rec.fail({
      gate: 'G6',
      scenario: null,
      classification,
      message,
      command: null,
      exit_code: null,
      stderr_tail: null,
      sql_rows: null,
      exception: null,
      stack: null,
    });
  }

  /** G2's work: the dump, streamed into the dry-run database `into` when given (the outcome of that restore is kept for G4). */
  async function takeBackup(into: PgTarget | null): Promise<Record<string, unknown>> {
    const host = await clientToolVersion('pg_dump');
    const prodMajor = parseServerMajor(prodId!.serverVersionNum);
    const runner = chooseDumpRunner({
      hostClientMajor: host.major,
      serverMajor: prodMajor,
      productionIsContainer: Boolean(config.production.container),
    });
    if (runner.where !== 'host') {
      throw new GateFailure(
        'environment',
        `production runs PostgreSQL ${prodMajor}, newer than this host's pg_dump ${host.version ?? '(missing)'}; a pg_dump ${runner.where === 'container-exec' ? "inside production's container" : `in a container of PostgreSQL ${prodMajor}`} is needed and this version of pg-rehearse runs it on the host only`,
      );
    }
    pgDumpVersion = host.version;
    pgDumpWhere = `host pg_dump ${host.version}`;
    // The run's state file (and its reaper) exist before the backup's folder does: the folder is
    // recorded first, so that whatever is in it (a partial dump, a directory dump, the streamed
    // restore's FIFOs) is shredded at teardown even if the tool is killed.
    run ??= await openRun(runId, now(), root);
    backupDir = join(root, 'backups', runId);
    if (!keep) await run.journal.recordSecret(backupDir);
    await mkdir(backupDir, { recursive: true, mode: 0o700 });
    backupPath = join(
      backupDir,
      `${prodTarget.database}-${runId}.${config.production.dump_format === 'plain' ? 'sql' : config.production.dump_format === 'custom' ? 'dump' : 'dir'}`,
    );
    let dump: DumpResult;
    if (into) {
      const out = await dumpIntoRestore(
        {
          target: prodTarget,
          file: backupPath,
          signal: signal,
          onProgress: bytesProgress('dump (streamed into the restore)'),
        },
        { target: into, syncFile: keep },
      );
      dump = out.dump;
      streamedRestore = out.restore;
    } else {
      dump = await dumpDatabase({
        target: prodTarget,
        file: backupPath,
        format: config.production.dump_format,
        signal: signal,
        onProgress: bytesProgress('dump'),
      });
    }
    prodStatements.push(
      'show transaction_read_only (a session opened with PGOPTIONS=-c default_transaction_read_only=on, proving it read-only)',
      `${dump.argv.join(' ')} (the same read-only session options; pg_dump's own catalog reads in its read-only repeatable-read transaction)`,
    );
    rec.sections.backup = {
      path: dump.path,
      kept: keep,
      format: dump.format,
      sha256: dump.sha256,
      content_sha256: dump.contentSha256,
      bytes: dump.bytes,
      ms: dump.ms,
      pg_dump_version: dump.pgDumpVersion,
      pg_dump_where: pgDumpWhere,
      read_only_session: dump.readOnlySession,
    };
    if (!dump.readOnlySession)
      throw new GateFailure(
        'environment',
        'the dump session did not prove read-only (transaction_read_only was not on)',
      );
    return {
      bytes: dump.bytes,
      sha256: dump.sha256,
      content_sha256: dump.contentSha256,
      streamed_into_restore: into !== null,
    };
  }

  async function sqlArtefact<T>(what: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      throw new GateFailure(
        'artefact',
        `the ${what} SQL failed on the dry-run server: ${redact(messageOf(err), secrets)}`,
      );
    }
  }

  /** Environment before blame: a failure seen while the dry-run server (or the runner) died is the environment's. */
  async function blame(failure: GateFailure): Promise<GateFailure> {
    if (!health) return failure;
    const faults = environmentFaults(health, await observeEnvironment(docker, health, now));
    if (faults.length === 0) return failure;
    return new GateFailure(
      'environment',
      `${faults.join('; ')}: what was seen meanwhile says nothing of the system under test or the pack (${failure.message})`,
      failure.details,
    );
  }

  async function runScenario(s: LoadedScenario): Promise<Record<string, unknown>> {
    const sc = s.scenario;
    const r = rec.scenario(sc.id);
    const window: ScenarioWindow = {
      id: sc.id,
      from: Date.now(),
      to: Date.now(),
      policy: scenarioPolicy(config, sc),
      steps: [],
      writes: null,
    };
    let rowDeltas: Record<string, number> | undefined;
    windows.push(window);
    let failing = true;
    try {
      for (const step of sc.steps) {
        signal.throwIfAborted();
        // The step's window: the statements it sent are those the server logged in it.
        const stepWindow = { name: step.name, from: Date.now(), to: Date.now() };
        window.steps.push(stepWindow);
        const ran = await stepRunner!.run(step, { dsnEnvVar: config.sut.dsn_env, target: dryTarget, signal });
        stepWindow.to = Date.now();
        scanPlaces.push(
          { place: `${sc.id} ${step.name} stdout`, text: ran.stdout },
          { place: `${sc.id} ${step.name} stderr`, text: ran.stderr },
        );
        // An interrupted step says nothing about the system under test.
        signal.throwIfAborted();
        if (ran.canceled) throw new InterruptedError('cancel');
        const checks: Check[] = checkStep(step.expect, ran, { redact: (t) => redact(t, secrets) });
        const record = {
          name: step.name,
          argv: ran.argv,
          cwd: step.cwd,
          role: step.role,
          exit_code: ran.exitCode,
          timed_out: ran.timedOut,
          ms: ran.ms,
          checks,
          stdout_tail: tail(redact(ran.stdout, secrets), 10),
          stderr_tail: tail(redact(ran.stderr, secrets), STDERR_TAIL_LINES),
        };
        r.steps.push(record);
        const failed = checks.find((c) => !c.ok);
        if (failed) {
          const exception = exceptionOf(ran.stderr, stepRunner!.sutRoot);
          const readOnly = stepRunner!.failureNote(ran);
          throw await blame(
            new GateFailure(
              'sut',
              `step "${step.name}": ${failed.what}: expected ${failed.expected}, got ${failed.actual}${exception ? ` (${exception.name}${exception.location ? ` at ${exception.location}` : ''})` : ''}${readOnly ? `; ${redact(readOnly, secrets)}` : ''}`,
              {
                command: ran.argv,
                exit_code: ran.exitCode,
                stderr_tail: record.stderr_tail,
                exception: exception
                  ? { name: exception.name, message: redact(exception.message, secrets), location: exception.location }
                  : null,
              },
            ),
          );
        }
        for (const assertion of step.expect.sql) {
          let rows: Record<string, unknown>[];
          try {
            rows = await queryRows(dryTarget(TOOL_ROLE), assertion.query);
          } catch (err) {
            const sqlState = err instanceof PgQueryError ? err.sqlState : null;
            throw await blame(
              new GateFailure(
                classOfAssertionError(sqlState),
                `step "${step.name}": the SQL assertion \`${assertion.query}\` did not run${sqlState ? ` (SQLSTATE ${sqlState})` : ''}: ${redact(messageOf(err), secrets)}`,
                { command: ran.argv, exit_code: ran.exitCode },
              ),
            );
          }
          const check = checkRows(assertion.rows, rows);
          record.checks.push({ ...check, what: `sql: ${assertion.query}` });
          if (!check.ok) {
            throw await blame(
              new GateFailure('sut', `step "${step.name}": the SQL assertion \`${assertion.query}\` did not match`, {
                command: ran.argv,
                exit_code: ran.exitCode,
                sql_rows: rows.slice(0, 5),
                stderr_tail: record.stderr_tail,
              }),
            );
          }
        }
      }
      window.to = Date.now();
      let after: Record<string, number>;
      try {
        after = await rowCounts(dryTarget(TOOL_ROLE), watched);
      } catch (err) {
        throw await blame(
          new GateFailure(
            'environment',
            `the row counts after ${sc.id} could not be read: ${redact(messageOf(err), secrets)}`,
          ),
        );
      }
      signal.throwIfAborted();
      const deltas = checkDeltas(sc.deltas, sc.negative, counts, after, watched);
      r.deltas = deltas;
      const deltaMap = Object.fromEntries(watched.map((t) => [t, (after[t] ?? 0) - (counts[t] ?? 0)]));
      rowDeltas = deltaMap;
      const expected = Object.fromEntries(watched.map((t) => [t, sc.negative ? 0 : (sc.deltas[t] ?? 0)]));
      const ok = deltas.every((d) => d.ok);
      rec.sections.table_matrix?.checkpoints.push({ after: sc.id, counts: after, deltas: deltaMap, expected, ok });
      counts = after;
      if (!ok) {
        const bad = deltas.filter((d) => !d.ok);
        throw await blame(
          new GateFailure(
            'sut',
            `row-count deltas differ: ${bad.map((d) => `${d.what}: expected ${d.expected}, got ${d.actual}`).join('; ')}`,
          ),
        );
      }
      failing = false;
      return { steps: sc.steps.length };
    } finally {
      window.to = Date.now();
      // The write counters of the scenario, after its processes exited (a failed one's too: G6 explains them).
      if (countersPrev && !signal.aborted) {
        try {
          const now_ = await readWriteCounters(dryTarget(TOOL_ROLE), 'all', { roles });
          window.writes = {
            deltas: counterDeltas(countersPrev.counters, now_.counters),
            settled: now_.settled,
            knownTables: Object.keys(now_.counters),
            rowDeltas,
            parents: now_.parents,
          };
          countersPrev = now_;
        } catch (err) {
          window.writes = null;
          // A scenario that passed cannot pass without its write counters; one that failed keeps its own failure.
          if (!failing)
            throw await blame(
              new GateFailure(
                'environment',
                `the write counters after ${sc.id} could not be read: ${redact(messageOf(err), secrets)}`,
              ),
            );
        }
      }
    }
  }
}

/** The watched tables production does not have, each at its line of the watched tables file, and what to do. */
function missingTablesMessage(
  missing: readonly string[],
  watched: readonly string[],
  text: string,
  file: string,
): string {
  const lines = text.split(/\r?\n/);
  const at = (t: string) => lines.findIndex((l) => l.replace(/#.*$/, '').trim() === t) + 1;
  return `production has no table ${missing.map((t) => `\`${t}\` (${file}:${at(t)})`).join(', ')}, of the ${watched.length} watched tables: correct the watched tables file (artefacts.watched_tables in the config) and the scenarios' deltas; nothing was provisioned`;
}

function schemasOf(matrix: GrantMatrixFile): string[] {
  return [
    ...new Set(Object.values(matrix).flatMap((objects) => Object.keys(objects).map((o) => o.split('.')[0]!))),
  ].sort();
}

/** The classification of a gate's or scenario's result: its recorded failure's; a non-PASS result without one is our bug, never the system's. */
function classOf(rec: RunRecord, id: string, status: Status): Classification | null {
  if (status === 'PASS' || status === 'NOT_RUN') return null;
  return rec.failures.get(id)?.classification ?? 'tool';
}

async function writeRedacted(path: string, text: string, secrets: readonly string[]): Promise<string> {
  const redacted = redact(text, [...secrets]);
  await writeFile(path, redacted, { mode: 0o600 }).catch((err: unknown) => {
    throw diskErrorOf(err, 'cannot write into --out') ?? err;
  });
  return redacted;
}
