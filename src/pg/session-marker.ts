// A physical copy has production's system identifier, so every fresh session the tool opens says
// which server it reached by the per-run marker setting (copy-identity.ts): a session meant for the
// dry-run server must find this run's id, a session meant for production must find none. A target
// that carries a SessionMarker is checked before its session does anything else: the in-process
// client asks first (withConnection), a psql read starts with the check (psqlMarkerPrelude), and a
// psql script run is preceded by a checked session to the same address (its lines keep their numbers).
import { EnvironmentError } from '../errors.js';
import { quoteLiteral, type PgTarget } from './target.js';

/** The marker setting a physical copy starts with, valued with the run id; readable by any role. */
export const MARKER_SETTING = 'pg_rehearse.run_id';

export interface SessionMarker {
  /** The run id the server must carry (the dry-run server), or null: it must carry none (production). */
  expect: string | null;
  /** Sessions proved so far; shared by every copy of the target (`{ ...target, user }` keeps the object). */
  proved: { sessions: number };
}

export const newSessionMarker = (expect: string | null): SessionMarker => ({ expect, proved: { sessions: 0 } });

/** The marker on the server a session reached, or null (an empty placeholder counts as none). */
const MARKER_VALUE = `nullif(pg_catalog.current_setting('${MARKER_SETTING}', true), '')`;

/** The first statement of a checked session, in a read-only transaction: the marker and the session's backend. */
export const SESSION_MARKER_QUERY = `select ${MARKER_VALUE} as marker, pg_catalog.pg_backend_pid() as pid`;

/** The last statement of a checked session, in a read-only transaction: still the backend that proved the marker. */
export const SESSION_PID_QUERY = 'select pg_catalog.pg_backend_pid() as pid';

/** What a psql read's refusal says, before the value it found: its stderr is told apart by it. */
const PSQL_REFUSAL = 'pg-rehearse: this session did not reach the expected server: it found';

export class MarkerMismatchError extends EnvironmentError {
  constructor(target: Pick<PgTarget, 'host' | 'port' | 'database'>, expect: string | null, found: string | null) {
    const where = `${target.host}:${target.port}/${target.database}`;
    super(
      'E_MARKER',
      expect === null
        ? `a session meant for production (${where}) found ${MARKER_SETTING} = \`${found}\`: it reached a dry-run copy, not production; refusing to go on`
        : `a session meant for the dry-run server (${where}) found ${MARKER_SETTING} ${found === null ? 'unset' : `= \`${found}\``}, not this run's \`${expect}\`: it reached another server; refusing to go on`,
    );
  }
}

export class SessionReopenedError extends EnvironmentError {
  constructor(target: Pick<PgTarget, 'host' | 'port' | 'database'>, before: number, after: number) {
    super(
      'E_MARKER',
      `a checked session to ${target.host}:${target.port}/${target.database} was reopened while in use (backend ${before}, then ${after}): its later statements ran on a session that did not prove the marker; refusing to go on`,
    );
  }
}

/** Decide a session's marker: count it proved, or throw naming what it reached. */
export function checkSessionMarker(target: PgTarget, found: string | null): void {
  const marker = target.marker;
  if (!marker) return;
  if (found !== marker.expect) throw new MarkerMismatchError(target, marker.expect, found);
  marker.proved.sessions += 1;
}

/**
 * The lines a psql read script starts with when its target carries a marker: psql stops with an
 * error naming the mismatch before the read's own statements (ON_ERROR_STOP); empty otherwise.
 */
export function psqlMarkerPrelude(target: PgTarget): string {
  const marker = target.marker;
  if (!marker) return '';
  const expected = marker.expect === null ? 'null' : quoteLiteral(marker.expect);
  return [
    `select ${MARKER_VALUE} is not distinct from ${expected} as pgr_marker_ok \\gset`,
    '\\if :pgr_marker_ok',
    '\\else',
    // A cast that cannot succeed: its error quotes the refusal and the value found, and ON_ERROR_STOP ends psql there.
    `select (${quoteLiteral(`${PSQL_REFUSAL} `)} || coalesce(${MARKER_VALUE}, '(unset)') || '.')::int;`,
    '\\endif',
    '',
  ].join('\n');
}

/** The mismatch a psql read's stderr tells (its prelude's refusal), or null when it tells none. */
export function psqlMarkerMismatch(target: PgTarget, stderr: string): MarkerMismatchError | null {
  const at = stderr.indexOf(PSQL_REFUSAL);
  if (at < 0 || !target.marker) return null;
  const found = /^ (.*?)\.(?:"|$)/m.exec(stderr.slice(at + PSQL_REFUSAL.length))?.[1] ?? '(unreadable)';
  return new MarkerMismatchError(target, target.marker.expect, found === '(unset)' ? null : found);
}
