// The typed context a run's gates share. What is fixed before G0 is readonly; what a gate learns
// for the ones after it is a field it sets, null until then: a later gate asks for it with
// `need`, so a gate run out of order is a ToolError naming what is missing, never a crash on a
// hidden variable.
import type { RehearsalConfig } from '../config/index.js';
import type { ContainerIdentity, CopiedFolder, DockerClient, EnvironmentNames } from '../engine/index.js';
import { ToolError } from '../errors.js';
import type { ScanPlace } from '../evidence/index.js';
import type {
  ClusterFacts,
  PgTarget,
  ServerIdentity,
  StreamedRestoreOutcome,
  WriteCounterReading,
} from '../pg/index.js';
import type { StepRunner } from '../scenario/index.js';
import type { OpenRun, StartedServer } from './dry-run-environment.js';
import type { EnvironmentBaseline } from './environment-health.js';
import type { EnvironmentWatchdog } from './environment-watchdog.js';
import type { Inputs } from './inputs.js';
import type { Progress } from './progress.js';
import type { RunPlan } from './run-plan.js';
import type { RunRecord } from './run-record.js';
import type { ScenarioWindow } from './trace-gate.js';

/** A gate's work: its evidence for the report (or null), or a throw that fails it. */
export type GateWork = () => Promise<Record<string, unknown> | null>;

export interface CacheState {
  enabled: boolean;
  key: string | null;
  hit: boolean;
  snapshot: string | null;
  age_s: number | null;
  saved: boolean;
  start_to_ready_ms: number | null;
}

/** The dry-run server as the gates after G3 use it. */
export interface DryRun {
  started: StartedServer;
  /** The per-run password of each role of the system under test. */
  rolePasswords: Readonly<Record<string, string>>;
  /** How a role (or the tool's own) connects to it. */
  target(role: string): PgTarget;
}

export interface RunContext {
  readonly plan: RunPlan;
  readonly inputs: Inputs;
  readonly config: RehearsalConfig;
  readonly paths: Inputs['loaded']['paths'];
  readonly names: EnvironmentNames;
  readonly runId: string;
  readonly outDir: string;
  readonly rec: RunRecord;
  readonly docker: DockerClient;
  readonly progress: Progress;
  readonly now: () => Date;
  /** The state folder. */
  readonly root: string;
  /** Aborted by a signal or by the environment watchdog. */
  readonly signal: AbortSignal;
  readonly watchdog: EnvironmentWatchdog;
  readonly production: PgTarget;
  /** The checkout's real path (the one a traceback names). */
  readonly sutRealPath: string;
  /** Every secret of the run, for redaction and the leak scan; gates add theirs. */
  readonly secrets: string[];
  /** Whose each secret is, for the leak scan: "production", a role's name, or the tool's own role. Never printed with its key. */
  readonly secretOwners: Map<string, string>;
  /** What the leak scan reads at the end; gates add what they saw. */
  readonly scanPlaces: ScanPlace[];
  /** Every statement the tool sent to production. */
  readonly prodStatements: string[];
  /** Run a gate inside this one (G2 inside G4): recorded as its own gate. */
  readonly runInner: (id: 'G2', label: string, work: GateWork) => Promise<void>;

  // Set by G1.
  imageId: string | null;
  runnerImageId: string | null;
  prodIdentity: ServerIdentity | null;
  /** A physical copy: production's databases, their collation facts and extensions (G4 checks them on the copy). */
  prodCluster: ClusterFacts | null;
  /** A physical copy's G1: the server's refusal of SQL on a replication connection of production's user (null: not refused). */
  replicationSqlRefusal: string | null;
  // Set by G2 (or G3, whichever opens the run first).
  run: OpenRun | null;
  backup: { dir: string; path: string } | null;
  pgDump: { version: string | null; where: string } | null;
  /** Set by G2 when it streams into G4's restore: the outcome G4 waits for. */
  streamedRestore: StreamedRestoreOutcome | null;
  // Set by G3.
  /** A physical copy: the tar stream sent into the container (its sha256, size and time). */
  copied: CopiedFolder | null;
  readonly cache: CacheState;
  dryRun: DryRun | null;
  /** The runner of every step (host or container), chosen by the plan, made at G3. */
  stepRunner: StepRunner | null;
  install: { argv: string[]; exitCode: number | null } | null;
  /** What the scenarios stand on, as it was when the dry-run server became ready. */
  health: EnvironmentBaseline | null;
  // Set by G5, moved on by each scenario.
  counts: Record<string, number>;
  countersPrev: WriteCounterReading | null;
  /** Each scenario's window of time and its write counters, for G6. */
  readonly windows: ScenarioWindow[];
  // Set by G1, read by G8.
  prodContainerPre: ContainerIdentity | null;
}

/** A field an earlier gate sets: present, or a ToolError naming it (a gate ran out of order). */
export function need<T>(value: T | null | undefined, what: string): T {
  if (value === null || value === undefined)
    throw new ToolError(`${what} is missing: the gate that sets it did not run before this one`);
  return value;
}
