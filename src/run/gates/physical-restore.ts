// G4 of a physical copy: nothing is restored (the copy is production's cluster), so G4 proves what
// a physical copy must: that the server carries this run's marker and production does not (both
// have the same system identifier by construction), that the copy's first start left nothing that
// could reach production (no replication slot, no enabled subscription, no default route in its
// network namespace) and that the image has what production's databases need (extension files; a
// collation version that differs is a loud warning), then gives the rehearsal's roles their
// per-run passwords, runs the grants SQL and checks the grant matrix.
import { containerDefaultRoutes, namespaceHolderOf, SET_ASIDE_FILES, TOOL_ROLE } from '../../engine/index.js';
import {
  copyImageSupport,
  copyLibraries,
  copyStartState,
  MARKER_QUERY,
  MARKER_SETTING,
  readMarker,
  rolesMissing,
  runSqlFile,
  serverIdentity,
  setRolePasswords,
  type PgTarget,
} from '../../pg/index.js';
import { GateFailure } from '../gate-failure.js';
import { need, type RunContext } from '../run-context.js';
import {
  collationDrift,
  collationWarning,
  extensionList,
  extensionsFault,
  librariesFault,
  missingExtensions,
} from './physical-compat.js';
import { grantDifferences, sessionAudit, sqlArtefact, throwOnDifferences } from './grant-check.js';

export async function physicalRestoreGate(ctx: RunContext): Promise<Record<string, unknown>> {
  const { rec, inputs } = ctx;
  const dry = need(ctx.dryRun, "G3's dry-run server");
  const tool = dry.target(TOOL_ROLE);
  const env = need(rec.sections.env, "G3's environment section");
  const marker = await readMarker(tool);
  if (marker !== ctx.runId)
    throw new GateFailure(
      'tool',
      `the dry-run server does not carry this run's marker (${MARKER_SETTING} is ${marker === null ? 'unset' : `\`${marker}\``}): refusing to go on`,
    );
  ctx.prodStatements.push(`BEGIN READ ONLY`, MARKER_QUERY, 'COMMIT');
  const onProduction = await readMarker(ctx.production, 'marker check');
  env.marker_absent_on_production = onProduction === null;
  if (onProduction !== null)
    throw new GateFailure(
      'environment',
      `production answers ${MARKER_SETTING} = \`${onProduction}\`: it cannot be told apart from the copy by the marker; refusing to go on`,
    );
  const identity = await serverIdentity(tool);
  env.sysid = identity.systemIdentifier;
  const holder = await netnsHolderOf(ctx, dry.started.env.containerId, dry.started.env.netnsHolderId);
  const defaultRoutes = await containerDefaultRoutes(ctx.docker, dry.started.env.containerId);
  const state = await copyStartState(tool);
  const copied = need(ctx.copied, "G3's copy into the container");
  env.copy = {
    stream_sha256: copied.sha256,
    stream_bytes: copied.bytes,
    stream_ms: copied.ms,
    databases: state.databases,
    marker_setting: MARKER_SETTING,
    configuration_set_aside: [...SET_ASIDE_FILES],
    replication_slots: state.replicationSlots,
    subscriptions: state.subscriptions,
    subscriptions_enabled: state.subscriptionsEnabled,
    login_roles_without_password: state.loginRolesWithoutPassword,
    netns_holder: holder,
    default_routes: defaultRoutes,
  };
  if (defaultRoutes.length > 0)
    throw new GateFailure(
      'tool',
      `the copy's network namespace has a default route (${defaultRoutes.join('; ')}): it could reach beyond its own network; refusing to go on`,
    );
  if (state.replicationSlots > 0 || state.subscriptionsEnabled > 0)
    throw new GateFailure(
      'tool',
      `the copy holds ${state.replicationSlots} replication slot(s) and ${state.subscriptionsEnabled} enabled subscription(s) after its prepare step: refusing to go on`,
    );
  const support = await imageSupport(ctx, tool, identity.serverVersionNum, env.image);
  await missingRoles(ctx, tool);
  await setRolePasswords(tool, dry.rolePasswords);
  await sqlArtefact(ctx, 'grants', () => runSqlFile(tool, ctx.paths.grants, { singleTransaction: true }));
  const differences = await grantDifferences(ctx, tool);
  throwOnDifferences(differences);
  const audit = await sessionAudit(ctx, tool);
  return {
    identity_proof: 'marker',
    marker_absent_on_production: env.marker_absent_on_production,
    sysid: identity.systemIdentifier,
    databases: state.databases.length,
    ...support,
    roles: inputs.roles.length,
    grant_differences: differences.length,
    session_audit: audit ?? 'off',
  };
}

/**
 * The copy's server reads the image's extension folder and library folder: each extension
 * version production installed must have its control and script files there, and each shared
 * library production's C functions name its file (else INCONCLUSIVE environment, naming them),
 * and each database's collation version should be the one production recorded (else a loud
 * warning).
 */
async function imageSupport(ctx: RunContext, tool: PgTarget, versionNum: number, imageTag: string) {
  const { databases } = need(ctx.prodCluster, "G1's facts of production's databases");
  const support = await copyImageSupport(tool, versionNum);
  const fault = extensionsFault(missingExtensions(databases, support.extensions), imageTag);
  if (fault) throw fault;
  const libraries = await copyLibraries(
    tool,
    databases.map((d) => d.name),
  );
  const noLibrary = librariesFault(libraries.missing, imageTag);
  if (noLibrary) throw noLibrary;
  const warning = collationWarning(collationDrift(databases, support.collationVersions));
  if (warning) {
    ctx.rec.warnings.push(warning);
    ctx.progress.note(`!! warning: ${warning.message}`, 'error');
  }
  // Only a database with a recorded version (not C or POSIX) on a server of 15 or later is compared: the others are named apart.
  const compared = databases.filter((d) => d.recordedVersion !== null && support.collationVersions.has(d.name));
  return {
    extensions: extensionList(databases),
    c_libraries: libraries.libraries.map((l) => l.library),
    collation_compared: compared.map((d) => d.name),
    collation_not_compared: databases.filter((d) => !compared.includes(d)).map((d) => d.name),
    collation_drift: warning?.databases.map((d) => d.database) ?? [],
  };
}

/** The holder whose namespace the copy's server runs in, as the engine shows it: the one G3 started, or the run stops. */
async function netnsHolderOf(ctx: RunContext, serverId: string, holderId: string | null): Promise<string> {
  const holder = await namespaceHolderOf(ctx.docker, serverId);
  if (!holder || holder.id !== holderId)
    throw new GateFailure(
      'tool',
      `the copy's server runs ${holder ? `in the namespace of ${holder.name}` : 'in a network namespace of its own'}, not in that of the holder G3 started: refusing to go on`,
    );
  return holder.name;
}

/** The rehearsal's roles must be production's: a physical copy creates none. */
async function missingRoles(ctx: RunContext, tool: PgTarget): Promise<void> {
  const missing = await rolesMissing(tool, ctx.inputs.roles);
  if (missing.length > 0)
    throw new GateFailure(
      'artefact',
      `production has no role ${missing.map((r) => `\`${r}\``).join(', ')}, which the rehearsal gives a password: a physical copy brings production's roles and creates none; correct the grant matrix or \`roles\` in the config`,
    );
}
