// The last lines of a step's or a tool's output, as the report shows them.

/** The stderr lines a failure shows. */
export const STDERR_TAIL_LINES = 40;

/** The last `n` lines of `text` (a final newline adds no empty line). */
export function tail(text: string, n: number): string[] {
  return text
    .split('\n')
    .filter((l, i, a) => l !== '' || i < a.length - 1)
    .slice(-n);
}
