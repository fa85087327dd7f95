// The plan of a run, computed once before it starts from the config and the flags: the gates in
// the order the run takes them, and every choice the run makes (streamed or file dump, cache,
// runner, server settings, whether the backup is kept). `rehearse run` follows it, `rehearse plan`
// prints it, and the report's gate table is built from it: no other file knows the gate order.
import type { CopyMode, RehearsalConfig } from '../config/index.js';
import { COPY_DATA_DIR } from '../engine/index.js';
import { UsageError } from '../errors.js';
import { dryRunServerSettings, type DumpFormat } from '../pg/index.js';

export type GateId = 'G0' | 'G1' | 'G2' | 'G3' | 'G4' | 'G5' | 'G6' | 'G7' | 'G8';

export interface PlannedGate {
  id: GateId;
  name: string;
  /** A closing gate runs even after the run stopped (a failure or a signal). */
  closing: boolean;
}

/** One step of the run, in order: a gate, or the pack's scenarios (S1..Sn) in their place. */
export type PlanStep = { kind: 'gate'; gate: PlannedGate } | { kind: 'scenarios' };

export interface ContainerRunnerPlan {
  /** The runner image; null for the local runner image `scripts/setup` builds. */
  image: string | null;
  install: readonly string[];
  installOutput: string;
  installTimeoutMs: number;
}

export interface RunPlan {
  /** Every gate in numeric order (the report's gate table). */
  gates: readonly PlannedGate[];
  /** What the run does, in order. When the dump streams into the restore, G2 is not a step of its own: G4 runs it. */
  steps: readonly PlanStep[];
  dump: {
    format: DumpFormat;
    /** A plain dump without a cache streams into G4's restore as it is written (G2 inside G4). */
    streamedIntoRestore: boolean;
  };
  /** How production is copied: `logical` (pg_dump) or `physical` (pg_basebackup). */
  copy: CopyMode;
  /** A physical copy streamed into the created container (`transfer: stream`): G2 inside G3; else G2, G3, G4 in turn. */
  streamedIntoContainer: boolean;
  cache: boolean;
  keepBackup: boolean;
  runner: 'host' | 'container';
  /** The container runner's settings; null with the host runner. */
  container: ContainerRunnerPlan | null;
  /** pgaudit's session audit of the system's roles. */
  sessionAudit: boolean;
  /** The dry-run server's settings (`-c` options), recorded in the report. */
  serverSettings: Readonly<Record<string, string>>;
}

export interface RunFlags {
  /** `--cache`: also `cache: true` in the config. */
  cache?: boolean | undefined;
  /** `--keep-backup`: also `keep_backup: true` in the config. */
  keepBackup?: boolean | undefined;
}

const GATES: Readonly<Record<GateId, PlannedGate>> = {
  G0: { id: 'G0', name: 'inputs', closing: false },
  G1: { id: 'G1', name: 'preflight', closing: false },
  G2: { id: 'G2', name: 'backup', closing: false },
  G3: { id: 'G3', name: 'provision', closing: false },
  G4: { id: 'G4', name: 'restore', closing: false },
  G5: { id: 'G5', name: 'baseline', closing: false },
  G6: { id: 'G6', name: 'trace', closing: true },
  G7: { id: 'G7', name: 'teardown', closing: true },
  G8: { id: 'G8', name: 'post-checks', closing: true },
};

/** The plan of a run: pure, from the config and the flags alone. */
export function planRun(config: RehearsalConfig, flags: RunFlags = {}): RunPlan {
  const copy = config.production.copy;
  const cache = Boolean(flags.cache) || config.cache;
  if (copy === 'physical' && cache)
    throw new UsageError(
      '`--cache`: a physical copy is not cached; run without `--cache`, or set `production.copy: logical`',
    );
  const keepBackup = Boolean(flags.keepBackup) || config.keep_backup;
  const streamedIntoContainer = copy === 'physical' && config.production.physical.transfer === 'stream';
  if (streamedIntoContainer && keepBackup)
    throw new UsageError(
      '`--keep-backup` (or `keep_backup: true`): a streamed physical copy goes straight into the dry-run container and is never on this machine, so there is nothing to keep; set `production.physical.transfer: folder` to keep the base backup (and re-verify it with `rehearse verify`), or run without keeping it',
    );
  const streamedIntoRestore = copy === 'logical' && config.production.dump_format === 'plain' && !cache;
  // A cached restore needs the dump's hash before G3 (its key), and an archive its whole file: G2, G3, G4 in turn.
  // A streamed base backup needs G3's created container: G2 runs inside G3.
  const middle: GateId[] = streamedIntoRestore || streamedIntoContainer ? ['G3', 'G4'] : ['G2', 'G3', 'G4'];
  const gate = (id: GateId): PlanStep => ({ kind: 'gate', gate: GATES[id] });
  const sessionAudit =
    config.environment.session_audit === 'on' ||
    (config.environment.session_audit === 'auto' && !config.environment.image);
  const c = config.sut.container;
  return {
    gates: Object.values(GATES),
    steps: [
      gate('G0'),
      gate('G1'),
      ...middle.map(gate),
      gate('G5'),
      { kind: 'scenarios' },
      gate('G6'),
      gate('G7'),
      gate('G8'),
    ],
    dump: { format: config.production.dump_format, streamedIntoRestore },
    streamedIntoContainer,
    copy,
    cache,
    keepBackup,
    runner: config.sut.runner,
    container:
      config.sut.runner === 'container'
        ? {
            image: c?.image ?? null,
            install: c?.install ?? [],
            installOutput: c?.install_output ?? 'node_modules',
            installTimeoutMs: c?.install_timeout_ms ?? 600_000,
          }
        : null,
    sessionAudit,
    serverSettings: dryRunServerSettings({
      sessionAudit,
      fastRestore: config.environment.fast_restore,
      physicalDataDir: copy === 'physical' ? COPY_DATA_DIR : null,
    }),
  };
}

/** Gates and scenarios in run order, for the verdict: G0..G5, S1..Sn, G6, G7, G8 (G2 in its numeric place). */
export function outcomeOrder(plan: RunPlan, scenarios: readonly string[]): string[] {
  const opening = plan.gates.filter((g) => !g.closing).map((g) => g.id);
  const closing = plan.gates.filter((g) => g.closing).map((g) => g.id);
  return [...opening, ...scenarios, ...closing];
}

/** May this gate or scenario start? After the run stopped, only the closing gates do. */
export function mayStart(plan: RunPlan, id: string, stopped: boolean): boolean {
  return !stopped || plan.gates.some((g) => g.id === id && g.closing);
}

/** The order for people: `G0, G1, G3, G4 (G2 inside it: ...), G5, S1..Sn, G6, G7, G8`. */
export function describeOrder(plan: RunPlan): string {
  return plan.steps
    .map((s) => {
      if (s.kind === 'scenarios') return 'S1..Sn';
      if (s.gate.id === 'G4' && plan.dump.streamedIntoRestore)
        return 'G4 (G2 inside it: the dump streams into the restore)';
      if (s.gate.id === 'G3' && plan.streamedIntoContainer)
        return 'G3 (G2 inside it: the base backup streams into the created container)';
      return s.gate.id;
    })
    .join(', ');
}
