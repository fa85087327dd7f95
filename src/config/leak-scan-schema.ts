// report.json's leak scan: every form of every secret of the run looked for in every place, and
// per place whose secrets it held (the owner, never the value).
import { z } from 'zod';

export const LeakScan = z.object({
  secrets: z.number().int(),
  forms: z.array(z.string()),
  scanned: z.number().int(),
  hits: z.number().int(),
  places: z.array(
    z.object({
      place: z.string(),
      hits: z.number().int(),
      literals: z.number().int(),
      /** Whose secrets the place held: "production", a role's name, or the tool's own role; absent in older reports. */
      owners: z.array(z.string()).optional(),
    }),
  ),
});
