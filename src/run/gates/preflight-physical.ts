// G1 for a physical copy: production lets this user replicate (the REPLICATION attribute and a
// `replication` line in pg_hba.conf, proved by a real replication connection that reaches the
// server checked), and a copy of its files can run in the dry-run image (same major version,
// architecture, block sizes). Each miss stops the run before anything is created, with what to do.
// Production's databases, extensions and collation facts are read here for G4, which asks the
// copy's server (the image's files) whether it has them.
import type { ImageInfo } from '../../engine/index.js';
import { LOCAL_IMAGE_MAJOR } from '../../engine/index.js';
import {
  clusterFacts,
  IDENTIFY_SYSTEM_COMMAND,
  REPLICATION_PREFLIGHT_QUERY,
  REPLICATION_SQL_PROBE,
  readWalRetention,
  WAL_RETENTION_QUERY,
  WAL_RETENTION_QUERY_PRE14,
  SESSION_MARKER_QUERY,
  SESSION_PID_QUERY,
  replicationPreflight,
  type ReplicationPreflight,
} from '../../pg/index.js';
import { redact } from '../../evidence/index.js';
import { GateFailure } from '../gate-failure.js';
import { replicationVerdict } from '../replication-access.js';
import { walKeepVerdict } from '../wal-keep-verdict.js';
import { need, type RunContext } from '../run-context.js';
import {
  architectureFault,
  extensionList,
  productionArchitecture,
  replicationIdentityFault,
} from './physical-compat.js';

/** The block size and WAL block size every packaged PostgreSQL build has; the local image is one. */
const IMAGE_BLOCK_SIZE = 8192;
const IMAGE_WAL_BLOCK_SIZE = 8192;
/** initdb's default WAL segment size, the local image's. */
const IMAGE_DEFAULT_WAL_SEGMENT_SIZE = 16 * 1024 * 1024;

export async function physicalPreflight(ctx: RunContext, image: ImageInfo): Promise<Record<string, unknown>> {
  const { production } = ctx;
  // Every session to production in a physical copy's run opens and closes with these (pg/session-marker.ts).
  ctx.prodStatements.push(
    'BEGIN READ ONLY',
    `${SESSION_MARKER_QUERY} (first on every session of a physical copy's run: the marker must be null)`,
    'COMMIT',
    'BEGIN READ ONLY',
    `${SESSION_PID_QUERY} (last on every such session: the same backend)`,
    'COMMIT',
  );
  ctx.prodStatements.push('BEGIN READ ONLY', REPLICATION_PREFLIGHT_QUERY, 'COMMIT');
  ctx.prodStatements.push(`${IDENTIFY_SYSTEM_COMMAND} (on a replication connection, replication=true)`);
  ctx.prodStatements.push(`${REPLICATION_SQL_PROBE} (on a replication connection: the server must refuse SQL there)`);
  const p = await replicationPreflight(production, ctx.signal);
  const replicationSysid = replicationAllowed(ctx, p);
  const sysidPre = need(ctx.prodIdentity, "production's identity").systemIdentifier;
  const who = `${production.user}@${production.host}:${production.port}`;
  const elsewhere = replicationIdentityFault(sysidPre, replicationSysid, who);
  if (elsewhere) throw elsewhere;
  const major = Math.floor(p.serverVersionNum / 10000);
  const arch = { production: productionArchitecture(p.versionString), image: image.architecture };
  filesFit(ctx, p, major, arch, image.tag);
  const cluster = await clusterFacts(production, p.serverVersionNum, (s) => ctx.prodStatements.push(...s));
  if (cluster.refused.length > 0)
    throw new GateFailure(
      'environment',
      `production refuses ${who} a session to ${cluster.refused.map((r) => `${r.name} (${redact(r.error, ctx.secrets)})`).join(', ')}: a physical copy carries every database, and their extensions must be known to check the image has them; what to do: let ${production.user} connect to every database (CONNECT and a pg_hba line), or \`production.copy: logical\``,
    );
  ctx.prodCluster = cluster;
  ctx.replicationSqlRefusal = p.sqlRefusal;
  const walKeep = ctx.plan.streamedIntoContainer ? await walKept(ctx, p, who) : null;
  return {
    ...(walKeep ? { wal_keep: walKeep } : {}),
    replication: 'allowed',
    replication_sysid: replicationSysid,
    replication_sql_refused: p.sqlRefusal,
    major,
    architecture: arch,
    block_size: p.blockSize,
    wal_block_size: p.walBlockSize,
    // Not a blocker: since PostgreSQL 11 the segment size is chosen at initdb and read from pg_control at start, so
    // an image built with the default runs production's files of any valid size.
    wal_segment_size: { production: p.walSegmentSize, image_default: IMAGE_DEFAULT_WAL_SEGMENT_SIZE },
    data_checksums: p.dataChecksums,
    databases: cluster.databases.map((d) => ({
      name: d.name,
      provider: d.provider,
      locale: d.locale,
      collate: d.collate,
      ctype: d.ctype,
      collation_version: d.recordedVersion,
      collation_actual_version: d.actualVersion,
      extensions: d.extensions.map((e) => `${e.name} ${e.version}`),
    })),
    extensions: extensionList(cluster.databases),
  };
}

/** The role may replicate and production accepts its replication connection: its system identifier. */
function replicationAllowed(ctx: RunContext, p: ReplicationPreflight): string {
  const access = replicationVerdict(p, ctx.production, (text) => redact(text, ctx.secrets));
  if (!access.ok) throw new GateFailure('environment', access.refusal);
  return access.systemIdentifier;
}

/** Production's files can be read by the image's server: major version, architecture, block sizes. */
function filesFit(
  ctx: RunContext,
  p: ReplicationPreflight,
  major: number,
  arch: { production: string | null; image: string | null },
  imageTag: string,
): void {
  // The local image's major is known; another image's is its own business until the copy starts (its log then says).
  if (!ctx.config.environment.image && major !== LOCAL_IMAGE_MAJOR)
    throw new GateFailure(
      'environment',
      `production runs PostgreSQL ${major} and the dry-run image PostgreSQL ${LOCAL_IMAGE_MAJOR}: a physical copy needs the same major version; what to do: set \`environment.image\` to a PostgreSQL ${major} image, or \`production.copy: logical\``,
    );
  const cpu = architectureFault(arch.production, arch.image, imageTag, p.versionString);
  if (cpu) throw cpu;
  if (p.blockSize !== IMAGE_BLOCK_SIZE)
    throw new GateFailure(
      'environment',
      `production was built with a block size of ${p.blockSize} bytes, the dry-run image with ${IMAGE_BLOCK_SIZE}: its files cannot be read there; what to do: \`production.copy: logical\``,
    );
  if (p.walBlockSize !== IMAGE_WAL_BLOCK_SIZE)
    throw new GateFailure(
      'environment',
      `production was built with a WAL block size of ${p.walBlockSize} bytes, the dry-run image with ${IMAGE_WAL_BLOCK_SIZE}: its server refuses such files; what to do: \`production.copy: logical\``,
    );
}

/**
 * A streamed copy fetches its WAL at the end (`-X fetch`): production's wal_keep_size must cover
 * what it writes meanwhile, or the backup fails at its end, after the whole copy was read.
 */
async function walKept(ctx: RunContext, p: ReplicationPreflight, who: string): Promise<Record<string, unknown>> {
  ctx.prodStatements.push(
    'BEGIN READ ONLY',
    p.serverVersionNum >= 140000 ? WAL_RETENTION_QUERY : WAL_RETENTION_QUERY_PRE14,
    'COMMIT',
  );
  const r = await readWalRetention(ctx.production, p.serverVersionNum);
  const maxRate = ctx.config.production.physical.max_rate ?? null;
  const v = walKeepVerdict(r, { segmentBytes: p.walSegmentSize, maxRate, who });
  if (!v.ok) throw new GateFailure('environment', `${v.problem}; what to do: ${v.fix}`);
  const c = v.coverage;
  return {
    keep_bytes: r.keepBytes,
    need_bytes: c.needBytes,
    estimated_copy_s: c.estimatedSeconds,
    basis: c.basis,
    cluster_bytes: r.clusterBytes,
  };
}
