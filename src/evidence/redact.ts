// The forms a secret takes in output (raw, percent-encoded in a DSN, base64 in a header or a
// token), their redaction, and the leak scan that proves none is left. Pure functions.

export type SecretForm = 'raw' | 'percent-encoded' | 'base64' | 'base64url';

export interface SecretVariant {
  form: SecretForm;
  text: string;
}

export interface Leak {
  form: SecretForm;
  /** Offset in the scanned text. */
  index: number;
  /** Index of the secret in the list scanned for. */
  secret: number;
}

export const REDACTED = '[REDACTED]';

// Below this many characters a base64 core is too short to mean anything: it would match by chance.
const MIN_CORE = 8;

/**
 * The base64 characters that depend on the secret's bytes alone when it sits at byte offset
 * 0, 1 or 2 of a longer encoded payload (`Basic base64(user:password)` puts it at any offset).
 */
function base64Cores(bytes: Buffer, url: boolean): string[] {
  const cores: string[] = [];
  for (const shift of [0, 1, 2]) {
    const encoded = Buffer.concat([Buffer.alloc(shift), bytes])
      .toString(url ? 'base64url' : 'base64')
      .replace(/=+$/, '');
    // The first whole character after the shift bytes, and the last one before the end of the secret's bits.
    const start = Math.ceil((shift * 8) / 6);
    const end = Math.floor(((shift + bytes.length) * 8) / 6);
    const core = encoded.slice(start, end);
    if (core.length >= MIN_CORE) cores.push(core);
  }
  return cores;
}

/** Percent-encoding as a URL's userinfo writes it (WHATWG), which leaves some reserved characters raw. */
function userinfoEncoded(secret: string): string | null {
  try {
    const url = new URL('postgres://host');
    url.password = secret;
    return url.password;
  } catch {
    return null;
  }
}

/** Every form of a secret, labelled, longest first, without duplicates (a form equal to the raw text counts as raw). */
export function secretVariants(secret: string): SecretVariant[] {
  if (secret === '') return [];
  const bytes = Buffer.from(secret, 'utf8');
  const candidates: SecretVariant[] = [{ form: 'raw', text: secret }];
  const percent = encodeURIComponent(secret);
  candidates.push(
    { form: 'percent-encoded', text: percent },
    { form: 'percent-encoded', text: percent.replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase()) },
  );
  const userinfo = userinfoEncoded(secret);
  if (userinfo !== null) candidates.push({ form: 'percent-encoded', text: userinfo });
  candidates.push(
    { form: 'base64', text: bytes.toString('base64') },
    { form: 'base64url', text: bytes.toString('base64url') },
  );
  for (const core of base64Cores(bytes, false)) candidates.push({ form: 'base64', text: core });
  for (const core of base64Cores(bytes, true)) candidates.push({ form: 'base64url', text: core });
  const seen = new Set<string>();
  const variants: SecretVariant[] = [];
  for (const v of candidates) {
    if (v.text === '' || seen.has(v.text)) continue;
    seen.add(v.text);
    variants.push(v);
  }
  return variants.sort((a, b) => b.text.length - a.text.length);
}

/** The strings to look for: raw, encodeURIComponent, base64 and base64url of the raw (and their variants). */
export function secretForms(secret: string): string[] {
  return secretVariants(secret).map((v) => v.text);
}

// A password literal in SQL: PASSWORD '...' (quotes doubled inside), E'...' (backslash escapes too),
// U&'...', or a dollar-quoted $tag$...$tag$. ENCRYPTED PASSWORD '...' is the same literal.
const PASSWORD_LITERAL =
  /\b(PASSWORD\s+)(?:E'(?:[^'\\]|''|\\[\s\S])*'|(?:U&)?'(?:[^']|'')*'|(\$[A-Za-z0-9_]*\$)[\s\S]*?\2)/gi;
const REDACTED_LITERAL = `'${REDACTED}'`;

// The opening of a password literal, for the one that has no closing quote (the text was cut).
const PASSWORD_OPENING = /\b(PASSWORD\s+)(?:E|U&)?(?:'|\$[A-Za-z0-9_]*\$)/gi;

/** Replace the value of every `PASSWORD '...'` literal with '[REDACTED]', whoever wrote it; a literal cut before its closing quote, to the end of its line. */
export function redactPasswordLiterals(text: string): string {
  const closed = text.replace(PASSWORD_LITERAL, (_m, keyword: string) => `${keyword}${REDACTED_LITERAL}`);
  return closed.replace(
    new RegExp(`${PASSWORD_OPENING.source}(?!${escapeRegex(REDACTED)}')[^\\n]*`, 'gi'),
    (_m, keyword: string) => `${keyword}${REDACTED_LITERAL}`,
  );
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Offsets of the `PASSWORD '...'` literals of a text that still carry a value (not '[REDACTED]', not the empty ''). */
export function findPasswordLiterals(text: string): number[] {
  const found: number[] = [];
  for (const m of text.matchAll(PASSWORD_OPENING)) {
    const rest = text.slice(m.index + m[0].length);
    if (rest.startsWith(`${REDACTED}'`) || (m[0].endsWith("'") && rest.startsWith("'") && !rest.startsWith("''")))
      continue;
    found.push(m.index);
  }
  return found;
}

/** Replace every form of every secret with [REDACTED], longest first; then the value of every `PASSWORD '...'` literal. */
export function redact(text: string, secrets: readonly string[]): string {
  const forms = [...new Set(secrets.flatMap(secretForms))].sort((a, b) => b.length - a.length);
  let out = text;
  for (const form of forms) out = out.split(form).join(REDACTED);
  return redactPasswordLiterals(out);
}

/** The end of a text its source cut short (pg_stat_activity keeps track_activity_query_size bytes of a query). */
export const CUT_BY_SOURCE = '…[cut by the server]';

/**
 * A statement as the report keeps it: redacted, then cut to `max` characters. A text its source
 * cut (ending with CUT_BY_SOURCE) may end inside a secret, whose half no longer matches it: after
 * the whole secrets are redacted, it loses as many characters as the longest form of a secret has.
 */
export function redactStatement(text: string, secrets: readonly string[], max = 300): string {
  const sourceCut = text.endsWith(CUT_BY_SOURCE);
  let r = redact(sourceCut ? text.slice(0, -CUT_BY_SOURCE.length) : text, secrets);
  if (sourceCut) {
    const longest = Math.max(0, ...secrets.flatMap(secretForms).map((f) => f.length));
    r = `${r.slice(0, Math.max(0, r.length - longest))}…`;
  }
  return r.length > max ? `${r.slice(0, max - 1)}…` : r;
}

/** Every place a form of a secret occurs in the text, by offset. */
export function findLeaks(text: string, secrets: readonly string[]): Leak[] {
  const leaks: Leak[] = [];
  const found = new Set<string>();
  secrets.forEach((secret, index) => {
    for (const v of secretVariants(secret)) {
      for (let at = text.indexOf(v.text); at >= 0; at = text.indexOf(v.text, at + 1)) {
        // A shorter form inside a longer one found at the same place is the same leak.
        const key = `${index}:${at}`;
        if (found.has(key)) continue;
        found.add(key);
        leaks.push({ form: v.form, index: at, secret: index });
      }
    }
  });
  return leaks.sort((a, b) => a.index - b.index || a.secret - b.secret);
}
