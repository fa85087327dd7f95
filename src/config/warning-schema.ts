// report.json's `warnings`: what the report tells loudly without failing the run. Today one kind:
// a physical copy whose databases' default collation has another version in the dry-run image
// than production recorded (another glibc or ICU), so indexes on text may be out of order there.
import { z } from 'zod';

export const CollationDrift = z.object({
  database: z.string(),
  /** libc, icu or builtin. */
  provider: z.string(),
  /** The default collation's locale (an ICU database's ICU locale, else its LC_COLLATE). */
  locale: z.string(),
  collate: z.string(),
  ctype: z.string(),
  /** pg_database.datcollversion as production recorded it. */
  production_version: z.string(),
  /** pg_database_collation_actual_version() on the copy: what the image's libraries give; null when it gives none. */
  copy_version: z.string().nullable(),
});
export type CollationDrift = z.infer<typeof CollationDrift>;

export const Warning = z.object({
  kind: z.enum(['collation_version']),
  /** One sentence derived from `databases`: what differs, what it means, what to do. */
  message: z.string(),
  databases: z.array(CollationDrift),
});
export type Warning = z.infer<typeof Warning>;
