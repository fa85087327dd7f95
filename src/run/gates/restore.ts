// G4 restore: roles, their per-run passwords, the dump, the grants; then the privileges in force
// against the matrix, and the dry-run server's own system identifier. On a cache hit nothing is
// restored, but every check of the gate still runs; on a miss with the cache on, the restored
// server is saved as a snapshot. A physical copy's G4 is physical-restore.ts.
import { commitSnapshot, TOOL_ROLE } from '../../engine/index.js';
import { restoreDump, runSqlFile, serverIdentity, setRolePasswords, type PgTarget } from '../../pg/index.js';
import { execPsql } from '../cached-restore.js';
import { GateFailure, StoppedByGate } from '../gate-failure.js';
import { bytesProgress } from '../progress.js';
import { need, type RunContext } from '../run-context.js';
import { backupGate } from './backup.js';
import { grantDifferences, sessionAudit, sqlArtefact, throwOnDifferences } from './grant-check.js';
import { physicalRestoreGate } from './physical-restore.js';

type Restored = { ms: number; bytes: number; tool: string; jobs: number };

export async function restoreGate(ctx: RunContext): Promise<Record<string, unknown>> {
  if (ctx.plan.copy === 'physical') return physicalRestoreGate(ctx);
  const { cache, inputs, rec, signal } = ctx;
  const dry = need(ctx.dryRun, "G3's dry-run server");
  const tool = dry.target(TOOL_ROLE);
  let restore: Restored | null = null;
  if (!cache.hit) {
    await sqlArtefact(ctx, 'roles', () =>
      runSqlFile(tool, need(ctx.paths.roles, 'the roles SQL'), { singleTransaction: true }),
    );
    await setRolePasswords(tool, dry.rolePasswords);
    restore = await restoreTheDump(ctx, tool);
    await sqlArtefact(ctx, 'grants', () => runSqlFile(tool, ctx.paths.grants, { singleTransaction: true }));
  } else {
    // Fresh per-run passwords for every role before anything else connects.
    await setRolePasswords(tool, dry.rolePasswords);
  }
  const differences = await grantDifferences(ctx, tool);
  const identity = await serverIdentity(tool);
  signal.throwIfAborted();
  need(rec.sections.env, "G3's environment section").sysid = identity.systemIdentifier;
  throwOnDifferences(differences);
  if (identity.systemIdentifier === need(rec.sections.production, "G1's production section").sysid_pre)
    throw new GateFailure('tool', 'the dry-run server has the system identifier of production: refusing to go on');
  const audit = await sessionAudit(ctx, tool);
  if (cache.enabled && !cache.hit && cache.key) await saveSnapshot(ctx, cache.key);
  return {
    session_audit: audit ?? 'off',
    cache_hit: cache.hit,
    restore_ms: restore?.ms ?? 0,
    restore_bytes: restore?.bytes ?? 0,
    restore_tool: restore?.tool ?? 'none (cache hit)',
    restore_jobs: restore?.jobs ?? 0,
    grant_differences: differences.length,
    sysid: identity.systemIdentifier,
  };
}

/** The dump into the dry-run database: streamed from G2 run here, or the file G2 wrote. */
async function restoreTheDump(ctx: RunContext, tool: PgTarget): Promise<Restored> {
  if (ctx.plan.dump.streamedIntoRestore) {
    await ctx.runInner('G2', 'backup', () => backupGate(ctx, tool));
    if (ctx.rec.gate('G2').status !== 'PASS')
      throw new StoppedByGate('G2', 'the backup streaming into this restore failed');
    const outcome = need(ctx.streamedRestore, 'the outcome of the restore G2 streamed into');
    if (!outcome.ok) throw outcome.error;
    return { ...outcome.result, tool: "psql, streamed from G2's pg_dump" };
  }
  return restoreDump(
    tool,
    { path: need(ctx.backup, "G2's backup").path, format: ctx.plan.dump.format },
    {
      signal: ctx.signal,
      // The dump's file is whole: its size is the restore's total.
      onProgress: bytesProgress(ctx.progress, 'restore', { totalBytes: ctx.rec.sections.backup?.bytes ?? null }),
    },
  );
}

/** Checkpoint first, so the paused copy holds every restored page. */
async function saveSnapshot(ctx: RunContext, key: string): Promise<void> {
  const server = need(ctx.dryRun, "G3's dry-run server").started;
  ctx.signal.throwIfAborted();
  await execPsql(ctx.docker, server.env.containerId, server.env.database, 'CHECKPOINT');
  const snap = await ctx.watchdog.ownPause(() => commitSnapshot(ctx.docker, server.env.containerId, key, ctx.now()));
  ctx.cache.saved = true;
  ctx.cache.snapshot = snap.tag;
  ctx.progress.note(`  cache: saved ${snap.tag}`);
}
