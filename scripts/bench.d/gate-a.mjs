// Side A of scripts/bench, in its own node process so that its peak memory is the tool's alone:
// a dry-run server provisioned exactly as `rehearse run` does (openRun, startServer with
// LOG_SETTINGS + FAST_RESTORE_SETTINGS, closeRun), then the backup streamed into the restore as a
// run without a cache does it (dumpIntoRestore), or, for an archive or --sequential, the backup
// gate's dumpDatabase into a file and restoreDump into that server. When the job carries a snapshot key (one run of the bench), the
// restored server is then checkpointed and committed as a cached-restore snapshot of that key, as
// the rehearsal's G4 does on a cache miss (bench.mjs removes it). Forked by bench.mjs; talks over IPC only (production's
// password arrives in a message, never in argv). Its run is closed in `finally`; if this process
// is killed, the run's reaper finishes it, and bench.mjs calls finishRun with the run id it was sent.
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { descendants, procMemory, startSampler } from './proc-memory.mjs';
import { failureText, teardownOf } from './side-end.mjs';

const ROOT = new URL('../../', import.meta.url).pathname;
const dist = (p) => import(join(ROOT, 'dist', p));
const { commitSnapshot, defaultImage, dockerClient, environmentNames, findSnapshot, stateRoot, TOOL_ROLE } =
  await dist('engine/index.js');
const { connect, dumpDatabase, dumpIntoRestore, FAST_RESTORE_SETTINGS, LOG_SETTINGS, restoreDump, queryRows } =
  await dist('pg/index.js');
const { openRun, startServer, closeRun } = await dist('run/dry-run-environment.js');
const { execPsql } = await dist('run/cached-restore.js');
const { newRunId } = await dist('run/run-id.js');
const { Interruption } = await dist('run/interruption.js');
const { silentProgress } = await dist('run/progress.js');

const send = (msg) => new Promise((done) => process.send(msg, done));

const job = await new Promise((resolve) => process.once('message', resolve));
const interruption = Interruption.install(() => {});
const docker = dockerClient();
const root = stateRoot();
let run = null;
let sampler = null;
let result = null;
let failure = null;
const work = join(job.work, `a-${job.label}`);
try {
  const runId = newRunId(new Date());
  await send({ type: 'run-id', runId });
  const settings = { ...LOG_SETTINGS, ...FAST_RESTORE_SETTINGS };
  const tProvision = performance.now();
  run = await openRun(runId, new Date(), root);
  const names = environmentNames(job.name);
  const server = await startServer(
    docker,
    run,
    {
      names,
      image: job.image ?? defaultImage(),
      database: job.production.database,
      settings,
      readiness: job.readiness,
    },
    silentProgress,
    interruption.signal,
  );
  const provisionMs = Math.round(performance.now() - tProvision);
  // From the container's start (the engine's State.StartedAt) to readiness: the rehearsal's start_to_ready_ms.
  const startToReadyMs = Math.max(0, Date.now() - server.env.startedAt.getTime());
  const dry = {
    host: server.env.host,
    port: server.env.port,
    user: TOOL_ROLE,
    password: server.password,
    database: server.env.database,
  };
  const inForce = await queryRows(
    dry,
    `select name, setting, coalesce(unit, '') as unit from pg_settings where name = any('{${Object.keys(settings).join(',')}}'::text[]) order by name`,
  );

  await mkdir(work, { recursive: true, mode: 0o700 });
  const file = join(
    work,
    `${job.production.database}.${{ plain: 'sql', custom: 'dump', directory: 'dir' }[job.format]}`,
  );
  // The reaper is a descendant too: it is not part of the gates.
  const ignore = new Set(descendants(process.pid));
  // What the process holds before the gates start: mostly the modules a `rehearse run` loads.
  const baseline = procMemory(process.pid);
  sampler = startSampler(ignore);
  const t0 = performance.now();
  let dump;
  let restore;
  let tDumped;
  if (job.format === 'plain' && !job.sequential) {
    // As `rehearse run` does without a cache: the dump streams into the restore while it is hashed and written.
    const streamed = await dumpIntoRestore(
      { target: job.production, file, signal: interruption.signal },
      { target: dry },
    );
    tDumped = performance.now();
    if (!streamed.restore.ok) throw streamed.restore.error;
    ({ dump } = streamed);
    restore = { ...streamed.restore.result, tool: 'psql (streamed from pg_dump)' };
  } else {
    dump = await dumpDatabase({ target: job.production, file, format: job.format, signal: interruption.signal });
    tDumped = performance.now();
    restore = await restoreDump(
      dry,
      { path: file, format: job.format },
      { jobs: job.jobs ?? undefined, signal: interruption.signal },
    );
  }
  const t1 = performance.now();
  const memory = sampler.stop();
  const selfHwm = procMemory(process.pid).hwm;

  const counts = {};
  for (const table of job.tables)
    counts[table] = (await queryRows(dry, `select count(*)::bigint as n from ${table}`))[0].n.toString();

  // The cache miss's save, as the rehearsal's G4 does it: CHECKPOINT over the socket, then commit.
  let snapshot = null;
  if (job.snapshot) {
    // Refuse, never adopt: a snapshot of this key that the bench did not make is left alone.
    if (await findSnapshot(docker, job.snapshot.key))
      throw new Error(
        `a snapshot of the bench's key ${job.snapshot.key.slice(0, 12)} already exists: refusing to commit over it`,
      );
    const tCheckpoint = performance.now();
    await execPsql(docker, server.env.containerId, server.env.database, 'CHECKPOINT');
    const tCommit = performance.now();
    const snap = await commitSnapshot(docker, server.env.containerId, job.snapshot.key, new Date());
    snapshot = {
      tag: snap.tag,
      image_id: snap.imageId,
      bytes: snap.bytes,
      checkpoint_ms: Math.round(tCommit - tCheckpoint),
      commit_ms: Math.round(performance.now() - tCommit),
    };
  }
  result = {
    ms: Math.round(t1 - t0),
    streamed: restore.tool.includes('streamed'),
    dump_ms: Math.round(tDumped - t0),
    // Streamed, the restore ends with the dump: the pass is the restore's time too.
    restore_ms: restore.tool.includes('streamed') ? Math.round(t1 - t0) : Math.round(t1 - tDumped),
    provision_ms: provisionMs,
    start_to_ready_ms: startToReadyMs,
    dump_bytes: dump.bytes,
    pg_dump_version: dump.pgDumpVersion,
    restore_tool: restore.tool,
    restore_jobs: restore.jobs,
    restore_argv: restore.argv,
    settings,
    in_force: inForce,
    counts,
    snapshot,
    memory: { ...memory, self_hwm: selfHwm, baseline_rss: baseline.rss, baseline_hwm: baseline.hwm },
  };
} catch (err) {
  failure = failureText(err);
} finally {
  // Its interval would keep this process alive after a failure.
  sampler?.stop();
  const teardown = await teardownOf(closeRun, docker, run, silentProgress);
  await rm(work, { recursive: true, force: true });
  await send({ type: 'done', result, failure, teardown });
  interruption[Symbol.dispose]();
  if (process.connected) process.disconnect();
  process.exit(0);
}
