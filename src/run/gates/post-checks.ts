// G8 post-checks: production and the protected environments exactly as before the run.
import { containerIdentity, containerSysid, sameContainer } from '../../engine/index.js';
import { IDENTITY_QUERY, serverIdentity } from '../../pg/index.js';
import { GateFailure } from '../gate-failure.js';
import { raiseAlerts } from '../run-alerts.js';
import type { RunContext } from '../run-context.js';

export async function postChecksGate(ctx: RunContext): Promise<Record<string, unknown>> {
  const p = ctx.rec.sections.production;
  if (!p) return { skipped: 'production was not reached' };
  const { config, docker } = ctx;
  ctx.prodStatements.push('BEGIN READ ONLY', IDENTITY_QUERY, 'COMMIT');
  const post = await serverIdentity(ctx.production).catch(() => null);
  p.sysid_post = post?.systemIdentifier ?? null;
  p.start_post = post?.postmasterStart ?? null;
  if (config.production.container) p.container_post = await containerIdentity(docker, config.production.container);
  const containerOk = config.production.container ? sameContainer(p.container_pre, p.container_post) : true;
  p.unchanged =
    post !== null && post.systemIdentifier === p.sysid_pre && post.postmasterStart === p.start_pre && containerOk;
  const changed: string[] = [];
  if (!p.unchanged)
    changed.push(
      `PRODUCTION CHANGED DURING THE RUN: system identifier ${p.sysid_pre} -> ${p.sysid_post ?? 'unreachable'}, postmaster start ${p.start_pre} -> ${p.start_post ?? 'unreachable'}${config.production.container ? `, container ${p.container_pre?.started_at} -> ${p.container_post?.started_at ?? 'gone'}` : ''}; this run cannot claim production untouched`,
    );
  const envs = ctx.rec.sections.protected_envs ?? [];
  for (const e of envs) {
    e.post = await containerIdentity(docker, e.name);
    e.sysid_post = e.post ? await containerSysid(docker, e.post.id) : null;
    e.unchanged = sameContainer(e.pre, e.post) && e.sysid_post === e.sysid_pre;
    if (!e.unchanged)
      changed.push(
        `PROTECTED ENVIRONMENT ${e.name} CHANGED: ${e.pre?.id.slice(0, 12)} started ${e.pre?.started_at} -> ${e.post ? `${e.post.id.slice(0, 12)} started ${e.post.started_at}, running ${e.post.running}` : 'gone'}`,
      );
  }
  raiseAlerts(ctx.rec, ctx.progress, changed);
  if (changed.length > 0) throw new GateFailure('environment', changed.join('; '));
  return {
    production_unchanged: p.unchanged,
    protected_envs_unchanged: envs.filter((e) => e.unchanged).length,
  };
}
