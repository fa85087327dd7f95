// How G2 copies production: `logical` (pg_dump, streamed into a restore; the default) or
// `physical` (pg_basebackup over a replication connection, for large productions), and the
// physical copy's cost on production (its checkpoint, a rate limit) and evidence (the manifest's checksums).
import { z } from 'zod';

export const CopyMode = z.enum(['logical', 'physical']);
export type CopyMode = z.infer<typeof CopyMode>;

export const PhysicalCopyConfig = z.strictObject({
  /** The checkpoint production is asked for at the backup's start: `fast` (at once, an I/O burst) or `spread` (its checkpoint_completion_target, slower to start). */
  checkpoint: z.enum(['fast', 'spread']).default('fast'),
  /** pg_basebackup's `--max-rate` (kB/s, or with a k or M suffix, 32k to 1024M): limits what the copy reads from production a second. */
  max_rate: z
    .string()
    .regex(/^[1-9][0-9]*[kM]?$/, 'a rate such as 50M or 800k (pg_basebackup --max-rate)')
    .optional(),
  /** The checksum of every file in the backup's manifest, checked by pg_verifybackup before the copy starts. */
  manifest_checksums: z.enum(['CRC32C', 'SHA256']).default('CRC32C'),
  /**
   * How the backup reaches the container: `stream` (one tar from pg_basebackup straight into the
   * created container, verified there; its WAL fetched at the end, so production's wal_keep_size
   * must cover the backup) or `folder` (a plain backup into the run's 0700 folder, verified there,
   * then sent; twice the disk, and the one `--keep-backup` can keep).
   */
  transfer: z.enum(['stream', 'folder']).default('stream'),
});
export type PhysicalCopyConfig = z.infer<typeof PhysicalCopyConfig>;

export const DEFAULT_PHYSICAL_COPY: PhysicalCopyConfig = {
  checkpoint: 'fast',
  manifest_checksums: 'CRC32C',
  transfer: 'stream',
};
