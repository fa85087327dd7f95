// The whole statement of a SQL text that a position (0-based line and column, as a linter gives
// it) falls in: statements end at a `;` token of PostgreSQL's own scanner, so a `;` inside a
// string, a comment or a dollar-quoted body does not cut one.
import { scan } from './sql-parser.js';

/** The character offset of a 0-based line and column; the text's end when past it. */
function offsetOf(text: string, line: number, column: number): number {
  let at = 0;
  for (let l = 0; l < line; l++) {
    const nl = text.indexOf('\n', at);
    if (nl < 0) return text.length;
    at = nl + 1;
  }
  return Math.min(text.length, at + column);
}

const COMMENTS = new Set(['SQL_COMMENT', 'C_COMMENT']);

/** Each statement's character range, from its first token that is not a comment to its `;` (or the text's end). */
async function statementRanges(text: string): Promise<{ from: number; to: number }[]> {
  // The scanner's offsets count UTF-8 bytes: turn them into character offsets.
  const bytes = Buffer.from(text, 'utf8');
  const chars = (b: number) => bytes.subarray(0, b).toString('utf8').length;
  const ranges: { from: number; to: number }[] = [];
  let from: number | null = null;
  for (const t of (await scan(text)).tokens) {
    if (COMMENTS.has(t.tokenName)) continue;
    from ??= chars(t.start);
    if (t.text === ';') {
      ranges.push({ from, to: chars(t.end) });
      from = null;
    }
  }
  if (from !== null) ranges.push({ from, to: text.length });
  return ranges;
}

/** The statement around a position, trimmed; its line alone when the text does not scan. */
export async function statementAt(text: string, line: number, column: number): Promise<string> {
  const offset = offsetOf(text, line, column);
  let ranges: { from: number; to: number }[];
  try {
    ranges = await statementRanges(text);
  } catch {
    return text.split('\n')[line]?.trim() ?? text.trim();
  }
  const r = ranges.find((x) => offset < x.to) ?? ranges.at(-1);
  return r ? text.slice(r.from, r.to).trim() : text.trim();
}
