// How a count and a cut list read in a sentence: "1 place", "2 places"; "a; b; and 3 more".
// Shared by every layer that writes a message or report.md (like src/errors.ts, it imports none).

/** `n word`, with the word in the plural unless n is 1 (`many` for an irregular plural). */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

/** The first `max` items joined by `sep`, then "and N more" for those past the cut. */
export function listCut(items: readonly string[], max: number, sep = '; '): string {
  const shown = items.slice(0, max);
  const more = items.length - shown.length;
  return more > 0 ? [...shown, `and ${more} more`].join(sep) : shown.join(sep);
}
