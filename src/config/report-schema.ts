// report.json: the single source of its type and of its shipped JSON Schema. Every contract
// field is required (null where a gate was not reached); a PASS report has no null section.
import { z } from 'zod';
import { Locks } from './locks-schema.js';
import { LeakScan } from './leak-scan-schema.js';
import { Check, Classification, Failure, GateRecord, ScenarioRecord, Status, Verdict } from './run-records-schema.js';
import { Lint } from './lint-schema.js';
import { DumpFootprint } from './dump-footprint-schema.js';
import { CopyStart, PhysicalBackup } from './physical-copy-schema.js';
import { Warning } from './warning-schema.js';

export * from './run-records-schema.js';

const Counts = z.record(z.string(), z.number().int());

export const REPORT_SCHEMA_VERSION = 1;

export const ContainerIdentity = z.object({
  name: z.string(),
  id: z.string(),
  started_at: z.string(),
  running: z.boolean(),
});

export const Production = z.object({
  host: z.string(),
  port: z.number().int(),
  database: z.string(),
  user: z.string(),
  server_version: z.string(),
  sysid_pre: z.string(),
  sysid_post: z.string().nullable(),
  start_pre: z.string(),
  start_post: z.string().nullable(),
  container_pre: ContainerIdentity.nullable(),
  container_post: ContainerIdentity.nullable(),
  unchanged: z.boolean().nullable(),
  /** Every statement the tool itself sent to production. */
  statements: z.array(z.string()),
  /** G2's own footprint on production; null until G2 ran. */
  dump_footprint: DumpFootprint.nullable(),
});

export const Readiness = z.object({
  signal: z.string(),
  attempts: z.number().int(),
  ms: z.number().int(),
  retries: z.number().int(),
});

export const Env = z.object({
  run_id: z.string(),
  container: z.string(),
  network: z.string(),
  image: z.string(),
  image_id: z.string(),
  port: z.number().int(),
  database: z.string(),
  server_version: z.string(),
  sysid: z.string().nullable(),
  settings: z.record(z.string(), z.string()),
  readiness: Readiness,
  roles: z.array(z.string()),
  /** How the dry-run server was proved not to be production: `sysid` (a logical copy's differs) or `marker` (a physical copy has production's, by construction). */
  identity_proof: z.enum(['sysid', 'marker']),
  /** The per-run marker was read on production and found absent (null: a logical copy, or not checked yet). */
  marker_absent_on_production: z.boolean().nullable(),
  /** A physical copy's fresh sessions that proved the marker before doing anything: on the dry-run server (this run's id) and on production (none). Null for a logical copy. */
  marker_sessions: z.object({ dry_run: z.number().int(), production: z.number().int() }).nullable().default(null),
  /** A physical copy's first start; null for a logical copy. */
  copy: CopyStart.nullable(),
  /** The cached restore (opt-in): whether a snapshot served this run, its key and age, and whether this run saved one. */
  cache: z.object({
    enabled: z.boolean(),
    key: z.string().nullable(),
    hit: z.boolean(),
    snapshot: z.string().nullable(),
    age_s: z.number().int().nullable(),
    saved: z.boolean(),
    /** From the container's start to the first of the readiness queries answered. */
    start_to_ready_ms: z.number().int().nullable(),
  }),
});

export const Backup = z.object({
  /** `logical` (pg_dump) or `physical` (pg_basebackup). */
  kind: z.enum(['logical', 'physical']),
  path: z.string(),
  kept: z.boolean(),
  /** pg_dump's format; `physical` for a base backup (a plain-format folder). */
  format: z.enum(['plain', 'custom', 'directory', 'physical']),
  /** The dump file's sha256; for a physical copy, its manifest's (the manifest holds every file's checksum and size). */
  sha256: z.string(),
  content_sha256: z.string(),
  bytes: z.number().int(),
  ms: z.number().int(),
  /** sha256 of the base backup's backup_manifest; null for a logical copy. */
  manifest_sha256: z.string().nullable(),
  /** pg_verifybackup passed on the base backup before the copy started; null for a logical copy. */
  verified: z.boolean().nullable(),
  pg_dump_version: z.string().nullable(),
  pg_dump_where: z.string().nullable(),
  read_only_session: z.boolean(),
  physical: PhysicalBackup.nullable(),
});

export const Artefact = z.object({
  kind: z.string(),
  path: z.string(),
  sha256: z.string(),
  pinned: z.string().nullable(),
  ok: z.boolean(),
  /** Where the hashed bytes really are when a symbolic link leads there, else null. */
  real_path: z.string().nullable(),
});
export type Artefact = z.infer<typeof Artefact>;

export const TableMatrix = z.object({
  tables: z.array(z.string()),
  baseline: Counts,
  checkpoints: z.array(
    z.object({ after: z.string(), counts: Counts, deltas: Counts, expected: Counts, ok: z.boolean() }),
  ),
  final: Counts.nullable(),
});

const PolicyRuleSection = z.object({
  verbs: z.array(z.string()).optional(),
  kinds: z.array(z.string()).optional(),
  schemas: z.array(z.string()).optional(),
  tables: z.array(z.string()).optional(),
});
const PolicySection = z.object({
  forbidden_verbs: z.array(z.string()),
  allow: z.array(PolicyRuleSection),
  forbid: z.array(PolicyRuleSection),
});

export const SqlTrace = z.object({
  source: z.string(),
  statements: z.number().int(),
  verbs: z.array(z.string()),
  counts: Counts,
  /** The run's forbidden verbs (statements outside every scenario window); `policy` has every window's. */
  forbidden_verbs: z.array(z.string()),
  /** The policy in force: the run's, and each scenario's after its replacements. */
  policy: z.object({ run: PolicySection, scenarios: z.record(z.string(), PolicySection) }),
  /** Every forbidden statement, each occurrence, with the scenario and step that sent it (null: outside every scenario, or between steps). */
  forbidden: z.array(
    z.object({
      scenario: z.string().nullable(),
      step: z.string().nullable(),
      verb: z.string(),
      kind: z.string(),
      objects: z.array(z.string()),
      /** `forbidden_verbs` or `sql_policy.forbid[N]`. */
      rule: z.string(),
      user: z.string(),
      text: z.string(),
    }),
  ),
  per_scenario: z.record(z.string(), Counts),
  unparsed: z.number().int(),
  /** Statements that may rewrite a table whole (ALTER COLUMN ... TYPE, SET LOGGED, CLUSTER, VACUUM FULL). */
  rewrites: z.array(
    z.object({
      scenario: z.string().nullable(),
      step: z.string().nullable(),
      user: z.string(),
      tables: z.array(z.string()),
      text: z.string(),
    }),
  ),
  /** pgaudit's session audit, where on: it records sub-statements of functions, DO blocks and triggers. */
  audit: z
    .object({
      statements: z.number().int(),
      nested: z.number().int(),
      verbs: z.array(z.string()),
      functions: z.array(z.string()),
      forbidden_nested: z.number().int(),
    })
    .nullable(),
  /** The write counters (pg_stat_user_tables) of each scenario against the logged statements. */
  writes: z.object({
    settled: z.boolean(),
    explained: z.number().int(),
    unexplained: z.array(
      z.object({
        scenario: z.string(),
        table: z.string(),
        verb: z.string(),
        rows: z.number().int(),
        forbidden: z.boolean(),
      }),
    ),
  }),
});

export const ProtectedEnv = z.object({
  name: z.string(),
  pre: ContainerIdentity.nullable(),
  post: ContainerIdentity.nullable(),
  /** From pg_controldata through the engine (read-only); null where the container holds no PostgreSQL. */
  sysid_pre: z.string().nullable(),
  sysid_post: z.string().nullable(),
  unchanged: z.boolean().nullable(),
});

export const Git = z.object({
  path: z.string(),
  branch: z.string().nullable(),
  head: z.string().nullable(),
  accepted_commit: z.string(),
  head_matches: z.boolean(),
  clean: z.boolean(),
  dirty: z.array(z.string()),
  /** The hardcode scan of base_commit..accepted_commit; null when no base commit is configured. */
  hardcode: z
    .object({
      base_commit: z.string(),
      patterns: z.array(z.string()),
      lines_scanned: z.number().int(),
      findings: z.array(z.object({ file: z.string(), line: z.number().int(), pattern: z.string(), text: z.string() })),
    })
    .nullable(),
});

export const Teardown = z.object({
  complete: z.boolean(),
  ms: z.number().int(),
  resources: z.array(
    z.object({
      kind: z.string(),
      name: z.string(),
      id: z.string().nullable(),
      action: z.string(),
      gone: z.boolean(),
      proof: z.string(),
    }),
  ),
  secrets: z.array(z.object({ path: z.string(), shredded: z.boolean() })),
  backup_shredded: z.boolean().nullable(),
});

export const Retry = z.object({ gate: z.string(), attempt: z.number().int(), at: z.string(), reason: z.string() });

export const SutRunner = z.object({
  mode: z.string(),
  path: z.string(),
  dsn_env: z.string(),
  /** What was installed, where: never on the host. */
  install: z.string(),
  installed_on_host: z.boolean(),
  image: z.string().nullable(),
  image_id: z.string().nullable(),
  install_command: z.array(z.string()).nullable(),
  install_exit_code: z.number().int().nullable(),
  network: z.string().nullable(),
  mounts: z.array(z.string()),
});

export const Provenance = z.object({
  tool_version: z.string(),
  build_sha: z.string().nullable(),
  image_id: z.string().nullable(),
  pg_dump_version: z.string().nullable(),
  pg_dump_where: z.string().nullable(),
  /** squawk's version, when the lint ran it (null: lint off, not reached, or squawk could not run). */
  squawk_version: z.string().nullable(),
  dry_run_server_version: z.string().nullable(),
  production_server_version: z.string().nullable(),
  started_at: z.string(),
  ended_at: z.string(),
});

/** "Progress against the prior run": each scenario's and gate's status then and now, and whether the failure is the same. */
export const Progress = z.object({
  prior_report: z.string(),
  prior_report_sha256: z.string(),
  prior_run_id: z.string(),
  prior_status: Verdict,
  current_status: Verdict,
  prior_accepted_commit: z.string(),
  current_accepted_commit: z.string(),
  prior_failure: z
    .object({ gate: z.string(), classification: Classification, exception: z.string().nullable() })
    .nullable(),
  current_failure: z
    .object({ gate: z.string(), classification: Classification, exception: z.string().nullable() })
    .nullable(),
  /** same: same gate, classification, exception name and location; new: a different failure; resolved: failed before, passes now; none: passed both times; regressed: passed before, fails now. */
  failure: z.enum(['same', 'new', 'resolved', 'none', 'regressed']),
  scenarios: z.array(
    z.object({
      id: z.string(),
      title: z.string(),
      prior: Status.nullable(),
      current: Status.nullable(),
      change: z.string(),
    }),
  ),
  gates: z.array(z.object({ id: z.string(), prior: Status.nullable(), current: Status.nullable() })),
  artefacts_changed: z.array(z.string()),
});
export type Progress = z.infer<typeof Progress>;

const common = {
  schema_version: z.literal(REPORT_SCHEMA_VERSION),
  name: z.string(),
  run_id: z.string(),
  exit_code: z.number().int(),
  started_at: z.string(),
  ended_at: z.string(),
  ms: z.number().int(),
  accepted_commit: z.string(),
  config: z.object({ path: z.string(), sha256: z.string() }),
  /** Told loudly at the top of the report: production changed, teardown incomplete. */
  alerts: z.array(z.string()),
  /** Told loudly, without failing the run: e.g. a physical copy's collation versions differ from production's. */
  warnings: z.array(Warning).default([]),
  gates: z.array(GateRecord),
  scenarios: z.array(ScenarioRecord),
  artefacts: z.array(Artefact),
  retries: z.array(Retry),
  provenance: Provenance,
  sut_runner: SutRunner,
  /** Null when the run was not given a prior report (`--previous`). */
  progress: Progress.nullable(),
  /** squawk's lint (G6); null when `lint: off` or G6 was not reached. */
  lint: Lint.nullable(),
};

const sections = {
  production: Production,
  env: Env,
  backup: Backup,
  table_matrix: TableMatrix,
  sql_trace: SqlTrace,
  leak_scan: LeakScan,
  locks: Locks,
  protected_envs: z.array(ProtectedEnv),
  git: Git,
  teardown: Teardown,
};

const nullable = Object.fromEntries(Object.entries(sections).map(([k, v]) => [k, v.nullable()])) as {
  [K in keyof typeof sections]: z.ZodNullable<(typeof sections)[K]>;
};

export const PassReport = z.object({ ...common, ...sections, execution_status: z.literal('PASS'), failure: z.null() });
export const NonPassReport = z.object({
  ...common,
  ...nullable,
  execution_status: z.enum(['FAIL', 'INCONCLUSIVE']),
  failure: Failure,
});
export const Report = z.discriminatedUnion('execution_status', [PassReport, NonPassReport]);
export type Report = z.infer<typeof Report>;
export type NonPassReport = z.infer<typeof NonPassReport>;

/** The JSON Schema shipped with the package (schema/report.schema.json). */
export function reportJsonSchema(): unknown {
  return z.toJSONSchema(Report, { target: 'draft-2020-12' });
}
