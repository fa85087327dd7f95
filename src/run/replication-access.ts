// Whether production lets this user copy it physically, decided from the replication preflight
// (pg/replication-preflight.ts): the REPLICATION attribute (or SUPERUSER), and a `replication`
// line in pg_hba.conf (proved by a real replication connection). G1 stops at the first that is
// missing; `rehearse doctor --config` shows both. One wording for both, each with what to do.
import type { ReplicationPreflight } from '../pg/index.js';

type Missing = { ok: false; problem: string; fix: string };
export type ReplicationFinding = { ok: true; detail: string } | Missing;

export interface ReplicationAccess {
  /** The role has REPLICATION or SUPERUSER. */
  attribute: ReplicationFinding;
  /** pg_hba.conf lets a replication connection of this user in. */
  pgHba: ReplicationFinding;
}

/** G1's answer: the copy may start (production's system identifier, as the replication connection gave it), or why not. */
export type ReplicationVerdict = { ok: true; systemIdentifier: string } | { ok: false; refusal: string };

type Production = { user: string; host: string; port: number };
type Preflight = Pick<ReplicationPreflight, 'canReplicate' | 'replication'>;

/**
 * The server's words when pg_hba.conf let a replication connection in and the role may not
 * replicate (PostgreSQL checks pg_hba.conf first): the line is there, the attribute is not.
 */
const ROLE_REFUSAL = /must be (a )?superuser or (a )?replication role/i;

const whoOf = (p: Production) => `${p.user}@${p.host}:${p.port}`;

function attributeMissing(user: string): Missing {
  return {
    ok: false,
    problem: `production's user ${user} has neither REPLICATION nor SUPERUSER, which a physical copy needs`,
    fix: `\`ALTER ROLE ${user} REPLICATION\` on production, or \`production.copy: logical\``,
  };
}

function pgHbaMissing(production: Production, said: string): Missing {
  return {
    ok: false,
    problem: `production refuses a replication connection of ${whoOf(production)}: ${said}`,
    fix: `add a \`host replication ${production.user} <this machine's address> scram-sha-256\` line to production's pg_hba.conf and reload it, or \`production.copy: logical\``,
  };
}

const refusalOf = (m: Missing): ReplicationVerdict => ({ ok: false, refusal: `${m.problem}; what to do: ${m.fix}` });

/** G1: the attribute first, then the replication connection; `redact` takes every secret out of the server's words. */
export function replicationVerdict(
  p: Preflight,
  production: Production,
  redact: (text: string) => string,
): ReplicationVerdict {
  if (!p.canReplicate) return refusalOf(attributeMissing(production.user));
  if (!p.replication.ok) return refusalOf(pgHbaMissing(production, redact(p.replication.error)));
  return { ok: true, systemIdentifier: p.replication.systemIdentifier };
}

/** `rehearse doctor --config`: each of the two, found or missing, in G1's words. */
export function replicationAccess(
  p: Preflight,
  production: Production,
  redact: (text: string) => string,
): ReplicationAccess {
  const { user } = production;
  const attribute: ReplicationFinding = p.canReplicate
    ? { ok: true, detail: `production's user ${user} has REPLICATION or SUPERUSER` }
    : attributeMissing(user);
  let pgHba: ReplicationFinding;
  if (p.replication.ok)
    pgHba = {
      ok: true,
      detail: `production let a replication connection of ${whoOf(production)} in (IDENTIFY_SYSTEM: system identifier ${p.replication.systemIdentifier}, timeline ${p.replication.timeline})`,
    };
  else if (!p.canReplicate && ROLE_REFUSAL.test(p.replication.error))
    pgHba = {
      ok: true,
      detail: `pg_hba.conf let a replication connection of ${whoOf(production)} in; the server then refused it for the missing attribute: ${redact(p.replication.error)}`,
    };
  else pgHba = pgHbaMissing(production, redact(p.replication.error));
  return { attribute, pgHba };
}
