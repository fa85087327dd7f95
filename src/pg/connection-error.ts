// Why a connection to a server failed, in words a user can act on: a wrong password, a server that
// refuses the connection, a host that cannot be reached or resolved, a timeout, a database that
// does not exist. Pure: from the error postgres.js or Node.js gave (never its password).
import { errnoOf } from '../errors.js';

export type ConnectionFailureKind =
  | 'authentication'
  | 'refused'
  | 'unreachable'
  | 'unresolved'
  | 'timeout'
  | 'closed'
  | 'no-database'
  | 'not-ready'
  | 'other';

export interface ConnectionFailure {
  kind: ConnectionFailureKind;
  /** One sentence: what happened, naming host, port, user or database as it matters. */
  message: string;
}

/** The SQLSTATE or errno of an error, through its `cause` chain (a PgQueryError keeps the original as its cause). */
function codesOf(err: unknown): string[] {
  const codes: string[] = [];
  for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
    const code = errnoOf(e);
    if (code) codes.push(code);
    if (typeof e === 'object' && e !== null && 'sqlState' in e && typeof e.sqlState === 'string')
      codes.push(e.sqlState);
    e = typeof e === 'object' && e !== null && 'cause' in e ? e.cause : null;
  }
  return codes;
}

/** Tell apart the ways a connection fails; `who` names the server ("production"). */
export function describeConnectionFailure(
  err: unknown,
  target: { host: string; port: number; user: string; database: string },
  who: string,
): ConnectionFailure {
  const at = `${target.host}:${target.port}`;
  const codes = codesOf(err);
  const has = (...c: string[]) => c.some((x) => codes.includes(x));
  if (has('28P01'))
    return {
      kind: 'authentication',
      message: `${who} at ${at} refused the password of user \`${target.user}\` (SQLSTATE 28P01): the password in the DSN is wrong`,
    };
  if (has('28000'))
    return {
      kind: 'authentication',
      message: `${who} at ${at} does not let user \`${target.user}\` connect to \`${target.database}\` (SQLSTATE 28000: no pg_hba.conf entry, or the role may not log in)`,
    };
  if (has('3D000'))
    return { kind: 'no-database', message: `${who} at ${at} has no database \`${target.database}\` (SQLSTATE 3D000)` };
  if (has('57P03'))
    return {
      kind: 'not-ready',
      message: `${who} at ${at} is starting up or shutting down and does not accept connections yet (SQLSTATE 57P03)`,
    };
  if (has('ECONNREFUSED'))
    return {
      kind: 'refused',
      message: `nothing accepts connections at ${at} (connection refused): ${who} is not running there, or listens on another port`,
    };
  if (has('ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME'))
    return {
      kind: 'unresolved',
      message: `the host \`${target.host}\` of ${who} does not resolve (${codes.find((c) => c.startsWith('E'))})`,
    };
  if (has('EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL'))
    return {
      kind: 'unreachable',
      message: `${who} at ${at} cannot be reached from this machine (${codes.find((c) => c.startsWith('E'))}): no route to it`,
    };
  if (has('CONNECT_TIMEOUT', 'ETIMEDOUT'))
    return {
      kind: 'timeout',
      message: `${who} at ${at} did not answer in time (connection timed out): a firewall drops the packets, or the server is overloaded`,
    };
  const closed = codes.find((c) =>
    ['ECONNRESET', 'EPIPE', 'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED'].includes(c),
  );
  if (closed) return { kind: 'closed', message: `${who} at ${at} closed the connection before answering (${closed})` };
  const detail = err instanceof Error ? err.message : String(err);
  return { kind: 'other', message: `${who} at ${at} does not answer: ${detail}` };
}

/** What to do about a failed connection to production, with the config key that sets it. */
export function connectionFailureHint(kind: ConnectionFailureKind, dsnKey: string): string {
  switch (kind) {
    case 'authentication':
      return `correct the user or password of the DSN that ${dsnKey} names (or the server's pg_hba.conf), then run again`;
    case 'no-database':
      return `correct the database name of the DSN that ${dsnKey} names`;
    case 'refused':
    case 'unresolved':
      return `check the host and port of the DSN that ${dsnKey} names, and that the server runs`;
    case 'unreachable':
    case 'timeout':
      return 'check the network between this machine and the server (firewall, VPN), then run again';
    case 'not-ready':
    case 'closed':
    case 'other':
      return 'check that the server is up and accepts connections, then run again';
  }
}
