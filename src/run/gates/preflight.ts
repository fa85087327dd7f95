// G1 preflight: the state folder, the engine, the images, the exact names free, production (its
// identity and the watched tables, read-only) and the protected environments; then the checkout.
import { readFile } from 'node:fs/promises';
import {
  assertNamesFree,
  assertRunnerNamesFree,
  checkEngine,
  containerIdentity,
  containerSysid,
  copyNetnsName,
  defaultImage,
  defaultRunnerImage,
  findContainerByName,
  inspectImage,
  runnerNames,
  type ContainerIdentity,
} from '../../engine/index.js';
import { NameTakenError, withKnob } from '../../errors.js';
import { redact } from '../../evidence/index.js';
import {
  connectionFailureHint,
  describeConnectionFailure,
  IDENTITY_QUERY,
  MISSING_TABLES_QUERY,
  serverPreflight,
} from '../../pg/index.js';
import { GateFailure } from '../gate-failure.js';
import { checkStateFolder } from '../out-dir.js';
import { need, type RunContext } from '../run-context.js';
import { checkoutPreflight } from './preflight-checkout.js';
import { physicalPreflight } from './preflight-physical.js';

export async function preflightGate(ctx: RunContext): Promise<Record<string, unknown>> {
  const { config, docker, names } = ctx;
  const stateFault = await checkStateFolder(ctx.root);
  if (stateFault) throw stateFault;
  const engine = await checkEngine(docker);
  // What to do names the config key a user of `run` sets (the engine's errors name provision's flags).
  const knob = (key: string) => (err: unknown) => {
    throw withKnob(err, `\`${key}\` in the config`);
  };
  const image = await inspectImage(docker, config.environment.image ?? defaultImage()).catch(knob('environment.image'));
  ctx.imageId = image.id;
  await assertNamesFree(docker, names).catch(knob('environment.name'));
  const physicalCopy = ctx.plan.copy === 'physical';
  // The holder of a network namespace (the steps', a physical copy's) always runs the local runner image.
  if (ctx.plan.container || physicalCopy)
    await inspectImage(docker, defaultRunnerImage()).catch((err: unknown) => {
      throw withKnob(
        err,
        "nothing but `bash scripts/setup` (the local runner image holds the steps' and a physical copy's network)",
      );
    });
  if (ctx.plan.container) {
    ctx.runnerImageId = (
      await inspectImage(docker, ctx.plan.container.image ?? defaultRunnerImage()).catch(knob('sut.container.image'))
    ).id;
    await assertRunnerNamesFree(docker, runnerNames(names.container)).catch(knob('environment.name'));
  }
  if (physicalCopy) await copyNetnsNameFree(ctx);
  const prodId = await productionPreflight(ctx);
  const physical = physicalCopy ? await physicalPreflight(ctx, image) : null;
  await protectedPreflight(ctx);
  await checkoutPreflight(ctx);
  return {
    engine: engine.version,
    image: image.tag,
    image_id: image.id,
    names: [names.container, names.network],
    production_sysid: prodId,
    protected_envs: config.protected_envs.length,
    ...(physical ? { physical } : {}),
  };
}

/** A physical copy's server runs in the namespace of a holder under its own exact name: refused, never adopted. */
async function copyNetnsNameFree(ctx: RunContext): Promise<void> {
  const name = copyNetnsName(ctx.names.container);
  const taken = await findContainerByName(ctx.docker, name);
  if (taken) throw new NameTakenError('container', name, taken.id, '`environment.name` in the config');
}

/** Production's identity and the watched tables in its catalog, in one read-only transaction; its container when named. */
async function productionPreflight(ctx: RunContext): Promise<string> {
  const { config, production, inputs, rec } = ctx;
  let missingTables: string[];
  try {
    ctx.prodStatements.push('BEGIN READ ONLY', IDENTITY_QUERY, MISSING_TABLES_QUERY, 'COMMIT');
    ({ identity: ctx.prodIdentity, missingTables } = await serverPreflight(production, inputs.watched));
  } catch (err) {
    const why = describeConnectionFailure(err, production, 'production');
    const knob = config.production.dsn_env
      ? `production.dsn_env (${config.production.dsn_env})`
      : 'production.dsn_file';
    throw new GateFailure(
      'environment',
      `${redact(why.message, ctx.secrets)}; what to do: ${connectionFailureHint(why.kind, knob)}`,
    );
  }
  const prodId = need(ctx.prodIdentity, "production's identity");
  if (config.production.container) {
    ctx.prodContainerPre = await containerIdentity(ctx.docker, config.production.container);
    if (!ctx.prodContainerPre?.running)
      throw new GateFailure('environment', `production's container \`${config.production.container}\` is not running`);
  }
  rec.sections.production = {
    host: production.host,
    port: production.port,
    database: production.database,
    user: production.user,
    server_version: prodId.serverVersion,
    sysid_pre: prodId.systemIdentifier,
    sysid_post: null,
    start_pre: prodId.postmasterStart,
    start_post: null,
    container_pre: ctx.prodContainerPre,
    container_post: null,
    unchanged: null,
    statements: ctx.prodStatements,
    dump_footprint: null,
  };
  // The pack's own mistake, found read-only before anything is provisioned (SQL assertions are not: they may name what the migration adds).
  if (missingTables.length > 0) {
    const text = await readFile(ctx.paths.watchedTables, 'utf8');
    throw new GateFailure(
      'artefact',
      missingTablesMessage(missingTables, inputs.watched, text, ctx.paths.watchedTables),
    );
  }
  return prodId.systemIdentifier;
}

/** Every protected environment running, with its identity and system identifier, before the run. */
async function protectedPreflight(ctx: RunContext): Promise<void> {
  const pre = new Map<string, { id: ContainerIdentity | null; sysid: string | null }>();
  for (const name of ctx.config.protected_envs) {
    const id = await containerIdentity(ctx.docker, name);
    pre.set(name, { id, sysid: null });
    if (!id?.running)
      throw new GateFailure('environment', `protected environment \`${name}\` is not running before the run`);
    pre.set(name, { id, sysid: await containerSysid(ctx.docker, id.id) });
  }
  ctx.rec.sections.protected_envs = ctx.config.protected_envs.map((name) => ({
    name,
    pre: pre.get(name)?.id ?? null,
    post: null,
    sysid_pre: pre.get(name)?.sysid ?? null,
    sysid_post: null,
    unchanged: null,
  }));
}

/** The watched tables production does not have, each at its line of the watched tables file, and what to do. */
export function missingTablesMessage(
  missing: readonly string[],
  watched: readonly string[],
  text: string,
  file: string,
): string {
  const lines = text.split(/\r?\n/);
  const at = (t: string) => lines.findIndex((l) => l.replace(/#.*$/, '').trim() === t) + 1;
  return `production has no table ${missing.map((t) => `\`${t}\` (${file}:${at(t)})`).join(', ')}, of the ${watched.length} watched tables: correct the watched tables file (artefacts.watched_tables in the config) and the scenarios' deltas; nothing was provisioned`;
}
