// scripts/chaos: N randomized faults injected into the demo, gate by gate; see scripts/chaos for usage.
// Prints a line a run, a table fault x gate, then the figures; exit 0 only when no run broke a rule.
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  openSync,
  writeSync,
  closeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const execFileP = promisify(execFile);
const DOCKER = existsSync('/usr/bin/docker') ? '/usr/bin/docker' : 'docker';
const LABEL = 'io.pg-rehearse.run-id';
const say = (m) => process.stdout.write(m + '\n');
const usage = (m) => {
  process.stderr.write(
    `chaos: ${m}\nusage: bash scripts/chaos [--runs N] [--seed S] [--faults F,F] [--grace SEC] [--timeout SEC] [--keep]\n`,
  );
  process.exit(2);
};

// ---- arguments
const FAULTS = {
  sigint: { what: "SIGINT to the demo's process group (Ctrl-C)", interrupts: true },
  sigterm: { what: "SIGTERM to the demo's process group", interrupts: true },
  sighup: { what: "SIGHUP to the demo's process group (terminal closed)", interrupts: true },
  'kill-tool': { what: 'SIGKILL of the `rehearse run` process alone', interrupts: true },
  'kill-group': { what: "SIGKILL of the demo's whole process group", interrupts: true },
  'docker-kill': { what: '`docker kill` of the dry-run server', interrupts: true, needsServer: true },
  'docker-pause': { what: '`docker pause` of the dry-run server (left paused)', interrupts: true, needsServer: true },
  'full-disk': { what: 'the state folder (a small tmpfs, PG_REHEARSE_STATE_DIR) filled up', interrupts: false },
  'prod-restart': { what: '`docker restart` of production', interrupts: true },
};
const opts = { runs: 10, seed: null, faults: Object.keys(FAULTS), grace: 8, timeout: 180, keep: false };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  const val = () => (i + 1 < argv.length ? argv[++i] : usage(`${a} needs a value`));
  const int = (v, name) =>
    /^\d+$/.test(v) && Number(v) > 0 ? Number(v) : usage(`Expected \`${name}\` to be a positive integer, got \`${v}\``);
  if (a === '--runs') opts.runs = int(val(), '--runs');
  else if (a === '--seed') opts.seed = int(val(), '--seed');
  else if (a === '--grace') opts.grace = int(val(), '--grace');
  else if (a === '--timeout') opts.timeout = int(val(), '--timeout');
  else if (a === '--keep') opts.keep = true;
  else if (a === '--faults') {
    opts.faults = val().split(',');
    for (const f of opts.faults)
      if (!FAULTS[f]) usage(`unknown fault \`${f}\` in --faults; one of ${Object.keys(FAULTS).join(', ')}`);
  } else usage(`unknown argument \`${a}\``);
}
opts.seed ??= 1 + Math.floor(Math.random() * 2 ** 31);
const isRoot = process.getuid?.() === 0;
if (!isRoot && opts.faults.includes('full-disk')) {
  say('chaos: not root: no tmpfs can be mounted, so the full-disk fault is left out');
  opts.faults = opts.faults.filter((f) => f !== 'full-disk');
  if (opts.faults.length === 0) usage('no fault left to inject');
}

// ---- the demo's names and gates
const yaml = await import('yaml');
const demoConfig = yaml.parse(readFileSync(join(ROOT, 'fixtures', 'demo', 'rehearse.yaml'), 'utf8'));
const DRY_RUN = demoConfig.environment.name;
const { DEMO_NAMES } = await import(join(ROOT, 'dist', 'run', 'demo.js'));
const { dockerClient, removeSideServer, stateRoot } = await import(join(ROOT, 'dist', 'engine', 'index.js'));
const PRODUCTION = DEMO_NAMES.production;
const scenarioIds = readdirSync(join(ROOT, 'fixtures', 'demo', demoConfig.artefacts.scenarios))
  .filter((f) => /^S\d+(-[a-z0-9]+)?\.ya?ml$/.test(f))
  .map((f) => f.replace(/\.ya?ml$/, ''))
  .sort((a, b) => Number(/\d+/.exec(a)[0]) - Number(/\d+/.exec(b)[0]));
// The demo's console order (a plain dump streams into the restore: G3, then G2 inside G4).
const GATES = ['G0', 'G1', 'G3', 'G2', 'G4', 'G5', ...scenarioIds, 'G6', 'G7', 'G8'];
const RESULT_LINE = /^(?:ok|FAIL|INCONCLUSIVE|NOT_RUN)\s+(G\d|S\d+(?:-[a-z0-9]+)?)\s/;
// A fault on the dry-run server needs it to exist: from the dump on, until teardown. A restart of
// production is seen by a later look at it, and G8's is the last: sent during G8 (about 100 ms), it
// can take effect after that look (seen here: sent 76 ms into G8, the run read production unchanged
// and PASSed), so it aims at G7 at the latest.
const targetsOf = (fault) =>
  FAULTS[fault].needsServer
    ? GATES.slice(GATES.indexOf('G2'), GATES.indexOf('G7') + 1)
    : fault === 'prod-restart'
      ? GATES.slice(0, GATES.indexOf('G7') + 1)
      : GATES;

// ---- seeded choices (mulberry32), so `--seed S` replays the same sequence
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = rng(opts.seed);
const pick = (xs) => xs[Math.floor(rand() * xs.length)];
const plan = [];
let deck = [];
for (let i = 0; i < opts.runs; i++) {
  // Every fault once before any repeats, in a seeded order.
  if (deck.length === 0) {
    deck = [...opts.faults];
    for (let j = deck.length - 1; j > 0; j--) {
      const k = Math.floor(rand() * (j + 1));
      [deck[j], deck[k]] = [deck[k], deck[j]];
    }
  }
  const fault = deck.shift();
  plan.push({ n: i + 1, fault, target: pick(targetsOf(fault)), delay: Math.floor(rand() * 200) });
}

// ---- helpers at the edges
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function docker(args, input) {
  return new Promise((done) => {
    const p = execFile(DOCKER, args, { maxBuffer: 16 << 20 }, (err, stdout, stderr) =>
      done({ ok: !err, stdout: String(stdout), stderr: String(stderr).trim() }),
    );
    if (input !== undefined) p.stdin.end(input);
  });
}
const lines = (s) => s.split('\n').filter(Boolean);

// Production's content, read-only (a read-only transaction over the container's unix socket): every table's rows and every column's definition.
const CHECKSUM_SQL = `SELECT md5(coalesce(string_agg(table_schema||'.'||table_name||'.'||column_name||':'||data_type||':'||coalesce(column_default,''), E'\\n' ORDER BY table_schema, table_name, ordinal_position), ''))
  FROM information_schema.columns WHERE table_schema NOT IN ('pg_catalog', 'information_schema');
SELECT format('SELECT %L, count(*), md5(coalesce(string_agg(x::text, E''\\n'' ORDER BY x::text), '''')) FROM %I.%I x', n.nspname||'.'||c.relname, n.nspname, c.relname)
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
  ORDER BY 1 \\gexec
`;
async function productionChecksum() {
  const r = await docker(
    [
      'exec',
      '-i',
      '-u',
      'postgres',
      '-e',
      'PGOPTIONS=-c default_transaction_read_only=on',
      PRODUCTION,
      'psql',
      '-X',
      '-q',
      '-At',
      '-v',
      'ON_ERROR_STOP=1',
      '-d',
      'ledger',
    ],
    CHECKSUM_SQL,
  );
  if (!r.ok || lines(r.stdout).length < 2) return null;
  return createHash('sha256').update(r.stdout).digest('hex').slice(0, 16);
}

async function labelledLeft(runId) {
  if (!runId) return 0;
  const f = ['--filter', `label=${LABEL}=${runId}`];
  const [c, n, v] = await Promise.all([
    docker(['ps', '-aq', ...f]),
    docker(['network', 'ls', '-q', ...f]),
    docker(['volume', 'ls', '-q', ...f]),
  ]);
  return lines(c.stdout).length + lines(n.stdout).length + lines(v.stdout).length;
}

/** The dry-run server's exact names still present, whoever holds them. */
async function namesLeft() {
  const left = [];
  if ((await docker(['container', 'inspect', DRY_RUN])).ok) left.push(DRY_RUN);
  if ((await docker(['network', 'inspect', `${DRY_RUN}-net`])).ok) left.push(`${DRY_RUN}-net`);
  return left;
}

function childrenOf(pid) {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}
function isRunning(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\S+ \(.*\) [ZX] /.test(stat);
  } catch {
    return false;
  }
}
/** The `rehearse run` process the demo started. */
function toolPid(demoPid) {
  for (const c of childrenOf(demoPid)) {
    try {
      const cmd = readFileSync(`/proc/${c}/cmdline`, 'utf8').split('\0');
      if (cmd.some((a) => a.endsWith('rehearse.js')) && cmd.includes('run')) return c;
    } catch {}
  }
  return null;
}

function fillUp(dir) {
  const fd = openSync(join(dir, 'chaos-filler'), 'w');
  let bytes = 0;
  try {
    for (const size of [1 << 20, 1 << 12, 1]) {
      const buf = Buffer.alloc(size);
      for (;;) {
        try {
          writeSync(fd, buf);
          bytes += size;
        } catch (err) {
          if (err.code === 'ENOSPC') break;
          throw err;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
  return bytes;
}

async function mountTmpfs(dir) {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  await execFileP('mount', ['-t', 'tmpfs', '-o', 'size=16m,mode=0700', 'tmpfs', dir]);
}
async function unmount(dir) {
  await execFileP('umount', [dir]).catch(() => execFileP('umount', ['-l', dir]));
  rmSync(dir, { recursive: true, force: true });
}

function rehearse(args, env) {
  return new Promise((done) => {
    const p = spawn(process.execPath, [join(ROOT, 'bin', 'rehearse.js'), ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1', ...env },
    });
    let out = '';
    p.stdout.on('data', (c) => (out += c));
    p.stderr.on('data', (c) => (out += c));
    p.on('close', (code) => done({ code, out }));
  });
}

// ---- one run
const work = mkdtempSync(join(tmpdir(), 'pg-rehearse-chaos-'));
let current = null; // { demo, tmpfs } of the run under way, for a chaos that is interrupted itself

async function oneRun(p) {
  const out = join(work, `run-${p.n}`);
  const tmpfs = p.fault === 'full-disk' ? join(work, `state-${p.n}`) : null;
  if (tmpfs) await mountTmpfs(tmpfs);
  const root = tmpfs ?? stateRoot();
  const env = { ...process.env, NO_COLOR: '1', ...(tmpfs ? { PG_REHEARSE_STATE_DIR: tmpfs } : {}) };
  const t0 = Date.now();
  const demo = spawn(process.execPath, [join(ROOT, 'scripts', 'demo.mjs'), '--out', out], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  });
  current = { demo, tmpfs };
  const log = [];
  const seen = new Set();
  const r = {
    ...p,
    runId: null,
    landed: null,
    applied: false,
    missed: null,
    exit: null,
    signal: null,
    status: null,
    classification: null,
    failedAt: null,
    left: 0,
    names: [],
    stateLeft: [],
    prod: [],
    teardown: null,
    demoLeft: [],
    timedOut: false,
  };
  const trigger = p.target === 'G0' ? null : GATES[GATES.indexOf(p.target) - 1];
  let injected = null;
  let polling = false;
  const poll = async () => {
    while (polling) {
      const sum = await productionChecksum();
      if (sum) r.prod.push(sum);
      await sleep(1000);
    }
  };

  const inject = async () => {
    r.landed = GATES.find((g) => !seen.has(g)) ?? 'end';
    const tool = toolPid(demo.pid);
    const toolAlive = tool !== null && isRunning(tool);
    const signal = { sigint: 'SIGINT', sigterm: 'SIGTERM', sighup: 'SIGHUP', 'kill-group': 'SIGKILL' }[p.fault];
    if (
      !toolAlive &&
      p.fault !== 'prod-restart' &&
      p.fault !== 'docker-kill' &&
      p.fault !== 'docker-pause' &&
      p.fault !== 'full-disk'
    ) {
      r.missed = 'the tool had exited';
      return;
    }
    const kill = (pid, sig) => {
      try {
        process.kill(pid, sig);
        r.applied = true;
      } catch (err) {
        r.missed = `kill: ${err.code}`;
      }
    };
    if (signal) kill(-demo.pid, signal);
    else if (p.fault === 'kill-tool') kill(tool, 'SIGKILL');
    else if (p.fault === 'docker-kill' || p.fault === 'docker-pause') {
      const d = await docker([p.fault === 'docker-kill' ? 'kill' : 'pause', DRY_RUN]);
      r.applied = d.ok;
      if (!d.ok) r.missed = d.stderr.split('\n')[0];
    } else if (p.fault === 'prod-restart') {
      const d = await docker(['restart', '-t', '5', PRODUCTION]);
      r.applied = d.ok;
      if (!d.ok) r.missed = d.stderr.split('\n')[0];
    } else if (p.fault === 'full-disk') {
      r.filled = fillUp(tmpfs);
      r.applied = true;
    }
    if (r.applied && !toolAlive) r.missed = 'the tool had exited';
  };

  let buf = '';
  const onData = (c) => {
    buf += c;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      log.push(line);
      const id = /^run id: (\S+)/.exec(line);
      if (id) r.runId ??= id[1];
      if (/^demo: production ready/.test(line) && !polling) {
        polling = true;
        void poll();
      }
      const res = RESULT_LINE.exec(line);
      if (res) seen.add(res[1]);
      if (!injected && ((trigger === null && id) || (res && res[1] === trigger)))
        injected = sleep(p.delay).then(inject);
    }
  };
  demo.stdout.on('data', onData);
  demo.stderr.on('data', onData);
  const exited = new Promise((done) => demo.on('exit', (code, signal) => done({ code, signal })));
  const timer = setTimeout(() => {
    r.timedOut = true;
    try {
      process.kill(-demo.pid, 'SIGKILL');
    } catch {}
  }, opts.timeout * 1000);
  const { code, signal } = await exited;
  clearTimeout(timer);
  await injected;
  r.exit = code;
  r.signal = signal;
  polling = false;
  // Killed with its group, the demo could not remove production: a last read-only look, then its own containers go (their owner is dead).
  const last = await productionChecksum();
  if (last) r.prod.push(last);
  await sleep(opts.grace * 1000);
  const d = dockerClient();
  for (const name of [DEMO_NAMES.production, DEMO_NAMES.protected])
    if (await removeSideServer(d, name, { staleOnly: true }).catch(() => false)) r.demoLeft.push(name);

  r.left = await labelledLeft(r.runId);
  r.names = await namesLeft();
  if (r.runId)
    for (const sub of ['runs', 'backups'])
      if (existsSync(join(root, sub, r.runId))) r.stateLeft.push(`${sub}/${r.runId}`);
  try {
    const rep = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    r.status = rep.execution_status;
    r.classification = rep.failure?.classification ?? null;
    r.failedAt = rep.failure?.gate ?? null;
    r.message = rep.failure?.message ?? null;
    // A run stopped before G2/G3 opened its state created nothing and recorded nothing in the state folder.
    r.createdNothing = rep.teardown ? rep.teardown.resources.length === 0 && rep.teardown.secrets.length === 0 : false;
    // A signal that reached the tool only once its verdict was decided changes nothing (README): not an interrupted run.
    if (r.applied && r.missed === null && onlyAfterVerdict(log, rep.provenance?.ended_at))
      r.missed = 'every signal reached the tool after its verdict was decided (the report stands)';
  } catch {}
  // The documented follow-up: it must say the run is finished (and finishes it when it is not).
  if (r.runId) {
    const t = await rehearse(['teardown', '--run-id', r.runId], tmpfs ? { PG_REHEARSE_STATE_DIR: tmpfs } : {});
    r.teardown = t.code;
    r.teardownLine = t.out.split('\n')[0];
  }
  if (tmpfs) {
    await rehearse(['teardown', '--stale'], { PG_REHEARSE_STATE_DIR: tmpfs });
    await unmount(tmpfs);
  }
  r.ms = Date.now() - t0;
  writeFileSync(join(work, `run-${p.n}.log`), log.join('\n') + '\n');
  current = null;
  return r;
}

/**
 * Whether the tool told of every signal it received as one after its verdict, each received at or
 * after the moment it names, which is the report's end (provenance.ended_at): a signal before it
 * is told as stopping the run (or received again), and then the run must not PASS.
 */
function onlyAfterVerdict(log, endedAt) {
  if (!endedAt) return false;
  const after = log
    .map((l) => /^SIG\w+ received at (\S+), after the verdict was decided at (\S+):/.exec(l))
    .filter(Boolean);
  const before = log.some((l) => /^SIG\w+ received(: stopping| again)/.test(l));
  return after.length > 0 && !before && after.every(([, at, decided]) => decided === endedAt && at >= decided);
}

function violations(r) {
  const v = [];
  const f = FAULTS[r.fault];
  const interrupted = f.interrupts && r.applied && r.missed === null;
  if (r.timedOut) v.push(`no end within ${opts.timeout} s`);
  if (!r.applied && !r.missed) v.push('fault never injected: the demo ended before its trigger');
  if (r.left > 0) v.push(`${r.left} labelled resources left`);
  if (r.names.length) v.push(`exact names left: ${r.names.join(', ')}`);
  if (r.stateLeft.length) v.push(`state folders left: ${r.stateLeft.join(', ')}`);
  if (interrupted && (r.status === 'PASS' || r.exit === 0)) v.push('PASS of an interrupted run');
  if (r.applied && r.classification === 'sut') v.push('`sut` for a fault of the environment');
  if (new Set(r.prod).size > 1) v.push('production changed');
  // `teardown --run-id` says finished (0); a run that created nothing was never recorded there (2, as documented).
  if (teardownBroken(r)) v.push(`teardown --run-id exit ${r.teardown}`);
  return v;
}

/**
 * `teardown --run-id` must say the run is finished (0). It answers 2 (never recorded) for a run
 * that stopped before G2/G3 opened its state: its report shows nothing created, or, killed with
 * no report, the fault went before G1's result line (the state opens after G1).
 */
function teardownBroken(r) {
  if (!r.runId || r.teardown === 0) return false;
  const neverOpened = r.createdNothing || (!r.status && (r.landed === 'G0' || r.landed === 'G1'));
  return !(r.teardown === 2 && neverOpened);
}

// ---- the runs
let stopping = false;
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    if (stopping) return;
    stopping = true;
    say(`chaos: ${sig}: stopping the demo under way, then its run is finished by its own teardown or reaper`);
    if (current) {
      try {
        process.kill(-current.demo.pid, 'SIGTERM');
      } catch {}
    }
  });
}

say(
  `chaos: ${opts.runs} runs of the demo, seed ${opts.seed} (replay: bash scripts/chaos --runs ${opts.runs} --seed ${opts.seed}${opts.faults.length < Object.keys(FAULTS).length ? ` --faults ${opts.faults.join(',')}` : ''}); grace ${opts.grace} s; logs in ${work}`,
);
const results = [];
for (const p of plan) {
  if (stopping) break;
  const r = await oneRun(p);
  r.violations = violations(r);
  results.push(r);
  const verdict = r.status
    ? `${r.status} ${r.classification ?? '-'}${r.failedAt ? ` (${r.failedAt})` : ''}`
    : r.signal
      ? `no report (demo ${r.signal})`
      : 'no report';
  const prod =
    r.prod.length === 0
      ? 'prod unread'
      : new Set(r.prod).size === 1
        ? `prod same (${r.prod.length} reads)`
        : `PROD CHANGED (${[...new Set(r.prod)].join(' ')})`;
  say(
    `chaos ${String(p.n).padStart(3)}/${opts.runs} ${p.fault.padEnd(12)} @${(r.landed ?? '-').padEnd(6)} (after ${(p.target === 'G0' ? 'run id' : GATES[GATES.indexOf(p.target) - 1]).padEnd(6)} +${String(p.delay).padStart(3)}ms)` +
      `  exit ${r.exit ?? r.signal}  ${verdict}${r.missed ? `  [missed: ${r.missed}]` : ''}  left ${r.left + r.names.length}  state ${r.stateLeft.length}  ${prod}` +
      `  teardown ${r.teardown ?? '-'}  ${(r.ms / 1000).toFixed(1)} s  ${r.violations.length ? `VIOLATION: ${r.violations.join('; ')}` : 'ok'}`,
  );
}

// ---- the table fault x gate: runs (and, after a `!`, how many broke a rule)
const cols = [...GATES, 'end'];
const w = Math.max(4, ...cols.map((c) => c.length + 1));
say('');
say(`${'fault \\ gate'.padEnd(14)}${cols.map((c) => c.padStart(w)).join('')}`);
for (const f of opts.faults) {
  const row = cols.map((g) => {
    const here = results.filter((r) => r.fault === f && r.landed === g);
    const bad = here.filter((r) => r.violations.length).length;
    return (here.length === 0 ? '.' : bad ? `${here.length}!${bad}` : String(here.length)).padStart(w);
  });
  say(`${f.padEnd(14)}${row.join('')}`);
}
say('(runs per fault and the gate it landed in; n!k: k of the n broke a rule)');
say('');
const count = (pred) => results.filter(pred).length;
const interrupted = (r) => FAULTS[r.fault].interrupts && r.applied && r.missed === null;
const ms = results.map((r) => r.ms).sort((a, b) => a - b);
const median = ms.length ? ms[Math.floor((ms.length - 1) / 2)] : 0;
const statuses = {};
for (const r of results) {
  const k = r.status ? `${r.status}${r.classification ? ` ${r.classification}` : ''}` : 'no report';
  statuses[k] = (statuses[k] ?? 0) + 1;
}
say(
  `chaos: runs ${results.length}; faults applied ${count((r) => r.applied)}, missed ${count((r) => r.missed !== null)}; verdicts: ${Object.entries(
    statuses,
  )
    .map(([k, n]) => `${k} ${n}`)
    .join(', ')}`,
);
say(
  `chaos: labelled resources left ${results.reduce((a, r) => a + r.left + r.names.length, 0)}; state folders left ${results.reduce((a, r) => a + r.stateLeft.length, 0)}; demo containers left by a killed demo (removed) ${results.reduce((a, r) => a + r.demoLeft.length, 0)}`,
);
say(
  `chaos: PASS of an interrupted run ${count((r) => interrupted(r) && (r.status === 'PASS' || r.exit === 0))}; \`sut\` of a fault ${count((r) => r.applied && r.classification === 'sut')}; production changed ${count((r) => new Set(r.prod).size > 1)} (${results.reduce((a, r) => a + r.prod.length, 0)} read-only checksums); teardown --run-id not 0: ${count(teardownBroken)}; timeouts ${count((r) => r.timedOut)}`,
);
say(`chaos: median run ${(median / 1000).toFixed(1)} s; total ${(ms.reduce((a, b) => a + b, 0) / 1000).toFixed(0)} s`);
const broken = results.filter((r) => r.violations.length);
if (broken.length || stopping) {
  say(
    `chaos: ${broken.length} of ${results.length} runs broke a rule${stopping ? ' (stopped early)' : ''}; logs and reports kept in ${work}`,
  );
  process.exit(1);
}
if (!opts.keep) rmSync(work, { recursive: true, force: true });
say(`chaos: ok${opts.keep ? `; logs and reports in ${work}` : ''}`);
