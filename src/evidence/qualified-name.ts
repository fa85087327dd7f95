// A relation's name as pgaudit writes it: schema-qualified, each part quoted where SQL needs it.

/** `ledger.mark`, `"Odd, s"."Ta""b"` -> its parts unquoted; null when it is not one or two identifiers. */
export function splitQualifiedName(name: string): { schema: string | null; table: string } | null {
  const parts: string[] = [];
  let i = 0;
  while (i <= name.length) {
    let part = '';
    if (name[i] === '"') {
      i += 1;
      for (;;) {
        if (i >= name.length) return null;
        if (name[i] === '"') {
          if (name[i + 1] === '"') {
            part += '"';
            i += 2;
            continue;
          }
          i += 1;
          break;
        }
        part += name[i];
        i += 1;
      }
    } else {
      const end = name.indexOf('.', i);
      part = name.slice(i, end === -1 ? name.length : end);
      i = end === -1 ? name.length : end;
      if (part === '') return null;
    }
    parts.push(part);
    if (i === name.length) break;
    if (name[i] !== '.') return null;
    i += 1;
  }
  if (parts.length === 1) return { schema: null, table: parts[0]! };
  if (parts.length === 2) return { schema: parts[0]!, table: parts[1]! };
  return null;
}
