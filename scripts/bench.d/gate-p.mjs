// Side P of `scripts/bench --copy physical`, in its own node process so that its peak memory is the
// tool's alone: a physical copy as a rehearsal takes it, through the functions its gates call.
// G2 (gates/physical-backup.ts): the run's backup folder recorded as a secret before it exists and
// made 0700, takeBaseBackup (pg_basebackup -Fp -X stream -c fast --no-sync, CRC32C manifest), the
// manifest read and hashed, verifyBackup (pg_verifybackup). G3 (gates/physical-provision.ts):
// startServer with the `physical` start that physicalStart builds (the prepare script and its SQL,
// the netns holder, the copy sent in with `tar | docker cp -` before the container starts), given
// the few fields of a run's context it reads. Timed from the backup's start to the first query on
// the copy's data answered over TCP, on a session that checks this run's marker first, as every
// session to a physical copy does (G3's targets carry it: pg/session-marker.ts). Forked by bench.mjs; talks over IPC only (production's password
// arrives in a message, never in argv). Its run is closed in `finally` (the backup folder removed
// first); if this process is killed, the run's reaper finishes it, and bench.mjs calls finishRun.
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { descendants, procMemory, startSampler } from './proc-memory.mjs';
import { failureText, teardownOf } from './side-end.mjs';
import { firstAnswer } from './first-answer.mjs';

const ROOT = new URL('../../', import.meta.url).pathname;
const dist = (p) => import(join(ROOT, 'dist', p));
const { COPY_DATA_DIR, dockerClient, environmentNames, stateRoot, TOOL_ROLE } = await dist('engine/index.js');
const {
  dryRunServerSettings,
  newSessionMarker,
  parseBackupManifest,
  queryRows,
  readMarker,
  takeBaseBackup,
  verifyBackup,
} = await dist('pg/index.js');
const { sha256File } = await dist('evidence/index.js');
const { openRun, startServer, closeRun } = await dist('run/dry-run-environment.js');
const { BASE_BACKUP_ENTRY } = await dist('run/gates/physical-backup.js');
const { copyServerSettings, physicalStart, withInContainerVerify } = await dist('run/gates/physical-provision.js');
const { DEFAULT_PHYSICAL_COPY } = await dist('config/index.js');
const { newRunId } = await dist('run/run-id.js');
const { Interruption } = await dist('run/interruption.js');
const { silentProgress } = await dist('run/progress.js');

const send = (msg) => new Promise((done) => process.send(msg, done));

/** A rehearsal's plan with the local image and the config's defaults: session_audit auto (pgaudit), fast_restore true. */
const SERVER_SETTINGS = dryRunServerSettings({ sessionAudit: true, fastRestore: true, physicalDataDir: COPY_DATA_DIR });

/** G2 as physical-backup.ts runs it, with production.physical's defaults (fast checkpoint, no rate, CRC32C). */
async function baseBackup(run, dir, production, signal) {
  await run.journal.recordSecret(dir);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const dataDir = join(dir, BASE_BACKUP_ENTRY);
  let progressReports = 0;
  const backup = await takeBaseBackup({
    target: production,
    dataDir,
    checkpoint: 'fast',
    maxRate: null,
    manifestChecksums: 'CRC32C',
    signal,
    onProgress: () => progressReports++,
  });
  const tBackup = Date.now();
  const manifest = parseBackupManifest(await readFile(backup.manifestPath, 'utf8'));
  const manifestSha = await sha256File(backup.manifestPath);
  const verify = await verifyBackup(dataDir, signal);
  if (!manifest.walRanges[0]) throw new Error(`the base backup's manifest names no WAL range`);
  if (!verify.ok) throw new Error(`pg_verifybackup found the base backup damaged: ${verify.output.slice(0, 500)}`);
  return { backup, manifest, manifestSha, verify, tBackup, progressReports, dataDir };
}

/**
 * The fields of a run's context that physicalStart and a streamed G2 read (and `copied`, `backup`,
 * `rec.sections`, which they set); G2 runs inside G3 as the gate runner's runInner runs it.
 */
function streamedContext(run, runId, job, docker) {
  const gates = {};
  return {
    backup: null,
    plan: { serverSettings: SERVER_SETTINGS, streamedIntoContainer: job.transfer === 'stream', keepBackup: false },
    config: { production: { physical: { ...DEFAULT_PHYSICAL_COPY, transfer: job.transfer } } },
    production: job.production,
    names: environmentNames(job.name),
    docker,
    run,
    runId,
    progress: silentProgress,
    signal: interruption.signal,
    copied: null,
    prodStatements: [],
    replicationSqlRefusal: null,
    rec: { sections: {}, gate: (id) => gates[id] ?? { status: 'SKIPPED' } },
    runInner: async (id, _label, work) => {
      await work();
      gates[id] = { status: 'PASS' };
    },
  };
}

const job = await new Promise((resolve) => process.once('message', resolve));
const interruption = Interruption.install(() => {});
const docker = dockerClient();
let run = null;
let sampler = null;
let answering = null;
let result = null;
let failure = null;
const dir = join(job.work, `p-${job.label}`);
try {
  const runId = newRunId(new Date());
  await send({ type: 'run-id', runId });
  run = await openRun(runId, new Date(), stateRoot());
  // The reaper is a descendant too: it is not part of the copy.
  const ignore = new Set(descendants(process.pid));
  const baseline = procMemory(process.pid);
  sampler = startSampler(ignore);
  const streamed = job.transfer === 'stream';
  const t0 = Date.now();
  const g2 = streamed ? null : await baseBackup(run, dir, job.production, interruption.signal);
  const tVerified = Date.now();
  const ctx = streamedContext(run, runId, job, docker);
  if (g2) ctx.backup = { dir, path: g2.dataDir };
  const local = new AbortController();
  // As G3 gives a physical copy's targets: every fresh session checks this run's marker first.
  const marker = newSessionMarker(runId);
  const server = await withInContainerVerify(ctx, () =>
    startServer(
      docker,
      run,
      {
        names: environmentNames(job.name),
        image: job.image,
        database: job.production.database,
        settings: { ...SERVER_SETTINGS },
        physical: physicalStart(ctx, run),
        readiness: job.readiness,
      },
      silentProgress,
      interruption.signal,
      undefined,
      // The container has started (its prepare script gave the tool's role this run's password): poll beside readiness.
      async (env, password) => {
        answering = firstAnswer(
          { host: env.host, port: env.port, user: TOOL_ROLE, password, database: env.database, marker },
          local.signal,
          job.readiness.timeoutMs,
        );
        answering.catch(() => {}); // awaited below; startServer may fail first
      },
    ),
  ).catch((err) => {
    local.abort(err);
    throw err;
  });
  const readyAt = Date.now();
  const first = await answering;
  const memory = sampler.stop();
  const selfHwm = procMemory(process.pid).hwm;
  const dry = {
    host: server.env.host,
    port: server.env.port,
    user: TOOL_ROLE,
    password: server.password,
    database: server.env.database,
    marker,
  };
  const found = await readMarker(dry);
  if (found !== runId) throw new Error(`the copy carries the marker ${found}, not this run's ${runId}`);
  const counts = {};
  for (const table of job.tables)
    counts[table] = (await queryRows(dry, `select count(*)::bigint as n from ${table}`))[0].n.toString();
  const started = server.env.startedAt.getTime();
  const backupSection = ctx.rec.sections.backup;
  result = {
    transfer: job.transfer,
    ms: first.at - t0,
    // Streamed: pg_basebackup into the container is the send; it is verified in the container after the start.
    backup_ms: g2 ? g2.tBackup - t0 : 0,
    verify_ms: g2 ? tVerified - g2.tBackup : 0,
    // From the verified backup (streamed: the start) to the container's create call: the network and the netns holder.
    holder_ms: server.env.createdAt.getTime() - tVerified,
    send_ms: ctx.copied.ms,
    stream_bytes: ctx.copied.bytes,
    // The container's create and start calls, without the copy sent in between them.
    create_and_start_ms: started - server.env.createdAt.getTime() - ctx.copied.ms,
    start_to_first_ms: first.at - started,
    start_to_ready_ms: Math.max(0, readyAt - started),
    first_query_attempts: first.attempts,
    marker_sessions: marker.proved.sessions,
    manifest_bytes: g2 ? g2.manifest.bytes : backupSection.bytes,
    manifest_files: g2 ? g2.manifest.files : backupSection.physical.manifest_files,
    manifest_sha256: g2 ? g2.manifestSha : backupSection.manifest_sha256,
    progress_reports: g2 ? g2.progressReports : null,
    argv: g2 ? g2.backup.argv : backupSection.physical.argv,
    verify_argv: g2 ? g2.verify.argv : ['pg_verifybackup (in the container)'],
    verified: g2 ? g2.verify.ok : backupSection.verified,
    server_settings: copyServerSettings(ctx),
    counts,
    memory: { ...memory, self_hwm: selfHwm, baseline_rss: baseline.rss, baseline_hwm: baseline.hwm },
  };
} catch (err) {
  failure = failureText(err);
} finally {
  // Its interval would keep this process alive after a failure.
  sampler?.stop();
  await answering?.catch(() => {});
  // The bench's data, not a secret: removed here, so that closeRun does not overwrite a gigabyte to shred it.
  await rm(dir, { recursive: true, force: true });
  const teardown = await teardownOf(closeRun, docker, run, silentProgress);
  await send({ type: 'done', result, failure, teardown });
  interruption[Symbol.dispose]();
  if (process.connected) process.disconnect();
  process.exit(0);
}
