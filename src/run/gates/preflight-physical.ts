// G1 for a physical copy: production lets this user replicate (the REPLICATION attribute and a
// `replication` line in pg_hba.conf, proved by a real replication connection), and a copy of its
// files can run in the dry-run image (same major version and block size). Each miss stops the
// run before anything is created, with what to do.
import { LOCAL_IMAGE_MAJOR } from '../../engine/index.js';
import { IDENTIFY_SYSTEM_COMMAND, REPLICATION_PREFLIGHT_QUERY, replicationPreflight } from '../../pg/index.js';
import { redact } from '../../evidence/index.js';
import { GateFailure } from '../gate-failure.js';
import { replicationVerdict } from '../replication-access.js';
import type { RunContext } from '../run-context.js';

/** The block size every packaged PostgreSQL build has; the local image is one. */
const IMAGE_BLOCK_SIZE = 8192;

export async function physicalPreflight(ctx: RunContext): Promise<Record<string, unknown>> {
  const { production } = ctx;
  ctx.prodStatements.push('BEGIN READ ONLY', REPLICATION_PREFLIGHT_QUERY, 'COMMIT');
  ctx.prodStatements.push(`${IDENTIFY_SYSTEM_COMMAND} (on a replication connection, replication=true)`);
  const p = await replicationPreflight(production, ctx.signal);
  const access = replicationVerdict(p, production, (text) => redact(text, ctx.secrets));
  if (!access.ok) throw new GateFailure('environment', access.refusal);
  const major = Math.floor(p.serverVersionNum / 10000);
  // The local image's major is known; another image's is its own business until the copy starts (its log then says).
  if (!ctx.config.environment.image && major !== LOCAL_IMAGE_MAJOR)
    throw new GateFailure(
      'environment',
      `production runs PostgreSQL ${major} and the dry-run image PostgreSQL ${LOCAL_IMAGE_MAJOR}: a physical copy needs the same major version; what to do: set \`environment.image\` to a PostgreSQL ${major} image, or \`production.copy: logical\``,
    );
  if (p.blockSize !== IMAGE_BLOCK_SIZE)
    throw new GateFailure(
      'environment',
      `production was built with a block size of ${p.blockSize} bytes, the dry-run image with ${IMAGE_BLOCK_SIZE}: its files cannot be read there; what to do: \`production.copy: logical\``,
    );
  return {
    replication: 'allowed',
    replication_sysid: access.systemIdentifier,
    major,
    block_size: p.blockSize,
    wal_segment_size: p.walSegmentSize,
    data_checksums: p.dataChecksums,
  };
}
