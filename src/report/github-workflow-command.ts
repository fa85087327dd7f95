// GitHub Actions workflow commands (`::error file=F,line=N::message`, `::group::title`), escaped as
// GitHub documents them: in the message `%`, `\r` and `\n` become `%25`, `%0D`, `%0A`; in a property
// value `:` and `,` become `%3A` and `%2C` as well (the escaping @actions/core applies).

export const escapeData = (s: string) => s.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A');

export const escapeProperty = (s: string) => escapeData(s).replaceAll(':', '%3A').replaceAll(',', '%2C');

/** One workflow command line; properties in the order given, those undefined left out. */
export function workflowCommand(
  command: string,
  properties: readonly (readonly [string, string | number | undefined])[],
  message: string,
): string {
  const props = properties
    .filter((p): p is readonly [string, string | number] => p[1] !== undefined)
    .map(([k, v]) => `${k}=${escapeProperty(String(v))}`)
    .join(',');
  return `::${command}${props ? ` ${props}` : ''}::${escapeData(message)}`;
}
