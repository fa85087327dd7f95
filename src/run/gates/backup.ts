// G2 backup: pg_dump of production, read-only, into a 0600 file of a 0700 folder outside --out.
// A plain dump without a cache streams into G4's restore as it is written (G2 runs inside G4,
// after the roles): the restore does not wait for the whole dump. A cached restore needs the
// dump's hash before G3 (its key), and an archive its whole file: those run in order.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  chooseDumpRunner,
  clientToolVersion,
  dumpDatabase,
  dumpIntoRestore,
  parseServerMajor,
  type DumpResult,
  type PgTarget,
} from '../../pg/index.js';
import type { DumpFootprint } from '../../config/index.js';
import { openRun } from '../dry-run-environment.js';
import { withDumpFootprint } from '../dump-footprint.js';
import { GateFailure } from '../gate-failure.js';
import { bytesProgress } from '../progress.js';
import { need, type RunContext } from '../run-context.js';

const EXTENSION = { plain: 'sql', custom: 'dump', directory: 'dir' } as const;

/** G2's work: the dump, streamed into the dry-run database `into` when given (the outcome of that restore is kept for G4). */
export async function backupGate(ctx: RunContext, into: PgTarget | null): Promise<Record<string, unknown>> {
  const { config, plan, progress, runId } = ctx;
  const where = await dumpRunner(ctx);
  // The run's state file (and its reaper) exist before the backup's folder does: the folder is
  // recorded first, so that whatever is in it (a partial dump, a directory dump, the streamed
  // restore's FIFOs) is shredded at teardown even if the tool is killed.
  const run = (ctx.run ??= await openRun(runId, ctx.now(), ctx.root));
  const dir = join(ctx.root, 'backups', runId);
  if (!plan.keepBackup) await run.journal.recordSecret(dir);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, `${ctx.production.database}-${runId}.${EXTENSION[plan.dump.format]}`);
  ctx.backup = { dir, path };
  const production = need(ctx.rec.sections.production, "G1's production section");
  const watched = {
    production: ctx.production,
    lockWaitTimeoutMs: config.production.lock_wait_timeout_ms,
    secrets: ctx.secrets,
    statements: ctx.prodStatements,
    record: (footprint: DumpFootprint) => (production.dump_footprint = footprint),
    signal: ctx.signal,
  };
  const dump = await withDumpFootprint(watched, async (watch): Promise<DumpResult> => {
    if (!into)
      return dumpDatabase({
        target: ctx.production,
        file: path,
        format: config.production.dump_format,
        signal: ctx.signal,
        onProgress: bytesProgress(progress, 'dump'),
        ...watch,
      });
    const out = await dumpIntoRestore(
      {
        target: ctx.production,
        file: path,
        signal: ctx.signal,
        onProgress: bytesProgress(progress, 'dump', { label: 'dump (streamed into the restore)' }),
        ...watch,
      },
      { target: into, syncFile: plan.keepBackup },
    );
    ctx.streamedRestore = out.restore;
    return out.dump;
  });
  // Its size is known now that it has ended: the last progress says so.
  progress.event({ type: 'progress', what: 'dump', bytes: dump.bytes, total_bytes: dump.bytes });
  ctx.prodStatements.push(
    'show transaction_read_only (a session opened with PGOPTIONS=-c default_transaction_read_only=on, proving it read-only)',
    `${dump.argv.join(' ')} (the same read-only session options; pg_dump's own catalog reads in its read-only repeatable-read transaction)`,
  );
  ctx.rec.sections.backup = {
    kind: 'logical',
    path: dump.path,
    kept: plan.keepBackup,
    format: dump.format,
    sha256: dump.sha256,
    content_sha256: dump.contentSha256,
    bytes: dump.bytes,
    ms: dump.ms,
    pg_dump_version: dump.pgDumpVersion,
    pg_dump_where: where,
    read_only_session: dump.readOnlySession,
    manifest_sha256: null,
    verified: null,
    physical: null,
  };
  if (!dump.readOnlySession)
    throw new GateFailure('environment', 'the dump session did not prove read-only (transaction_read_only was not on)');
  return {
    bytes: dump.bytes,
    sha256: dump.sha256,
    content_sha256: dump.contentSha256,
    streamed_into_restore: into !== null,
  };
}

/** Where pg_dump runs: on the host, when its major version can dump production's. */
async function dumpRunner(ctx: RunContext): Promise<string> {
  const host = await clientToolVersion('pg_dump');
  const prodMajor = parseServerMajor(need(ctx.prodIdentity, "production's identity").serverVersionNum);
  const runner = chooseDumpRunner({
    hostClientMajor: host.major,
    serverMajor: prodMajor,
    productionIsContainer: Boolean(ctx.config.production.container),
  });
  if (runner.where !== 'host') {
    throw new GateFailure(
      'environment',
      `production runs PostgreSQL ${prodMajor}, newer than this host's pg_dump ${host.version ?? '(missing)'}; a pg_dump ${runner.where === 'container-exec' ? "inside production's container" : `in a container of PostgreSQL ${prodMajor}`} is needed and this version of pg-rehearse runs it on the host only`,
    );
  }
  const where = `host pg_dump ${host.version}`;
  ctx.pgDump = { version: host.version, where };
  return where;
}
