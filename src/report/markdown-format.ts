// The small formatters of report.md: inline code, a table cell, a duration, a short sha.
export const code = (s: string) => '`' + s.replaceAll('`', "'") + '`';
export const cell = (s: string) => s.replaceAll('|', '\\|').replaceAll('\n', ' ');
export const seconds = (ms: number | null) =>
  ms === null ? '-' : ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
export const short = (sha: string | null | undefined) => (sha ? sha.slice(0, 12) : 'none');

/** `a -> b`, or `a == b` when nothing changed, or what stands for a value that was never read. */
export function prePost(pre: string, post: string | null, missing: string): string {
  if (post === null) return `${pre} -> ${missing}`;
  return post === pre ? `${pre} == ${post}` : `${pre} -> ${post}`;
}
