// Options of `rehearse provision`, validated once at the boundary.
import { z } from 'zod';
import { UsageError } from '../errors.js';

export const ReadinessSettings = z.object({
  consecutive: z.number().int().min(1).max(100),
  intervalMs: z.number().int().min(10).max(60_000),
  timeoutMs: z.number().int().min(1000).max(3_600_000),
});
export type ReadinessSettings = z.infer<typeof ReadinessSettings>;

export const ProvisionOptions = z.object({
  name: z.string().min(1),
  hold: z.boolean(),
  image: z.string().min(1).optional(),
  database: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'a lower-case SQL identifier'),
  initDir: z.string().min(1).optional(),
  readiness: ReadinessSettings,
});
export type ProvisionOptions = z.infer<typeof ProvisionOptions>;

/** Parse untrusted input with a schema; a failure is a usage error naming each bad option and value. */
export function parseOptions<T extends z.ZodType>(schema: T, input: unknown, what: string): z.infer<T> {
  const result = schema.safeParse(input);
  if (!result.success) throw new UsageError(`invalid ${what}:\n${z.prettifyError(result.error)}`);
  return result.data;
}
