// report.json's evidence of a physical copy: `backup.physical` (what pg_basebackup took of
// production and what pg_verifybackup proved of it before the copy started), and `env.copy` (what
// the copy's first start turned off, so that it could reach nothing of production's).
import { z } from 'zod';

export const PhysicalBackup = z.object({
  /** How the backup reached the container: `stream` (one tar straight in, verified there) or `folder` (verified in the run's folder, then sent). */
  transfer: z.enum(['stream', 'folder']).default('folder'),
  /** G1's proof that a replication connection of this user (pg_basebackup's kind) runs no SQL: the server's refusal of `SELECT 1`, or null (not refused). */
  sql_refused: z.string().nullable().default(null),
  /** The wrapper that would have ended pg_basebackup had the tool's process died (`setpriv --pdeathsig TERM`); null: none was found. */
  orphan_guard: z.string().nullable().default(null),
  /** pg_basebackup's version and command line (no secret: the connection comes from the environment). */
  pg_basebackup_version: z.string(),
  argv: z.array(z.string()),
  /** What the backup asked of production: its checkpoint, and the read rate limit (null: none). */
  checkpoint: z.enum(['fast', 'spread']),
  max_rate: z.string().nullable(),
  manifest_checksums: z.enum(['CRC32C', 'SHA256']),
  /** The WAL the backup needs, from its manifest: the timeline and the start and end locations. */
  timeline: z.number().int(),
  wal_start: z.string(),
  wal_end: z.string(),
  /** The manifest's files and their total size. */
  manifest_files: z.number().int(),
  manifest_bytes: z.number().int(),
  /** pg_verifybackup before the copy's server started: on the backup folder (`host`), or the image's in the container (`container`). */
  verify: z.object({
    version: z.string().nullable(),
    ok: z.boolean(),
    output: z.string(),
    where: z.enum(['host', 'container']).default('host'),
  }),
});
export type PhysicalBackup = z.infer<typeof PhysicalBackup>;

export const CopyStart = z.object({
  /** sha256 and size of the tar stream sent into the container through the engine, and how long it took. */
  stream_sha256: z.string(),
  stream_bytes: z.number().int(),
  stream_ms: z.number().int(),
  /** The whole cluster comes along: every database of production, as the copy lists them. */
  databases: z.array(z.string()),
  /** The per-run marker setting the copy was started with; proved on the copy, and absent on production. */
  marker_setting: z.string(),
  /** Production's files set aside in PGDATA (never read by the server). */
  configuration_set_aside: z.array(z.string()),
  /** Replication slots in the copy (pg_basebackup copies none), subscriptions (all disabled, detached from their slots). */
  replication_slots: z.number().int(),
  subscriptions: z.number().int(),
  subscriptions_enabled: z.number().int(),
  /** Login roles of production left without a password (only the rehearsal's roles get one, per run). */
  login_roles_without_password: z.number().int(),
  /** The container whose network namespace the copy's server shares: it deleted the default route and publishes the port. */
  netns_holder: z.string(),
  /** The default routes read in the copy's namespace (/proc/net/route, ipv6_route) after its start: none, or the run stopped. */
  default_routes: z.array(z.string()),
});
export type CopyStart = z.infer<typeof CopyStart>;
