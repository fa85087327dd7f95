// How a size reads in a message, a console line or report.md: `512 B`, `12.3 KiB`, `45.6 MiB`,
// `1.23 GiB`. Shared by every layer (like src/plural.ts, it imports none).

/** A size as people read it. */
export function byteSize(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}
