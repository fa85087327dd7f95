// report.json fixtures built in code for the report's unit tests: a PASS of the demo's shape
// (values as a real run of the example system records them), edited into the case a test needs
// and validated against the Report schema, so a fixture can never be a report the tool could not write.
import {
  Report,
  type Failure,
  type GateRecord,
  type NonPassReport,
  type ScenarioRecord,
  type Verdict,
} from '../config/index.js';

/** A report being edited: any verdict, any section null; `finish` checks it is a real report. */
export type ReportDraft = Omit<NonPassReport, 'execution_status' | 'failure'> & {
  execution_status: Verdict;
  failure: Failure | null;
};

export const RUN_ID = '20261202-005349-0257a5d1';
const COMMIT = 'f6bea52715e9f5a5f5a581eda2f4ec7e7629679a';
const SHA = (c: string) => c.repeat(64);
const TABLES = ['ledger.account', 'ledger.mark', 'ledger.cut'];
const BASELINE = { 'ledger.account': 40, 'ledger.mark': 960, 'ledger.cut': 960 };
const GATES = [
  ['G0', 'inputs'],
  ['G1', 'preflight'],
  ['G2', 'backup'],
  ['G3', 'provision'],
  ['G4', 'restore'],
  ['G5', 'baseline'],
  ['G6', 'trace'],
  ['G7', 'teardown'],
  ['G8', 'post-checks'],
] as const;
/** The scenarios of the fixture: id, title, negative, the rows each adds to ledger.mark and ledger.cut. */
const SCENARIOS = [
  ['S1', 'CONFIG load (no connect)', false, 0, 0],
  ['S2-neg', 'current_user mismatch refused (ConfigMismatch)', true, 0, 0],
  ['S3', 'MARK then SWEEP', false, 12, 0],
  ['S4', 'CUT', false, 0, 12],
] as const;

const at = (s: number) => new Date(Date.parse('2026-12-02T00:53:49.222Z') + s * 1000).toISOString();
const delta = (table: string, expected: number) => ({
  what: `delta ${table}`,
  ok: true,
  expected: String(expected),
  actual: `${expected}`,
});

function gate(i: number): GateRecord {
  const [id, name] = GATES[i]!;
  const evidence: Record<string, unknown> =
    id === 'G2' ? { bytes: 330892, sha256: SHA('c'), streamed_into_restore: true } : { ok: true };
  return { id, name, status: 'PASS', started_at: at(i * 2), ms: 500 + i, evidence };
}

function scenario(i: number): ScenarioRecord {
  const [id, title, negative, mark, cut] = SCENARIOS[i]!;
  return {
    id,
    title,
    negative,
    file: `/work/main/scenarios/${id}.yaml`,
    status: 'PASS',
    started_at: at(20 + i),
    ms: 991,
    steps: [
      {
        name: title.toLowerCase(),
        argv: ['node', '--enable-source-maps', 'dist/cli.js', id.toLowerCase()],
        cwd: '.',
        role: 'cutter_app',
        exit_code: negative ? 2 : 0,
        timed_out: false,
        ms: 347,
        checks: [{ what: 'exit code', ok: true, expected: negative ? '2' : '0', actual: negative ? '2' : '0' }],
        stdout_tail: [],
        stderr_tail: [],
      },
    ],
    deltas: [delta('ledger.account', 0), delta('ledger.mark', mark), delta('ledger.cut', cut)],
    evidence: { steps: 1 },
  };
}

function checkpoints(): NonNullable<ReportDraft['table_matrix']>['checkpoints'] {
  let counts = { ...BASELINE };
  return SCENARIOS.map(([after, , , mark, cut]) => {
    counts = { ...counts, 'ledger.mark': counts['ledger.mark'] + mark, 'ledger.cut': counts['ledger.cut'] + cut };
    const deltas = { 'ledger.account': 0, 'ledger.mark': mark, 'ledger.cut': cut };
    return { after, counts, deltas, expected: deltas, ok: true };
  });
}

const policy = {
  forbidden_verbs: ['DELETE', 'TRUNCATE', 'DROP', 'ALTER', 'GRANT', 'REVOKE', 'CREATE', 'COPY'],
  allow: [],
  forbid: [],
};

/** A complete teardown: the dry-run container and its network removed and proved gone, the secrets shredded. */
function teardown(): NonNullable<ReportDraft['teardown']> {
  return {
    complete: true,
    ms: 1716,
    resources: [
      {
        kind: 'container',
        name: 'pg-rehearse-demo-dryrun',
        id: 'd13ff3bf30e0'.padEnd(64, '0'),
        action: 'removed',
        gone: true,
        proof: 'inspect pg-rehearse-demo-dryrun and d13ff3bf30e0: 404',
      },
      {
        kind: 'network',
        name: 'pg-rehearse-demo-dryrun-net',
        id: '3b85499be134'.padEnd(64, '0'),
        action: 'removed',
        gone: true,
        proof: 'inspect pg-rehearse-demo-dryrun-net and 3b85499be134: 404',
      },
    ],
    secrets: [
      { path: `/root/.local/state/pg-rehearse/runs/${RUN_ID}/postgres-password`, shredded: true },
      { path: `/root/.local/state/pg-rehearse/backups/${RUN_ID}`, shredded: true },
    ],
    backup_shredded: true,
  };
}

/** What the demo's S4 locked: its migration's rewrite of ledger.sweep_log, and MARK's row locks. */
function locksFixture(): NonNullable<ReportDraft['locks']> {
  return {
    source: 'dry-run server log (log_min_duration_statement=0) + pg_locks sampled every 25 ms + pg_class.relfilenode',
    sample_interval_ms: 25,
    scenarios: [
      {
        id: 'S4',
        relations: [
          {
            relation: 'ledger.sweep_log',
            mode: 'ACCESS EXCLUSIVE',
            held_ms: 41,
            statement: 'ALTER TABLE ledger.sweep_log ALTER COLUMN swept_count TYPE bigint',
            source: 'both',
          },
          {
            relation: 'ledger.entry',
            mode: 'ROW EXCLUSIVE',
            held_ms: 3,
            statement: 'UPDATE ledger.entry SET state = $1',
            source: 'inferred',
          },
        ],
        rewrites: [{ relation: 'ledger.sweep_log', bytes: 16384, step: 'migrate' }],
        invalid_indexes: [],
        not_valid_constraints: [],
        waits: [],
        samples: 12,
        unread: [],
      },
    ],
  };
}

function evidenceSections(): Pick<
  ReportDraft,
  'sql_trace' | 'leak_scan' | 'locks' | 'protected_envs' | 'git' | 'teardown'
> {
  const container = (name: string, id: string) => ({
    name,
    id,
    started_at: '2026-12-02T00:53:06.297752548Z',
    running: true,
  });
  return {
    sql_trace: {
      source: 'dry-run server log (log_statement=all) + pgaudit session audit + write counters (pg_stat_user_tables)',
      statements: 148,
      verbs: ['BEGIN', 'COMMIT', 'INSERT', 'SELECT', 'UPDATE'],
      counts: { SELECT: 62, BEGIN: 8, INSERT: 55, UPDATE: 15, COMMIT: 8 },
      forbidden_verbs: policy.forbidden_verbs,
      policy: { run: policy, scenarios: Object.fromEntries(SCENARIOS.map(([id]) => [id, policy])) },
      forbidden: [],
      per_scenario: {},
      unparsed: 0,
      rewrites: [],
      audit: { statements: 147, nested: 0, verbs: ['BEGIN', 'COMMIT'], functions: [], forbidden_nested: 0 },
      writes: { settled: true, explained: 11, unexplained: [] },
    },
    locks: locksFixture(),
    leak_scan: {
      secrets: 5,
      forms: ['raw', 'percent-encoded', 'base64', 'base64url', 'password literal'],
      scanned: 36,
      hits: 0,
      places: [{ place: 'S1 config stdout', hits: 0, literals: 0, owners: [] }],
    },
    protected_envs: [
      {
        name: 'pg-rehearse-demo-protected',
        pre: container('pg-rehearse-demo-protected', 'eae8a00f0851'.padEnd(64, '0')),
        post: container('pg-rehearse-demo-protected', 'eae8a00f0851'.padEnd(64, '0')),
        sysid_pre: '7714503381646594079',
        sysid_post: '7714503381646594079',
        unchanged: true,
      },
    ],
    git: {
      path: '/work/main/fixtures/demo/work/cutter',
      branch: 'main',
      head: COMMIT,
      accepted_commit: COMMIT,
      head_matches: true,
      clean: true,
      dirty: [],
      hardcode: {
        base_commit: '0907f8f9f3a20e4082da348317c67b207a50ae70',
        patterns: ['literal IPv4 address', 'DSN with a password', 'password assignment'],
        lines_scanned: 4,
        findings: [],
      },
    },
    teardown: teardown(),
  };
}

/** G2's footprint on production: a short dump that nobody waited on. */
function dumpFootprint(): NonNullable<ReportDraft['production']>['dump_footprint'] {
  return {
    lock_wait_timeout_ms: 5000,
    sample_interval_ms: 1000,
    samples: 3,
    backend_pid: 412,
    locks_held_ms: 1830,
    relations_locked: 12,
    xmin_held_ms: 1830,
    xmin_age_max: 0,
    waiters: [],
    unread: [],
  };
}

const NO_CACHE = {
  enabled: false,
  key: null,
  hit: false,
  snapshot: null,
  age_s: null,
  saved: false,
  start_to_ready_ms: 2800,
};

function runSections(): Pick<ReportDraft, 'production' | 'env' | 'backup' | 'table_matrix'> {
  const identity = 'select (select system_identifier from pg_control_system())::text as sysid';
  const production = { name: 'pg-rehearse-demo-production', id: '32d63464171844d5'.padEnd(64, '0') };
  const started = { ...production, started_at: '2026-12-02T00:53:05.414215282Z', running: true };
  return {
    production: {
      host: '127.0.0.1',
      port: 32816,
      database: 'ledger',
      user: 'postgres',
      server_version: '15.18 (Debian 15.18-0+deb12u1)',
      sysid_pre: '7714503374991876128',
      sysid_post: '7714503374991876128',
      start_pre: '2026-12-02 00:53:19.371227+00',
      start_post: '2026-12-02 00:53:19.371227+00',
      container_pre: started,
      container_post: started,
      unchanged: true,
      statements: [
        'BEGIN READ ONLY',
        identity,
        'COMMIT',
        'show transaction_read_only (a session opened with PGOPTIONS=-c default_transaction_read_only=on, proving it read-only)',
        'pg_dump --no-owner --no-privileges --no-password --format=p (the same read-only session options)',
        'BEGIN READ ONLY',
        identity,
        'COMMIT',
      ],
      dump_footprint: dumpFootprint(),
    },
    env: {
      run_id: RUN_ID,
      container: 'pg-rehearse-demo-dryrun',
      network: 'pg-rehearse-demo-dryrun-net',
      image: 'pg-rehearse/postgres:15-ed008a11b85b',
      image_id: `sha256:${SHA('4')}`,
      port: 32818,
      database: 'ledger',
      server_version: '15.18 (Debian 15.18-0+deb12u1)',
      sysid: '7714503576369131550',
      settings: { log_statement: 'all', shared_preload_libraries: 'pgaudit' },
      readiness: { signal: 'tcp-query-stable-postmaster-start', attempts: 3, ms: 2757, retries: 0 },
      roles: ['cutter_app', 'cutter_auditor', 'cutter_readonly'],
      identity_proof: 'sysid',
      marker_absent_on_production: null,
      marker_sessions: null,
      copy: null,
      cache: NO_CACHE,
    },
    backup: {
      kind: 'logical',
      path: `/root/.local/state/pg-rehearse/backups/${RUN_ID}/ledger-${RUN_ID}.sql`,
      kept: false,
      format: 'plain',
      sha256: SHA('c'),
      content_sha256: SHA('a'),
      bytes: 330892,
      ms: 2320,
      pg_dump_version: '15.18',
      pg_dump_where: 'host pg_dump 15.18',
      read_only_session: true,
      manifest_sha256: null,
      verified: null,
      physical: null,
    },
    table_matrix: {
      tables: TABLES,
      baseline: BASELINE,
      checkpoints: checkpoints(),
      final: checkpoints().at(-1)!.counts,
    },
  };
}

/** The PASS of the example system: every gate and scenario passed, teardown complete, production unchanged. */
export function passDraft(): ReportDraft {
  return {
    schema_version: 1,
    name: 'ledger-cutter v0.4 dry-run (demo)',
    run_id: RUN_ID,
    execution_status: 'PASS',
    exit_code: 0,
    started_at: at(0),
    ended_at: at(38.914),
    ms: 38914,
    accepted_commit: COMMIT,
    config: { path: '/work/main/fixtures/demo/rehearse.yaml', sha256: SHA('7') },
    alerts: [],
    warnings: [],
    gates: GATES.map((_, i) => gate(i)),
    scenarios: SCENARIOS.map((_, i) => scenario(i)),
    artefacts: [
      { kind: 'config', path: 'rehearse.yaml', sha256: SHA('7'), pinned: SHA('7'), ok: true, real_path: null },
      { kind: 'roles', path: '../../sql/roles.sql', sha256: SHA('f'), pinned: SHA('f'), ok: true, real_path: null },
    ],
    retries: [],
    provenance: {
      tool_version: '0.1.0',
      build_sha: 'aa2812cb8e24b00efa56e4aff6d94772752be562',
      image_id: `sha256:${SHA('4')}`,
      pg_dump_version: '15.18',
      pg_dump_where: 'host pg_dump 15.18',
      squawk_version: null,
      dry_run_server_version: '15.18 (Debian 15.18-0+deb12u1)',
      production_server_version: '15.18 (Debian 15.18-0+deb12u1)',
      started_at: at(0),
      ended_at: at(38.914),
    },
    sut_runner: {
      mode: 'host',
      path: '/work/main/fixtures/demo/work/cutter',
      dsn_env: 'CUTTER_DSN',
      install: 'none: pg-rehearse installs nothing',
      installed_on_host: false,
      image: null,
      image_id: null,
      install_command: null,
      install_exit_code: null,
      network: null,
      mounts: [],
    },
    progress: null,
    lint: null,
    ...runSections(),
    ...evidenceSections(),
    failure: null,
  };
}

/** A failure record with the fields a gate leaves empty. */
export function failure(f: Pick<Failure, 'gate' | 'classification' | 'message'> & Partial<Failure>): Failure {
  return {
    scenario: null,
    command: null,
    exit_code: null,
    stderr_tail: null,
    sql_rows: null,
    exception: null,
    stack: null,
    ...f,
  };
}

/** The draft as a report, validated against the schema (a PASS may have no null section, a FAIL needs its failure). */
export function finish(draft: ReportDraft): Report {
  return Report.parse(draft);
}
