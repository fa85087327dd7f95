// The leak scan: every form (raw, percent-encoded, base64) of every secret of a run, looked for
// in every place the run and the system under test printed or wrote; and any `PASSWORD '...'`
// literal there, which is a secret whoever wrote it (the run did not generate it). Each place says
// whose secrets it held (the owner: "production", a role, the tool's own role), never the value.
import { findLeaks, findPasswordLiterals } from './redact.js';

export interface LeakScanResult {
  secrets: number;
  forms: string[];
  scanned: number;
  /** Every finding: a form of a secret, or a password literal. */
  hits: number;
  places: LeakPlace[];
}

export interface LeakPlace {
  place: string;
  hits: number;
  literals: number;
  /** Whose secrets appeared there, each once, in the order of the secrets. */
  owners: string[];
}

export interface ScanPlace {
  place: string;
  text: string;
  /** Look for password literals too (default). Off for the server's raw log, where the tool's own ALTER ROLE ... PASSWORD statements stand; its redacted copy is scanned with it on. */
  literals?: boolean;
}

/** Who a secret belongs to when the run did not say: never the value. */
export const UNKNOWN_OWNER = 'unnamed';

/**
 * Every place scanned for every form (raw, percent-encoded, base64) of every secret of the run, and
 * for password literals; `owners` names whose each secret is.
 */
export function leakScan(
  secrets: readonly string[],
  places: readonly ScanPlace[],
  owners: ReadonlyMap<string, string> = new Map(),
): LeakScanResult {
  const forms = ['raw', 'percent-encoded', 'base64', 'base64url', 'password literal'];
  const results = places.map((p): LeakPlace => {
    const literals = p.literals === false ? 0 : findPasswordLiterals(p.text).length;
    const leaks = findLeaks(p.text, [...secrets]);
    const found = [...new Set(leaks.map((l) => l.secret))].sort((a, b) => a - b);
    const whose = [...new Set(found.map((i) => owners.get(secrets[i]!) ?? UNKNOWN_OWNER))];
    return { place: p.place, hits: leaks.length + literals, literals, owners: whose };
  });
  return {
    secrets: secrets.length,
    forms,
    scanned: places.length,
    hits: results.reduce((n, r) => n + r.hits, 0),
    places: results,
  };
}

/** Whose secrets a place held, as a clause: "the password of production and the password of app_rw". */
export function ownersClause(owners: readonly string[]): string {
  if (owners.length === 0) return "a generated secret or production's password";
  return owners.map((o) => (o === UNKNOWN_OWNER ? 'a secret of the run' : `the password of ${o}`)).join(' and ');
}

/** The sentence of a leak finding: which places held whose secret, which a password literal. */
export function leakMessage(places: readonly LeakPlace[]): string {
  const secrets = places.filter((p) => p.hits > p.literals);
  const literals = places.filter((p) => p.literals > 0).map((p) => p.place);
  // Places holding the same owners' secrets share one clause.
  const byOwners = new Map<string, string[]>();
  for (const p of secrets) {
    const clause = ownersClause(p.owners);
    byOwners.set(clause, [...(byOwners.get(clause) ?? []), p.place]);
  }
  return [
    ...[...byOwners].map(([whose, at]) => `${whose} appeared in ${at.join(', ')}`),
    literals.length > 0 ? `a PASSWORD '...' literal appeared in ${literals.join(', ')}` : null,
  ]
    .filter(Boolean)
    .join('; ');
}
