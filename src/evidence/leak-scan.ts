// The leak scan: every form (raw, percent-encoded, base64) of every secret of a run, looked for
// in every place the run and the system under test printed or wrote.
import { findLeaks } from './redact.js';

export interface LeakScanResult {
  secrets: number;
  forms: string[];
  scanned: number;
  hits: number;
  places: { place: string; hits: number }[];
}

/** Every place scanned for every form (raw, percent-encoded, base64) of every secret of the run. */
export function leakScan(secrets: readonly string[], places: readonly { place: string; text: string }[]): LeakScanResult {
  const forms = ['raw', 'percent-encoded', 'base64', 'base64url'];
  const results = places.map((p) => ({ place: p.place, hits: findLeaks(p.text, [...secrets]).length }));
  return { secrets: secrets.length, forms, scanned: places.length, hits: results.reduce((n, r) => n + r.hits, 0), places: results };
}
