// The benchmark behind scripts/bench (see there for how to run it): a pgbench-filled production,
// then per paired run (A) the tool's backup + restore gates in a child node process (gate-a.mjs)
// against (B) a bare `pg_dump | psql` into a default-configured server of the same image.
// Everything it creates has an exact name given by scripts/bench (BENCH_SUFFIX) and is removed in
// `finally`: side containers with removeSideServer, A's runs with closeRun (in the child) and
// finishRun (here, by run id, when the child did not report a complete teardown).
import { execFile, fork, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';

const ROOT = new URL('../../', import.meta.url).pathname;
const dist = (p) => import(join(ROOT, 'dist', p));
const { defaultImage, dockerClient, finishRun, inspectImage, removeSideServer, shredFile, startSideServer } = await dist('engine/index.js');
const { clientProcessEnv, connect, DEFAULT_READINESS, defaultRestoreJobs, probe, queryRows, waitForReadiness } = await dist('pg/index.js');

const say = (msg) => process.stderr.write(`bench: ${msg}\n`);
const out = (line) => process.stdout.write(`${line}\n`);
const s = (ms) => `${(ms / 1000).toFixed(1)} s`;
const mb = (bytes) => `${(bytes / 1024 ** 2).toFixed(1)} MB`;
const median = (xs) => {
  const v = [...xs].sort((a, b) => a - b);
  const m = Math.floor(v.length / 2);
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
};
const run = promisify(execFile);

const { values: opts } = parseArgs({
  options: {
    scale: { type: 'string', default: '60' },
    runs: { type: 'string', default: '3' },
    format: { type: 'string', default: 'custom' },
    jobs: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (opts.help) {
  out('usage: bash scripts/bench [--scale N] [--runs N] [--format custom|directory|plain] [--jobs N]');
  process.exit(0);
}
const scale = Number(opts.scale);
const runs = Number(opts.runs);
const jobs = opts.jobs === undefined ? null : Number(opts.jobs);
const usage = (msg) => {
  say(msg);
  process.exit(2);
};
if (!Number.isInteger(scale) || scale < 1) usage(`Expected \`--scale\` to be a positive integer, got \`${opts.scale}\``);
if (!Number.isInteger(runs) || runs < 1) usage(`Expected \`--runs\` to be a positive integer, got \`${opts.runs}\``);
if (!['custom', 'directory', 'plain'].includes(opts.format)) usage(`Expected \`--format\` to be custom, directory or plain, got \`${opts.format}\``);
if (jobs !== null && (!Number.isInteger(jobs) || jobs < 1)) usage(`Expected \`--jobs\` to be a positive integer, got \`${opts.jobs}\``);
const suffix = process.env.BENCH_SUFFIX;
const work = process.env.BENCH_WORK;
if (!suffix || !work) usage('run it through `bash scripts/bench`, which names what it creates and cleans up after it');

const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
const NAMES = { production: `pg-rehearse-bench-prod-${suffix}`, plain: `pg-rehearse-bench-plain-${suffix}` };
const TABLES = ['pgbench_accounts', 'pgbench_branches', 'pgbench_tellers', 'pgbench_history'];
const docker = dockerClient();
const image = defaultImage();

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
async function sideServer(name, role, database) {
  const passwordFile = join(work, `${role}-password`);
  const password = randomBytes(18).toString('base64url');
  await writeFile(passwordFile, password, { mode: 0o600 });
  const started = await startSideServer(docker, { name, image, role: `bench-${role}`, passwordFile, database });
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
  for (const table of TABLES) counts[table] = (await queryRows(target, `select count(*)::bigint as n from ${table}`))[0].n.toString();
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
    p.on('close', (code, signal) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} ended with ${code ?? signal}: ${stderr.trim()}`))));
  });
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
  const env = { ...clientProcessEnv(target, 'pg-rehearse bench'), BENCH_PROD_PASSWORD: prod.password, BENCH_PLAIN_PASSWORD: plain.password };
  for (const k of ['PGHOST', 'PGPORT', 'PGUSER', 'PGDATABASE', 'PGPASSWORD']) delete env[k];
  const t0 = performance.now();
  await runChild('bash', ['-c', script], env);
  const ms = Math.round(performance.now() - t0);
  const kb = (file) => (TIME && existsSync(file) ? Number(readFileSync(file, 'utf8').trim().split('\n').at(-1)) * 1024 : null);
  return { ms, counts: await rowCounts(target), memory: { pg_dump: kb(dumpTime), psql: kb(psqlTime) } };
}

/** (A) in a child node process: its own peak memory is the tool's. */
async function sideA(prod, label, runIds) {
  const name = `pg-rehearse-bench-a-${suffix}-${label}`;
  child = fork(join(ROOT, 'scripts', 'bench.d', 'gate-a.mjs'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'json' });
  const ended = new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
  let done = null;
  let runId = null;
  child.on('message', (msg) => {
    if (msg.type === 'run-id') runIds.set((runId = msg.runId), false);
    if (msg.type === 'done') done = msg;
  });
  child.send({ name, label, work, production: prod, format: opts.format, jobs, image, readiness: DEFAULT_READINESS, tables: TABLES });
  const exit = await ended;
  child = null;
  if (!done) throw new Error(`side A (run ${label}) ended with ${exit} without a result`);
  if (runId && done.teardown?.complete) runIds.set(runId, true);
  if (done.teardown && !done.teardown.complete) say(`side A (run ${label}): teardown INCOMPLETE: ${JSON.stringify(done.teardown)}`);
  if (done.failure) throw new Error(`side A (run ${label}) failed: ${done.failure}`);
  return done.result;
}

const created = [];
const runIds = new Map(); // A's run ids -> closed completely
let exitCode = 0;
try {
  const tools = await Promise.all(['pg_dump', 'pg_restore', 'psql', 'pgbench'].map((t) => run(t, ['--version']).then((r) => r.stdout.trim(), () => `${t}: missing`)));
  const imageInfo = await inspectImage(docker, image);
  out(`bench: image ${imageInfo.tag} (${imageInfo.id.slice(0, 19)}); host tools: ${tools.join('; ')}`);
  out(`bench: ${availableParallelism()} CPUs, load average ${loadavg()[0].toFixed(1)} (other work on the machine skews the figures); restore jobs ${jobs ?? `${defaultRestoreJobs()} (default)`}; format ${opts.format}; scale ${scale}; ${runs} paired runs`);

  await mkdir(work, { recursive: true, mode: 0o700 });
  await chmod(work, 0o700);
  say(`starting production ${NAMES.production} and the plain target ${NAMES.plain} (${image}, default settings)`);
  created.push(NAMES.production);
  const prod = await sideServer(NAMES.production, 'production', 'bench');
  created.push(NAMES.plain);
  const plain = await sideServer(NAMES.plain, 'plain', 'postgres');
  checkAborted();

  say(`filling production: pgbench -i -s ${scale} (host pgbench)`);
  const tFill = performance.now();
  await runChild('pgbench', ['-i', '-q', '-s', String(scale)], clientProcessEnv(prod.target, 'pg-rehearse bench pgbench'));
  const fillMs = performance.now() - tFill;
  const [size] = await queryRows(prod.target, `select pg_database_size(current_database())::bigint as bytes`);
  const expected = await rowCounts(prod.target);
  out(`bench: production filled in ${s(fillMs)}: ${mb(Number(size.bytes))} (pg_database_size), pgbench_accounts ${expected.pgbench_accounts} rows`);

  const results = [];
  for (let i = 1; i <= runs; i++) {
    checkAborted();
    const order = i % 2 === 1 ? ['A', 'B'] : ['B', 'A'];
    const r = { i, order: order.join('') };
    for (const side of order) {
      say(`run ${i}/${runs}: ${side} ...`);
      if (side === 'A') r.A = await sideA(prod.target, String(i), runIds);
      else r.B = await sideB(prod.target, plain.target, String(i));
    }
    for (const side of ['A', 'B']) {
      if (JSON.stringify(r[side].counts) !== JSON.stringify(expected)) throw new Error(`run ${i}: ${side} restored ${JSON.stringify(r[side].counts)}, production has ${JSON.stringify(expected)}`);
    }
    if (i === 1) {
      out(`bench: throwaway server (A) started with: ${Object.entries(r.A.settings).map(([k, v]) => `${k}=${v}`).join(' ')}`);
      out(`bench: in force there (pg_settings): ${r.A.in_force.map((x) => `${x.name}=${x.setting}${x.unit}`).join(' ')}`);
      out(`bench: A restores with: ${r.A.restore_argv.join(' ')}`);
      out(`bench: B runs: pg_dump | psql -X -q -v ON_ERROR_STOP=1 into ${NAMES.plain} (the image's default settings)`);
    }
    r.ratio = r.A.ms / r.B.ms;
    r.load = loadavg()[0];
    results.push(r);
    const m = r.A.memory;
    const kids = Object.entries(m.children).map(([name, c]) => `${name} ${mb(c.max_hwm)}${c.processes > 1 ? ` (max of ${c.processes} processes, sum ${mb(c.sum_hwm)})` : ''}`).join(', ');
    out(
      `run ${i} (${r.order[0]} first, load ${r.load.toFixed(1)}): A ${s(r.A.ms)} (dump ${s(r.A.dump_ms)}, ${mb(r.A.dump_bytes)}; restore ${s(r.A.restore_ms)}; provisioning ${s(r.A.provision_ms)} not counted)` +
        `  B ${s(r.B.ms)}  A/B ${r.ratio.toFixed(2)}` +
        `  | A memory: tool process VmHWM ${mb(m.self_hwm)} (before the gates: rss ${mb(m.baseline_rss)}, VmHWM ${mb(m.baseline_hwm)}; rss sampled max during them ${mb(m.rss_max)}); ${kids}` +
        `  | B memory: pg_dump ${r.B.memory.pg_dump === null ? '?' : mb(r.B.memory.pg_dump)}, psql ${r.B.memory.psql === null ? '?' : mb(r.B.memory.psql)}`,
    );
  }

  const mA = median(results.map((r) => r.A.ms));
  const mB = median(results.map((r) => r.B.ms));
  const ratio = mA / mB;
  const hwm = Math.max(...results.map((r) => r.A.memory.self_hwm));
  const childPeak = (name) => Math.max(0, ...results.map((r) => r.A.memory.children[name]?.max_hwm ?? 0));
  out('');
  out(`median of ${runs}: A ${s(mA)} (dump ${s(median(results.map((r) => r.A.dump_ms)))}, restore ${s(median(results.map((r) => r.A.restore_ms)))})  B ${s(mB)}`);
  out(`ratio A/B: ${ratio.toFixed(2)} (median of paired ratios ${median(results.map((r) => r.ratio)).toFixed(2)}; target <= 0.60: ${ratio <= 0.6 ? 'met' : 'NOT met'})`);
  out(`A incl. provisioning the dry-run server: ${s(median(results.map((r) => r.A.ms + r.A.provision_ms)))}, ratio ${(median(results.map((r) => r.A.ms + r.A.provision_ms)) / mB).toFixed(2)}`);
  const base = Math.max(...results.map((r) => r.A.memory.baseline_rss));
  const during = Math.max(...results.map((r) => r.A.memory.rss_max));
  out(`peak memory of the tool's process during A: ${mb(hwm)} VmHWM (target < 100 MB: ${hwm < 100 * 1024 ** 2 ? 'met' : 'NOT met'}); ${mb(base)} of it held before the gates started (modules loaded, server provisioned), rss at most ${mb(during)} during dump + restore`);
  const seen = ['pg_dump', 'pg_restore', 'psql'].filter((n) => childPeak(n) > 0);
  out(`peak memory of its children during A: ${seen.length ? seen.map((n) => `${n} ${mb(childPeak(n))}`).join(', ') : 'not seen (is /proc/PID/task/TID/children missing on this kernel?)'}`);
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
