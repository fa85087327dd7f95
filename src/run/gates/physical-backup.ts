// G2 of a physical copy: a base backup of production over a replication connection (the whole
// cluster). With `transfer: folder` it is taken in plain format into the run's 0700 backup folder
// and verified there with pg_verifybackup before anything of it reaches the dry-run container (G3
// sends it); with `transfer: stream` (the default) it runs inside G3, one tar straight into the
// created container, and the image's pg_verifybackup checks it there before the server starts.
// Production is only read: a base backup writes nothing to it but asks it for a checkpoint (`fast`
// by default, `spread` in the config), which the report records with the WAL range.
import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PhysicalBackup } from '../../config/index.js';
import {
  COPY_DATA_DIR,
  COPY_PARENT_DIR,
  copyStdinInto,
  makeFolderInContainer,
  readContainerFile,
  type InContainerVerify,
} from '../../engine/index.js';
import { sha256File } from '../../evidence/index.js';
import {
  BACKUP_MANIFEST_FILE,
  parseBackupManifest,
  streamBaseBackup,
  takeBaseBackup,
  verifyBackup,
  type BackupManifest,
} from '../../pg/index.js';
import { openRun } from '../dry-run-environment.js';
import { GateFailure } from '../gate-failure.js';
import { bytesProgress } from '../progress.js';
import { need, type RunContext } from '../run-context.js';

const NO_GUARD =
  '  no `setpriv --pdeathsig` here (util-linux): had this process died, pg_basebackup would have gone on reading production';

/** The folder under the run's backup folder that holds the base backup (it is sent into the container as PGDATA). */
export const BASE_BACKUP_ENTRY = 'data';

/** What either transfer's pg_basebackup is given from the config and the run: production, its cost, progress. */
function backupOptions(ctx: RunContext, label: string) {
  const p = ctx.config.production.physical;
  const show = bytesProgress(ctx.progress, 'dump', { label });
  return {
    target: ctx.production,
    checkpoint: p.checkpoint,
    maxRate: p.max_rate ?? null,
    manifestChecksums: p.manifest_checksums,
    signal: ctx.signal,
    onProgress: (bytes: number) => show(bytes),
  };
}

export async function physicalBackupGate(ctx: RunContext): Promise<Record<string, unknown>> {
  const { config, plan, progress, runId } = ctx;
  const run = (ctx.run ??= await openRun(runId, ctx.now(), ctx.root));
  const dir = join(ctx.root, 'backups', runId);
  // Recorded before it exists: whatever is in it (a partial backup too) is shredded at teardown, even if the tool is killed.
  if (!plan.keepBackup) await run.journal.recordSecret(dir);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const dataDir = join(dir, BASE_BACKUP_ENTRY);
  ctx.backup = { dir, path: dataDir };
  const p = config.production.physical;
  const backup = await takeBaseBackup({ ...backupOptions(ctx, 'base backup'), dataDir });
  ctx.prodStatements.push(
    `${backup.argv.join(' ')} (a replication connection: IDENTIFY_SYSTEM, BASE_BACKUP with a ${p.checkpoint} checkpoint, and the WAL streamed alongside; it writes nothing to production)`,
  );
  if (!backup.orphanGuard) progress.note(NO_GUARD);
  const manifestText = await readFile(backup.manifestPath, 'utf8');
  const manifestSha = await sha256File(backup.manifestPath);
  const manifest = parseBackupManifest(manifestText);
  progress.event({ type: 'progress', what: 'dump', bytes: manifest.bytes, total_bytes: manifest.bytes });
  const verify = await verifyBackup(dataDir, ctx.signal);
  const wal = recordBackup(ctx, backup, manifest, manifestSha, {
    transfer: 'folder',
    path: dataDir,
    verify: { version: verify.version, ok: verify.ok, output: verify.output, where: 'host' },
  });
  if (!wal)
    throw new GateFailure('environment', `the base backup's manifest names no WAL range (${backup.manifestPath})`);
  if (!verify.ok)
    throw new GateFailure(
      'environment',
      `pg_verifybackup found the base backup damaged, so it was not copied: ${verify.output.split('\n').slice(0, 5).join('; ')}`,
    );
  return gateEvidence(manifest, manifestSha, true);
}

/** What G2's line in the report says of the backup. */
function gateEvidence(manifest: BackupManifest, manifestSha: string, verified: boolean): Record<string, unknown> {
  const wal = manifest.walRanges[0];
  return {
    bytes: manifest.bytes,
    files: manifest.files,
    manifest_sha256: manifestSha,
    verified,
    wal: wal ? `${wal.startLsn}..${manifest.walRanges.at(-1)?.endLsn} (timeline ${wal.timeline})` : 'none',
  };
}

type Verify = PhysicalBackup['verify'];
type Taken = { argv: string[]; ms: number; version: string; orphanGuard: string | null };

/** The report's `backup` section of a physical copy; the manifest's first WAL range (undefined: none). */
function recordBackup(
  ctx: RunContext,
  backup: Taken,
  manifest: BackupManifest,
  manifestSha: string,
  how: { transfer: 'stream' | 'folder'; path: string; verify: Verify },
): BackupManifest['walRanges'][number] | undefined {
  const p = ctx.config.production.physical;
  const wal = manifest.walRanges[0];
  ctx.rec.sections.backup = {
    kind: 'physical',
    path: how.path,
    kept: ctx.plan.keepBackup,
    format: 'physical',
    sha256: manifestSha,
    content_sha256: manifestSha,
    bytes: manifest.bytes,
    ms: backup.ms,
    manifest_sha256: manifestSha,
    verified: how.verify.ok,
    pg_dump_version: null,
    pg_dump_where: null,
    // A physical replication connection runs no SQL: G1 saw the server refuse it on one of this user's.
    read_only_session: ctx.replicationSqlRefusal !== null,
    physical: {
      transfer: how.transfer,
      sql_refused: ctx.replicationSqlRefusal,
      orphan_guard: backup.orphanGuard,
      pg_basebackup_version: backup.version,
      argv: backup.argv,
      checkpoint: p.checkpoint,
      max_rate: p.max_rate ?? null,
      manifest_checksums: p.manifest_checksums,
      timeline: wal?.timeline ?? 0,
      wal_start: wal?.startLsn ?? '',
      wal_end: manifest.walRanges.at(-1)?.endLsn ?? '',
      manifest_files: manifest.files,
      manifest_bytes: manifest.bytes,
      verify: how.verify,
    },
  };
  return wal;
}

/**
 * G2 of a streamed physical copy, run inside G3 once the container is created: one tar from
 * pg_basebackup straight into its PGDATA through the engine, its manifest read back from there.
 * pg_verifybackup runs in the container before its server starts (the prepare script), and G3
 * records its verdict (`recordInContainerVerify`).
 */
export async function physicalStreamGate(ctx: RunContext, containerId: string): Promise<Record<string, unknown>> {
  const { config, progress } = ctx;
  const run = need(ctx.run, 'the open run');
  const p = config.production.physical;
  await makeFolderInContainer(containerId, COPY_PARENT_DIR, BASE_BACKUP_ENTRY, run.dir);
  const backup = await streamBaseBackup({
    ...backupOptions(ctx, 'base backup, streamed into the container'),
    sink: copyStdinInto(containerId, COPY_DATA_DIR),
    sinkName: `container ${containerId.slice(0, 12)}`,
    work: run.dir,
  });
  ctx.prodStatements.push(
    `${backup.argv.join(' ')} (a replication connection: IDENTIFY_SYSTEM, BASE_BACKUP with a ${p.checkpoint} checkpoint, and the WAL fetched at its end; it writes nothing to production)`,
  );
  if (!backup.orphanGuard) progress.note(NO_GUARD);
  ctx.copied = { sha256: backup.sha256, bytes: backup.bytes, ms: backup.ms };
  const manifestBytes = await readContainerFile(containerId, `${COPY_DATA_DIR}/${BACKUP_MANIFEST_FILE}`);
  const manifestSha = createHash('sha256').update(manifestBytes).digest('hex');
  const manifest = parseBackupManifest(manifestBytes.toString('utf8'));
  progress.event({ type: 'progress', what: 'dump', bytes: manifest.bytes, total_bytes: manifest.bytes });
  const wal = recordBackup(ctx, backup, manifest, manifestSha, {
    transfer: 'stream',
    path: `${ctx.names.container}:${COPY_DATA_DIR}`,
    verify: { version: null, ok: false, output: VERIFY_PENDING, where: 'container' },
  });
  if (!wal) throw new GateFailure('environment', `the base backup's manifest names no WAL range (in ${COPY_DATA_DIR})`);
  const { verified: _pending, ...evidence } = gateEvidence(manifest, manifestSha, false);
  return {
    ...evidence,
    streamed_into_container: true,
    verify: "in the container, before its server starts (G3; the report's backup.physical.verify)",
  };
}

/** The verify step's place holder until G3 reads its verdict in the container's log. */
const VERIFY_PENDING = "not yet run: the container's prepare step runs pg_verifybackup before its server starts";

/** G3, once the streamed copy's server answers: the in-container pg_verifybackup's verdict, from its log. */
export function recordInContainerVerify(ctx: RunContext, found: InContainerVerify | null): void {
  const backup = need(ctx.rec.sections.backup, "G2's backup section");
  const physical = need(backup.physical, "G2's physical backup section");
  physical.verify = found
    ? { ...found, where: 'container' }
    : { version: null, ok: false, output: "the container's log holds no pg_verifybackup output", where: 'container' };
  backup.verified = physical.verify.ok;
  if (!physical.verify.ok)
    throw new GateFailure(
      'environment',
      `pg_verifybackup in the container did not say the streamed base backup is whole: ${physical.verify.output.split('\n').slice(0, 5).join('; ')}`,
    );
}
