// The benchmark behind scripts/bench (see there for how to run it): a pgbench-filled production,
// then per paired run (A) the tool's backup + restore gates in a child node process (gate-a.mjs)
// against (B) a bare `pg_dump | psql` into a default-configured server of the same image; then
// (unless --no-cache) the cached restore: run 1's restored server is committed as a snapshot of the
// bench's own key, and --runs dry-run servers are started from it as the rehearsal does on a cache hit.
// Everything it creates has an exact name given by scripts/bench (BENCH_SUFFIX) and is removed in
// `finally`: side containers with removeSideServer, A's runs with closeRun (in the child) and
// finishRun (here, by run id, when the child did not report a complete teardown); the cache-hit runs
// with closeRun here; the snapshot with removeSnapshot by its exact key.
import { execFile, fork, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';

const ROOT = new URL('../../', import.meta.url).pathname;
const dist = (p) => import(join(ROOT, 'dist', p));
const {
  defaultImage,
  dockerClient,
  environmentNames,
  findSnapshot,
  finishRun,
  inspectImage,
  removeSideServer,
  removeSnapshot,
  shredFile,
  snapshotTag,
  startSideServer,
  stateRoot,
  TOOL_ROLE,
} = await dist('engine/index.js');
const {
  clientProcessEnv,
  connect,
  DEFAULT_READINESS,
  defaultRestoreJobs,
  FAST_RESTORE_SETTINGS,
  LOG_SETTINGS,
  PGAUDIT_SERVER_SETTINGS,
  probe,
  queryRows,
  waitForReadiness,
} = await dist('pg/index.js');
const { openRun, startServer, closeRun } = await dist('run/dry-run-environment.js');
const { resetToolPassword } = await dist('run/cached-restore.js');
const { newRunId } = await dist('run/run-id.js');
const { silentProgress } = await dist('run/progress.js');
const { benchSnapshotKey, SNAPSHOT_MARKER } = await import('./snapshot-key.mjs');
const { FIRST_QUERY, firstAnswer } = await import('./first-answer.mjs');
const { physicalRunLine, physicalSummary, replicationInitDir, sideOrder, sideQ } = await import('./physical.mjs');

const say = (msg) => process.stderr.write(`bench: ${msg}\n`);
const out = (line) => process.stdout.write(`${line}\n`);
const { mb, median, s } = await import('./figures.mjs');
const run = promisify(execFile);

const { values: opts } = parseArgs({
  options: {
    scale: { type: 'string', default: '60' },
    runs: { type: 'string', default: '3' },
    format: { type: 'string', default: 'plain' },
    sequential: { type: 'boolean', default: false },
    jobs: { type: 'string' },
    'no-cache': { type: 'boolean', default: false },
    copy: { type: 'string', default: 'logical' },
    transfer: { type: 'string', default: 'stream' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (opts.help) {
  out(
    'usage: bash scripts/bench [--scale N] [--runs N] [--format plain|custom|directory] [--sequential] [--jobs N] [--no-cache] [--copy logical|physical] [--transfer stream|folder]',
  );
  process.exit(0);
}
const scale = Number(opts.scale);
const runs = Number(opts.runs);
const jobs = opts.jobs === undefined ? null : Number(opts.jobs);
const withCache = !opts['no-cache'];
const usage = (msg) => {
  say(msg);
  process.exit(2);
};
if (!Number.isInteger(scale) || scale < 1)
  usage(`Expected \`--scale\` to be a positive integer, got \`${opts.scale}\``);
if (!Number.isInteger(runs) || runs < 1) usage(`Expected \`--runs\` to be a positive integer, got \`${opts.runs}\``);
if (!['custom', 'directory', 'plain'].includes(opts.format))
  usage(`Expected \`--format\` to be custom, directory or plain, got \`${opts.format}\``);
if (jobs !== null && (!Number.isInteger(jobs) || jobs < 1))
  usage(`Expected \`--jobs\` to be a positive integer, got \`${opts.jobs}\``);
if (!['logical', 'physical'].includes(opts.copy))
  usage(`Expected \`--copy\` to be logical or physical, got \`${opts.copy}\``);
if (!['stream', 'folder'].includes(opts.transfer))
  usage(`Expected \`--transfer\` to be stream or folder (production.physical.transfer), got \`${opts.transfer}\``);
// --copy physical adds (P) the tool's physical copy and (Q) a bare pg_basebackup to each paired run.
const physical = opts.copy === 'physical';
const suffix = process.env.BENCH_SUFFIX;
const work = process.env.BENCH_WORK;
if (!suffix || !work) usage('run it through `bash scripts/bench`, which names what it creates and cleans up after it');

const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
const NAMES = { production: `pg-rehearse-bench-prod-${suffix}`, plain: `pg-rehearse-bench-plain-${suffix}` };
const TABLES = ['pgbench_accounts', 'pgbench_branches', 'pgbench_tellers', 'pgbench_history'];
const docker = dockerClient();
const image = defaultImage();
// The cached restore: the bench's own snapshot key, and the settings a rehearsal with the local image
// starts its dry-run server with (the run's order of pg/server-settings.ts: LOG_SETTINGS, the pgaudit
// preload of session_audit auto, FAST_RESTORE_SETTINGS of fast_restore true); on a hit they are the miss's.
const SNAPSHOT_KEY = benchSnapshotKey(suffix);
const HIT_SETTINGS = { ...LOG_SETTINGS, ...PGAUDIT_SERVER_SETTINGS, ...FAST_RESTORE_SETTINGS };

// SIGINT/SIGTERM: stop what runs (execa/children get the abort), then the finally below cleans up.
const controller = new AbortController();
let child = null;
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    say(`${sig}: stopping, then removing what the bench created`);
    controller.abort(new Error(sig));
    if (child && child.exitCode === null) child.kill('SIGTERM');
  });
}
const checkAborted = () => {
  if (controller.signal.aborted) throw controller.signal.reason;
};

/** A side server of the local image, by exact name, with a fresh password in a 0600 file. */
async function sideServer(name, role, database, initDir) {
  const passwordFile = join(work, `${role}-password`);
  const password = randomBytes(18).toString('base64url');
  await writeFile(passwordFile, password, { mode: 0o600 });
  const started = await startSideServer(docker, {
    name,
    image,
    role: `bench-${role}`,
    passwordFile,
    database,
    initDir,
  });
  const target = { host: '127.0.0.1', port: started.port, user: 'postgres', password, database };
  await waitForReadiness(DEFAULT_READINESS, { probe: () => probe(target), signal: controller.signal });
  return { target, passwordFile };
}

/** A statement that writes, on a fresh connection. */
async function execute(target, statement) {
  const sql = connect(target, 'pg-rehearse bench');
  try {
    await sql.unsafe(statement);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

async function rowCounts(target) {
  const counts = {};
  for (const table of TABLES)
    counts[table] = (await queryRows(target, `select count(*)::bigint as n from ${table}`))[0].n.toString();
  return counts;
}

/** Run a child to its end; stdout/stderr collected; rejects on a non-zero exit. */
function runChild(cmd, args, env) {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'], signal: controller.signal });
    let stderr = '';
    p.stdout.resume();
    p.stderr.on('data', (c) => (stderr = (stderr + c).slice(-8000)));
    p.on('error', reject);
    p.on('close', (code, signal) =>
      code === 0
        ? resolve()
        : reject(new Error(`${cmd} ${args.join(' ')} ended with ${code ?? signal}: ${stderr.trim()}`)),
    );
  });
}

/** Write back every dirty page of the machine (sync(1)), so that a side starts with none left by another. */
async function settle() {
  await runChild('sync', [], process.env);
}

/** (B) the bare pipeline into the default-configured server; each tool's peak RSS through /usr/bin/time. */
async function sideB(prod, plain, label) {
  await execute({ ...plain, database: 'postgres' }, 'drop database if exists bench');
  await execute({ ...plain, database: 'postgres' }, 'create database bench');
  const target = { ...plain, database: 'bench' };
  const timed = (tool, file) => (TIME ? `${TIME} -o ${file} -f %M ${tool}` : tool);
  const dumpTime = join(work, `b-${label}-pg_dump.time`);
  const psqlTime = join(work, `b-${label}-psql.time`);
  // Passwords come from the environment of each side of the pipe, never from argv.
  const script = [
    'set -o pipefail',
    `PGPASSWORD="$BENCH_PROD_PASSWORD" ${timed('pg_dump', dumpTime)} --no-password -h ${prod.host} -p ${prod.port} -U ${prod.user} ${prod.database} |`,
    `  PGPASSWORD="$BENCH_PLAIN_PASSWORD" ${timed('psql', psqlTime)} -X -q --no-password -v ON_ERROR_STOP=1 -h ${target.host} -p ${target.port} -U ${target.user} -d ${target.database} >/dev/null`,
  ].join('\n');
  const env = {
    ...clientProcessEnv(target, 'pg-rehearse bench'),
    BENCH_PROD_PASSWORD: prod.password,
    BENCH_PLAIN_PASSWORD: plain.password,
  };
  for (const k of ['PGHOST', 'PGPORT', 'PGUSER', 'PGDATABASE', 'PGPASSWORD']) delete env[k];
  const t0 = performance.now();
  await runChild('bash', ['-c', script], env);
  const ms = Math.round(performance.now() - t0);
  const kb = (file) =>
    TIME && existsSync(file) ? Number(readFileSync(file, 'utf8').trim().split('\n').at(-1)) * 1024 : null;
  const counts = await rowCounts(target);
  // Its autovacuum of the 6 million new rows would run on into the next side's time: dropped here, as A's server is removed after A.
  await execute({ ...plain, database: 'postgres' }, 'drop database bench');
  return { ms, counts, memory: { pg_dump: kb(dumpTime), psql: kb(psqlTime) } };
}

/**
 * A side in a child node process (gate-a.mjs, gate-p.mjs), so that its own peak memory is the
 * tool's: the job over IPC, the run id it reports recorded in `runIds` until it reports a complete teardown.
 */
async function sideChild(side, script, label, runIds, job) {
  child = fork(join(ROOT, 'scripts', 'bench.d', script), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    serialization: 'json',
  });
  const ended = new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
  let done = null;
  let runId = null;
  child.on('message', (msg) => {
    if (msg.type === 'run-id') runIds.set((runId = msg.runId), false);
    if (msg.type === 'done') done = msg;
  });
  child.send(job);
  const exit = await ended;
  child = null;
  if (!done) throw new Error(`side ${side} (run ${label}) ended with ${exit} without a result`);
  if (runId && done.teardown?.complete) runIds.set(runId, true);
  if (done.teardown && !done.teardown.complete)
    say(`side ${side} (run ${label}): teardown INCOMPLETE: ${JSON.stringify(done.teardown)}`);
  if (done.failure) throw new Error(`side ${side} (run ${label}) failed: ${done.failure}`);
  return done.result;
}

/** (A) the tool's logical copy, as `rehearse run` does it (gate-a.mjs). */
function sideA(prod, label, runIds, snapshot) {
  return sideChild('A', 'gate-a.mjs', label, runIds, {
    name: `pg-rehearse-bench-a-${suffix}-${label}`,
    label,
    work,
    production: prod,
    format: opts.format,
    sequential: opts.sequential,
    jobs,
    image,
    readiness: DEFAULT_READINESS,
    tables: TABLES,
    snapshot,
  });
}

/** (P) the tool's physical copy, as a rehearsal's G2 and G3 take it (gate-p.mjs). */
function sideP(prod, label, runIds) {
  return sideChild('P', 'gate-p.mjs', label, runIds, {
    name: `pg-rehearse-bench-p-${suffix}-${label}`,
    label,
    work,
    production: prod,
    image,
    readiness: DEFAULT_READINESS,
    tables: TABLES,
    transfer: opts.transfer,
  });
}

/**
 * A cache hit, as rehearsal.ts's G3 does it: openRun, then startServer from the snapshot's image with
 * the rehearsal's settings and readiness, its `prepare` hook resetToolPassword (wait for the socket,
 * set this run's tool password over it); closeRun always.
 */
async function cacheHit(snap, label, runIds, expected) {
  const runId = newRunId(new Date());
  const run = await openRun(runId, new Date(), stateRoot());
  runIds.set(runId, false);
  const local = new AbortController();
  const stop = () => local.abort(controller.signal.reason);
  controller.signal.addEventListener('abort', stop, { once: true });
  let answering = null;
  let passwordSetAt = null;
  let failure = null;
  let result = null;
  try {
    const names = environmentNames(`pg-rehearse-bench-hit-${suffix}-${label}`);
    const tOpen = Date.now();
    const server = await startServer(
      docker,
      run,
      { names, image: snap.tag, database: 'bench', settings: HIT_SETTINGS, readiness: DEFAULT_READINESS },
      silentProgress,
      controller.signal,
      undefined,
      async (env, password) => {
        await resetToolPassword(
          docker,
          env.containerId,
          env.database,
          password,
          DEFAULT_READINESS.timeoutMs,
          controller.signal,
        );
        passwordSetAt = Date.now();
        // The first real query on a hit: the restored data itself, over TCP, as the tool's role with this run's password.
        answering = firstAnswer(
          { host: env.host, port: env.port, user: TOOL_ROLE, password, database: env.database },
          local.signal,
          DEFAULT_READINESS.timeoutMs,
        );
        answering.catch(() => {}); // awaited below; startServer may fail first
      },
    );
    const readyAt = Date.now();
    const first = await answering;
    const started = server.env.startedAt.getTime();
    const dry = {
      host: server.env.host,
      port: server.env.port,
      user: TOOL_ROLE,
      password: server.password,
      database: server.env.database,
    };
    if (first.rows !== expected.pgbench_branches)
      throw new Error(
        `hit ${label}: the snapshot answered ${first.rows} pgbench_branches rows, production has ${expected.pgbench_branches}`,
      );
    const counts = await rowCounts(dry);
    if (JSON.stringify(counts) !== JSON.stringify(expected))
      throw new Error(
        `hit ${label}: the snapshot holds ${JSON.stringify(counts)}, production has ${JSON.stringify(expected)}`,
      );
    const [inForce] = await queryRows(
      dry,
      `select current_setting('shared_preload_libraries') as preload, current_setting('fsync') as fsync, current_setting('log_statement') as log_statement`,
    );
    result = {
      first_query_ms: first.at - started,
      first_query_attempts: first.attempts,
      password_set_ms: passwordSetAt - started,
      start_to_ready_ms: Math.max(0, readyAt - started),
      create_to_start_ms: started - server.env.createdAt.getTime(),
      open_to_ready_ms: readyAt - tOpen,
      readiness: server.readiness,
      in_force: inForce,
    };
  } catch (err) {
    failure = err;
  } finally {
    local.abort(new Error('done'));
    controller.signal.removeEventListener('abort', stop);
    await answering?.catch(() => {});
    const outcome = await closeRun(docker, run, silentProgress).catch((e) => ({ complete: false, error: e.message }));
    runIds.set(runId, outcome.complete);
    if (!outcome.complete)
      say(`cache hit ${label}: teardown INCOMPLETE: ${outcome.error ?? JSON.stringify(outcome.resources)}`);
  }
  if (failure) throw failure;
  return result;
}

const created = [];
let snapshotArmed = false;
const runIds = new Map(); // the dry-run environments' run ids (A's, P's, the cache hits') -> closed completely
let exitCode = 0;
try {
  const tools = await Promise.all(
    ['pg_dump', 'pg_restore', 'psql', 'pgbench', ...(physical ? ['pg_basebackup'] : [])].map((t) =>
      run(t, ['--version']).then(
        (r) => r.stdout.trim(),
        () => `${t}: missing`,
      ),
    ),
  );
  if (physical && tools.at(-1) === 'pg_basebackup: missing')
    usage('pg_basebackup is not on PATH (--copy physical): apt-get install postgresql-client-15');
  const imageInfo = await inspectImage(docker, image);
  out(`bench: image ${imageInfo.tag} (${imageInfo.id.slice(0, 19)}); host tools: ${tools.join('; ')}`);
  out(
    `bench: ${availableParallelism()} CPUs, load average ${loadavg()[0].toFixed(1)} (other work on the machine skews the figures); restore jobs ${jobs ?? `${defaultRestoreJobs()} (default)`}; format ${opts.format}; copy ${opts.copy}${physical ? ` (transfer ${opts.transfer})` : ''}; scale ${scale}; ${runs} paired runs`,
  );

  await mkdir(work, { recursive: true, mode: 0o700 });
  await chmod(work, 0o700);
  // Refuse, never adopt: a snapshot of the bench's key that it did not make stops it before anything is created.
  if (withCache && (await findSnapshot(docker, SNAPSHOT_KEY)))
    usage(`a snapshot ${snapshotTag(SNAPSHOT_KEY)} of this bench's key already exists: not touching it`);
  say(
    `starting production ${NAMES.production} and the plain target ${NAMES.plain} (${image}, default settings${physical ? '; production allows replication connections' : ''})`,
  );
  created.push(NAMES.production);
  // A physical copy's base backup needs a `replication` line in production's pg_hba.conf.
  const prod = await sideServer(
    NAMES.production,
    'production',
    'bench',
    physical ? await replicationInitDir(work) : undefined,
  );
  created.push(NAMES.plain);
  const plain = await sideServer(NAMES.plain, 'plain', 'postgres');
  checkAborted();

  say(`filling production: pgbench -i -s ${scale} (host pgbench)`);
  const tFill = performance.now();
  await runChild(
    'pgbench',
    ['-i', '-q', '-s', String(scale)],
    clientProcessEnv(prod.target, 'pg-rehearse bench pgbench'),
  );
  const fillMs = performance.now() - tFill;
  const [size] = await queryRows(prod.target, `select pg_database_size(current_database())::bigint as bytes`);
  const expected = await rowCounts(prod.target);
  out(
    `bench: production filled in ${s(fillMs)}: ${mb(Number(size.bytes))} (pg_database_size), pgbench_accounts ${expected.pgbench_accounts} rows`,
  );
  // The fill leaves about a gigabyte of dirty pages (tables and WAL) that the kernel writes back for
  // minutes: settle it first, and before each side, so that neither pays for what came before it.
  await execute(prod.target, 'checkpoint');
  await settle();

  const results = [];
  for (let i = 1; i <= runs; i++) {
    checkAborted();
    const order = sideOrder(i, physical);
    const r = { i, order: order.join('') };
    for (const side of order) {
      say(`run ${i}/${runs}: ${side} ...`);
      await settle();
      if (side === 'A') {
        // Run 1's restored server becomes the snapshot: armed first, so that a kill mid-commit is cleaned up too.
        const snapshot = withCache && i === 1 ? { key: SNAPSHOT_KEY } : undefined;
        if (snapshot) {
          await writeFile(join(work, SNAPSHOT_MARKER), `${SNAPSHOT_KEY}\n`, { mode: 0o600 });
          snapshotArmed = true;
        }
        r.A = await sideA(prod.target, String(i), runIds, snapshot);
      } else if (side === 'B') r.B = await sideB(prod.target, plain.target, String(i));
      else if (side === 'P') r.P = await sideP(prod.target, String(i), runIds);
      else r.Q = await sideQ(prod.target, String(i), { work, time: TIME, runChild });
    }
    for (const side of physical ? ['A', 'B', 'P'] : ['A', 'B']) {
      if (JSON.stringify(r[side].counts) !== JSON.stringify(expected))
        throw new Error(
          `run ${i}: ${side} restored ${JSON.stringify(r[side].counts)}, production has ${JSON.stringify(expected)}`,
        );
    }
    if (i === 1) {
      out(
        `bench: throwaway server (A) started with: ${Object.entries(r.A.settings)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ')}`,
      );
      out(
        `bench: in force there (pg_settings): ${r.A.in_force.map((x) => `${x.name}=${x.setting}${x.unit}`).join(' ')}`,
      );
      out(`bench: A restores with: ${r.A.restore_argv.join(' ')}`);
      out(`bench: B runs: pg_dump | psql -X -q -v ON_ERROR_STOP=1 into ${NAMES.plain} (the image's default settings)`);
      if (physical) {
        out(`bench: P backs up with: ${r.P.argv.join(' ')}; then ${r.P.verify_argv.join(' ')}`);
        out(
          `bench: P's copy starts with: ${Object.entries(r.P.server_settings)
            .map(([k, v]) => `${k}=${v}`)
            .join(' ')}`,
        );
        out(
          `bench: Q runs: pg_basebackup -D <a new host folder> -X stream -c fast --no-sync (no verification, no container)`,
        );
      }
    }
    r.ratio = r.A.ms / r.B.ms;
    r.load = loadavg()[0];
    results.push(r);
    const m = r.A.memory;
    const kids = Object.entries(m.children)
      .map(
        ([name, c]) =>
          `${name} ${mb(c.max_hwm)}${c.processes > 1 ? ` (max of ${c.processes} processes, sum ${mb(c.sum_hwm)})` : ''}`,
      )
      .join(', ');
    out(
      `run ${i} (${r.order[0]} first, load ${r.load.toFixed(1)}): A ${s(r.A.ms)} (${r.A.streamed ? `dump streamed into the restore, one pass` : `dump ${s(r.A.dump_ms)}, restore ${s(r.A.restore_ms)}`}, ${mb(r.A.dump_bytes)}; provisioning ${s(r.A.provision_ms)} not counted; container start to restored ${s(r.A.start_to_ready_ms + r.A.restore_ms)})` +
        `  B ${s(r.B.ms)}  A/B ${r.ratio.toFixed(2)}` +
        `  | A memory: tool process VmHWM ${mb(m.self_hwm)} (before the gates: rss ${mb(m.baseline_rss)}, VmHWM ${mb(m.baseline_hwm)}; rss sampled max during them ${mb(m.rss_max)}); ${kids}` +
        `  | B memory: pg_dump ${r.B.memory.pg_dump === null ? '?' : mb(r.B.memory.pg_dump)}, psql ${r.B.memory.psql === null ? '?' : mb(r.B.memory.psql)}`,
    );
    if (physical) out(physicalRunLine(r));
  }

  const mA = median(results.map((r) => r.A.ms));
  const mB = median(results.map((r) => r.B.ms));
  const ratio = mA / mB;
  const hwm = Math.max(...results.map((r) => r.A.memory.self_hwm));
  const childPeak = (name) => Math.max(0, ...results.map((r) => r.A.memory.children[name]?.max_hwm ?? 0));
  out('');
  out(
    `median of ${runs}: A ${s(mA)} (${results[0].A.streamed ? 'dump streamed into the restore' : `dump ${s(median(results.map((r) => r.A.dump_ms)))}, restore ${s(median(results.map((r) => r.A.restore_ms)))}`})  B ${s(mB)}`,
  );
  out(
    `ratio A/B: ${ratio.toFixed(2)} (median of paired ratios ${median(results.map((r) => r.ratio)).toFixed(2)}; target <= 0.60: ${ratio <= 0.6 ? 'met' : 'NOT met'})`,
  );
  out(
    `A incl. provisioning the dry-run server: ${s(median(results.map((r) => r.A.ms + r.A.provision_ms)))}, ratio ${(median(results.map((r) => r.A.ms + r.A.provision_ms)) / mB).toFixed(2)}`,
  );
  const base = Math.max(...results.map((r) => r.A.memory.baseline_rss));
  const during = Math.max(...results.map((r) => r.A.memory.rss_max));
  out(
    `peak memory of the tool's process during A: ${mb(hwm)} VmHWM (target < 100 MB: ${hwm < 100 * 1024 ** 2 ? 'met' : 'NOT met'}); ${mb(base)} of it held before the gates started (modules loaded, server provisioned), rss at most ${mb(during)} during dump + restore`,
  );
  const seen = ['pg_dump', 'pg_restore', 'psql'].filter((n) => childPeak(n) > 0);
  out(
    `peak memory of its children during A: ${seen.length ? seen.map((n) => `${n} ${mb(childPeak(n))}`).join(', ') : 'not seen (is /proc/PID/task/TID/children missing on this kernel?)'}`,
  );

  if (physical) physicalSummary(results, out);

  // The cached restore: dry-run servers started from run 1's snapshot, one after another.
  const fresh = results.map((r) => r.A.start_to_ready_ms + r.A.restore_ms);
  const freshLine = `fresh restore (A): container start to restored and ready ${median(fresh)} ms (median of ${runs}: start to ready ${median(results.map((r) => r.A.start_to_ready_ms))} ms + restore ${median(results.map((r) => r.A.restore_ms))} ms)`;
  if (!withCache) {
    out(freshLine);
    out('cache hit: skipped (--no-cache)');
  } else {
    const snap = results[0].A.snapshot;
    if (!snap) throw new Error('run 1 reported no snapshot');
    out('');
    out(
      `cache: run 1's restored server checkpointed in ${snap.checkpoint_ms} ms and committed in ${s(snap.commit_ms)} as ${snap.tag} (${mb(snap.bytes)}); hit servers start with: ${Object.entries(
        HIT_SETTINGS,
      )
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')}`,
    );
    const hits = [];
    for (let i = 1; i <= runs; i++) {
      checkAborted();
      say(`cache hit ${i}/${runs} ...`);
      const h = await cacheHit(snap, String(i), runIds, expected);
      h.load = loadavg()[0];
      hits.push(h);
      out(
        `hit ${i} (load ${h.load.toFixed(1)}): first real query answered ${h.first_query_ms} ms after the container started (\`${FIRST_QUERY}\`, ${h.first_query_attempts} attempt${h.first_query_attempts > 1 ? 's' : ''}; this run's password set over the socket at ${h.password_set_ms} ms)` +
          `; ready (${DEFAULT_READINESS.consecutive} answers ${DEFAULT_READINESS.intervalMs} ms apart) at ${h.start_to_ready_ms} ms; create to start ${h.create_to_start_ms} ms; openRun to ready ${s(h.open_to_ready_ms)}` +
          `; in force: shared_preload_libraries=${h.in_force.preload} fsync=${h.in_force.fsync} log_statement=${h.in_force.log_statement}`,
      );
    }
    const firstMs = median(hits.map((h) => h.first_query_ms));
    out('');
    out(
      `cache hit: first real query ${firstMs} ms after the container started (median of ${runs}; target <= 1000 ms: ${firstMs <= 1000 ? 'met' : 'NOT met'}); ready ${median(hits.map((h) => h.start_to_ready_ms))} ms`,
    );
    out(freshLine);
    out(
      `cache hit vs fresh restore, container start to the restored data answering: ${firstMs} ms vs ${median(fresh)} ms (${(median(fresh) / Math.max(1, firstMs)).toFixed(0)}x)`,
    );
  }
} catch (err) {
  exitCode = 1;
  say(`FAILED: ${err instanceof Error ? err.message : String(err)}`);
} finally {
  if (child && child.exitCode === null) child.kill('SIGTERM');
  for (const [id, closed] of runIds) {
    if (closed) continue;
    const outcome = await finishRun(docker, id).catch((e) => ({ complete: false, error: e.message }));
    if (outcome && !outcome.complete) {
      exitCode = 4;
      say(`run ${id}: teardown INCOMPLETE; finish it with \`rehearse teardown --run-id ${id}\``);
    }
  }
  // After every run is closed: a container of the snapshot still present would block its removal.
  if (snapshotArmed) {
    const tag = snapshotTag(SNAPSHOT_KEY);
    try {
      const removed = await removeSnapshot(docker, SNAPSHOT_KEY);
      if (await findSnapshot(docker, SNAPSHOT_KEY)) throw new Error('it is still there after its removal');
      say(removed ? `removed the snapshot ${tag}` : `no snapshot ${tag} to remove (not committed)`);
    } catch (e) {
      exitCode = 4;
      say(
        `could not remove the snapshot ${tag}: ${e.message}; remove it with \`rehearse cache prune --key ${SNAPSHOT_KEY}\``,
      );
    }
  }
  for (const name of created) {
    await removeSideServer(docker, name).catch((e) => {
      exitCode = 4;
      say(`could not remove ${name}: ${e.message}`);
    });
  }
  for (const f of ['production-password', 'plain-password']) await shredFile(join(work, f)).catch(() => {});
  await rm(work, { recursive: true, force: true });
  say(`cleaned up: ${created.join(', ') || 'no side containers'}; ${runIds.size} dry-run environments closed`);
}
process.exit(exitCode);
