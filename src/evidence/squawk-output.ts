// squawk's `--reporter json` output, read: one entry per finding, naming the file it was given
// (each SQL text of a lint is its own numbered file), its rule and where in the text it is.
import { z } from 'zod';

const Entry = z.object({
  file: z.string(),
  /** 0-based, as squawk writes them. */
  line: z.number().int(),
  column: z.number().int(),
  level: z.string(),
  message: z.string(),
  help: z.string().nullable().optional(),
  rule_name: z.string(),
});

export interface SquawkFinding {
  rule: string;
  level: string;
  message: string;
  help: string | null;
  /** 0-based line and column in the text linted. */
  line: number;
  column: number;
}

/** squawk's rule for a text it could not parse: the text was not linted at all. */
export const SYNTAX_ERROR_RULE = 'syntax-error';

/** The name of the file holding the i-th text of a lint. */
export const lintFileName = (i: number): string => `${String(i + 1).padStart(4, '0')}.sql`;

/** The findings of each text, by its index; null when the output is not squawk's JSON or names a file it was not given. */
export function parseSquawkOutput(stdout: string, texts: number): SquawkFinding[][] | null {
  let raw: unknown;
  try {
    raw = JSON.parse(stdout);
  } catch {
    return null;
  }
  const parsed = z.array(Entry).safeParse(raw);
  if (!parsed.success) return null;
  const index = new Map(Array.from({ length: texts }, (_, i) => [lintFileName(i), i]));
  const out: SquawkFinding[][] = Array.from({ length: texts }, () => []);
  for (const e of parsed.data) {
    const i = index.get(e.file.replace(/^\.\//, ''));
    if (i === undefined) return null;
    out[i]?.push({
      rule: e.rule_name,
      level: e.level,
      message: e.message,
      help: e.help ?? null,
      line: e.line,
      column: e.column,
    });
  }
  return out;
}

/** `squawk 2.66.0` -> `2.66.0`; null when the line is not squawk's. */
export function squawkVersionOf(stdout: string): string | null {
  return /^squawk\s+(\S+)\s*$/.exec(stdout.trim())?.[1] ?? null;
}
