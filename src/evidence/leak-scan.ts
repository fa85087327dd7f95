// The leak scan: every form (raw, percent-encoded, base64) of every secret of a run, looked for
// in every place the run and the system under test printed or wrote; and any `PASSWORD '...'`
// literal there, which is a secret whoever wrote it (the run did not generate it).
import { findLeaks, findPasswordLiterals } from './redact.js';

export interface LeakScanResult {
  secrets: number;
  forms: string[];
  scanned: number;
  /** Every finding: a form of a secret, or a password literal. */
  hits: number;
  places: { place: string; hits: number; literals: number }[];
}

export interface ScanPlace {
  place: string;
  text: string;
  /** Look for password literals too (default). Off for the server's raw log, where the tool's own ALTER ROLE ... PASSWORD statements stand; its redacted copy is scanned with it on. */
  literals?: boolean;
}

/** Every place scanned for every form (raw, percent-encoded, base64) of every secret of the run, and for password literals. */
export function leakScan(secrets: readonly string[], places: readonly ScanPlace[]): LeakScanResult {
  const forms = ['raw', 'percent-encoded', 'base64', 'base64url', 'password literal'];
  const results = places.map((p) => {
    const literals = p.literals === false ? 0 : findPasswordLiterals(p.text).length;
    return { place: p.place, hits: findLeaks(p.text, [...secrets]).length + literals, literals };
  });
  return {
    secrets: secrets.length,
    forms,
    scanned: places.length,
    hits: results.reduce((n, r) => n + r.hits, 0),
    places: results,
  };
}

/** The sentence of a leak finding: which places held a secret of the run, which a password literal. */
export function leakMessage(places: readonly { place: string; hits: number; literals: number }[]): string {
  const secrets = places.filter((p) => p.hits > p.literals).map((p) => p.place);
  const literals = places.filter((p) => p.literals > 0).map((p) => p.place);
  return [
    secrets.length > 0 ? `a generated secret or production's password appeared in ${secrets.join(', ')}` : null,
    literals.length > 0 ? `a PASSWORD '...' literal appeared in ${literals.join(', ')}` : null,
  ]
    .filter(Boolean)
    .join('; ');
}
