// G3 provision: the exact-named dry-run server, with per-run passwords and statement logging,
// from a cached snapshot when one matches this run's dump, roles, grants and image; then the
// container runner when the system under test runs in containers.
import { cacheKey, defaultImage, findSnapshot, generatePassword, TOOL_ROLE } from '../../engine/index.js';
import { HostStepRunner } from '../../scenario/index.js';
import { resetToolPassword } from '../cached-restore.js';
import { openRun, startServer, type StartedServer } from '../dry-run-environment.js';
import { healthBaseline } from '../environment-health.js';
import { newSessionMarker, type SessionMarker } from '../../pg/index.js';
import { need, type DryRun, type RunContext } from '../run-context.js';
import { copyServerSettings, physicalStart, withInContainerVerify } from './physical-provision.js';
import { provisionRunner } from './provision-runner.js';

export async function provisionGate(ctx: RunContext): Promise<Record<string, unknown>> {
  const { config, plan, rec, names, cache } = ctx;
  const run = (ctx.run ??= await openRun(ctx.runId, ctx.now(), ctx.root));
  const image = await cachedImage(ctx);
  const r = config.environment.readiness;
  const server = await withInContainerVerify(ctx, () =>
    startServer(
      ctx.docker,
      run,
      {
        names,
        image,
        database: ctx.production.database,
        settings: { ...plan.serverSettings },
        physical: plan.copy === 'physical' ? physicalStart(ctx, run) : undefined,
        readiness: { consecutive: r.consecutive, intervalMs: r.interval_ms, timeoutMs: r.timeout_ms },
      },
      ctx.progress,
      ctx.signal,
      undefined,
      // A snapshot carries the passwords of the run that made it: set this run's tool password first, over the socket.
      cache.hit
        ? (env, password) =>
            resetToolPassword(ctx.docker, env.containerId, env.database, password, r.timeout_ms, ctx.signal)
        : undefined,
    ),
  );
  ctx.secrets.push(server.password);
  ctx.secretOwners.set(server.password, `the tool's own role (${TOOL_ROLE})`);
  ctx.health = await healthBaseline(ctx.docker, server, null);
  ctx.watchdog.start(() => ctx.health);
  for (const retry of server.readiness.retries)
    rec.retries.push({ gate: 'G3', attempt: retry.attempt, at: retry.at, reason: retry.reason });
  const rolePasswords: Record<string, string> = {};
  for (const role of ctx.inputs.roles) {
    rolePasswords[role] = generatePassword();
    ctx.secrets.push(rolePasswords[role]);
    ctx.secretOwners.set(rolePasswords[role], role);
  }
  cache.start_to_ready_ms = Math.max(0, Date.now() - server.env.startedAt.getTime());
  ctx.dryRun = dryRunOf(server, rolePasswords, plan.copy === 'physical' ? newSessionMarker(ctx.runId) : undefined);
  if (plan.container) await provisionRunner(ctx, plan.container, server);
  else
    ctx.stepRunner = new HostStepRunner({
      sutPath: ctx.paths.sut,
      sutRoot: ctx.sutRealPath,
      passFiles: { dir: run.dir, record: (p) => run.journal.recordSecret(p) },
    });
  rec.sections.env = {
    run_id: ctx.runId,
    container: names.container,
    network: names.network,
    image: server.env.image,
    image_id: ctx.imageId ?? '',
    port: server.env.port,
    database: server.env.database,
    server_version: server.readiness.serverVersion,
    sysid: null,
    settings: plan.copy === 'physical' ? copyServerSettings(ctx) : { ...plan.serverSettings },
    readiness: {
      signal: server.readiness.signal,
      attempts: server.readiness.attempts,
      ms: server.readiness.ms,
      retries: server.readiness.retries.length,
    },
    roles: ctx.inputs.roles,
    identity_proof: plan.copy === 'physical' ? 'marker' : 'sysid',
    marker_absent_on_production: null,
    marker_sessions: null,
    copy: null,
    cache,
  };
  return {
    container: names.container,
    port: server.env.port,
    readiness_ms: server.readiness.ms,
    cache: cache.enabled ? (cache.hit ? 'hit' : 'miss') : 'off',
  };
}

/** The image the server starts from: a cached snapshot keyed by this run's dump (a changed production is always a miss), else the configured one. */
async function cachedImage(ctx: RunContext): Promise<string> {
  const { cache, rec } = ctx;
  const baseImage = ctx.config.environment.image ?? defaultImage();
  if (!cache.enabled) return baseImage;
  const sha = (kind: string) =>
    need(
      rec.artefacts.find((a) => a.kind === kind),
      `the ${kind} artefact`,
    ).sha256;
  cache.key = cacheKey({
    dumpContentSha256: need(rec.sections.backup, "G2's backup").content_sha256,
    rolesSha256: sha('roles'),
    grantsSha256: sha('grants'),
    baseImageId: need(ctx.imageId, "G1's image id"),
    settings: { ...ctx.plan.serverSettings },
  });
  const snap = await findSnapshot(ctx.docker, cache.key);
  if (snap) {
    cache.hit = true;
    cache.snapshot = snap.tag;
    cache.age_s = snap.createdAt ? Math.round((ctx.now().getTime() - Date.parse(snap.createdAt)) / 1000) : null;
  }
  ctx.progress.note(
    `  cache ${cache.hit ? `hit: ${cache.snapshot}, ${cache.age_s} s old` : 'miss'} (key ${cache.key.slice(0, 12)})`,
  );
  return snap ? snap.tag : baseImage;
}

/** The dry-run server's targets; a physical copy's carry the marker every fresh session must find. */
function dryRunOf(server: StartedServer, rolePasswords: Record<string, string>, marker?: SessionMarker): DryRun {
  const { host, port, database } = server.env;
  const base = { host, port, database, ...(marker ? { marker } : {}) };
  return {
    started: server,
    rolePasswords,
    target: (role) =>
      role === TOOL_ROLE
        ? { ...base, user: TOOL_ROLE, password: server.password }
        : { ...base, user: role, password: need(rolePasswords[role], `the password of role ${role}`) },
  };
}
