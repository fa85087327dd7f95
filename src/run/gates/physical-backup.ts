// G2 of a physical copy: a base backup of production over a replication connection (the whole
// cluster), in plain format into the run's 0700 backup folder, then verified there with
// pg_verifybackup against its manifest before anything of it reaches the dry-run container (G3).
// Production is only read: a base backup writes nothing to it but asks it for a checkpoint (`fast`
// by default, `spread` in the config), which the report records with the WAL range.
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256File } from '../../evidence/index.js';
import { parseBackupManifest, takeBaseBackup, verifyBackup } from '../../pg/index.js';
import { openRun } from '../dry-run-environment.js';
import { GateFailure } from '../gate-failure.js';
import { bytesProgress } from '../progress.js';
import type { RunContext } from '../run-context.js';

/** The folder under the run's backup folder that holds the base backup (it is sent into the container as PGDATA). */
export const BASE_BACKUP_ENTRY = 'data';

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
  const show = bytesProgress(progress, 'dump', { label: 'base backup' });
  const backup = await takeBaseBackup({
    target: ctx.production,
    dataDir,
    checkpoint: p.checkpoint,
    maxRate: p.max_rate ?? null,
    manifestChecksums: p.manifest_checksums,
    signal: ctx.signal,
    onProgress: (bytes) => show(bytes),
  });
  ctx.prodStatements.push(
    `${backup.argv.join(' ')} (a replication connection: IDENTIFY_SYSTEM, BASE_BACKUP with a ${p.checkpoint} checkpoint, and the WAL streamed alongside; it writes nothing to production)`,
  );
  if (!backup.orphanGuard)
    progress.note(
      '  no `setpriv --pdeathsig` here (util-linux): had this process died, pg_basebackup would have gone on reading production',
    );
  const manifestText = await readFile(backup.manifestPath, 'utf8');
  const manifest = parseBackupManifest(manifestText);
  const manifestSha = await sha256File(backup.manifestPath);
  progress.event({ type: 'progress', what: 'dump', bytes: manifest.bytes, total_bytes: manifest.bytes });
  const verify = await verifyBackup(dataDir, ctx.signal);
  const wal = manifest.walRanges[0];
  ctx.rec.sections.backup = {
    kind: 'physical',
    path: dataDir,
    kept: plan.keepBackup,
    format: 'physical',
    sha256: manifestSha,
    content_sha256: manifestSha,
    bytes: manifest.bytes,
    ms: backup.ms,
    manifest_sha256: manifestSha,
    verified: verify.ok,
    pg_dump_version: null,
    pg_dump_where: null,
    // A physical replication connection runs no SQL: G1 saw the server refuse it on one of this user's.
    read_only_session: ctx.replicationSqlRefusal !== null,
    physical: {
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
      verify: { version: verify.version, ok: verify.ok, output: verify.output },
    },
  };
  if (!wal)
    throw new GateFailure('environment', `the base backup's manifest names no WAL range (${backup.manifestPath})`);
  if (!verify.ok)
    throw new GateFailure(
      'environment',
      `pg_verifybackup found the base backup damaged, so it was not copied: ${verify.output.split('\n').slice(0, 5).join('; ')}`,
    );
  return {
    bytes: manifest.bytes,
    files: manifest.files,
    manifest_sha256: manifestSha,
    verified: true,
    wal: `${wal.startLsn}..${manifest.walRanges.at(-1)?.endLsn} (timeline ${wal.timeline})`,
  };
}
