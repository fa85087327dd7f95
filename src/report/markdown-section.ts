// A section of report.md: a heading and its lines. Numbers are given when the document is put
// together, consecutively over the numbered sections actually rendered, so none is skipped.
export interface Section {
  title: string;
  /** Numbered sections carry `N. ` in their heading; the others (progress, provenance, next gate) do not. */
  numbered: boolean;
  /** The lines under the heading, each block ending with an empty line. */
  body: string[];
}

export function headed(sections: readonly (Section | null)[]): string[] {
  let n = 0;
  return sections
    .filter((s): s is Section => s !== null)
    .flatMap((s) => [`## ${s.numbered ? `${++n}. ` : ''}${s.title}`, '', ...s.body]);
}
