// `rehearse doctor --config FILE`: what the config asks of production that can be checked before a
// run. For `production.copy: physical`, G1's replication preflight against production (a read-only
// session, then a replication connection's IDENTIFY_SYSTEM): the REPLICATION attribute and a
// `replication` line in pg_hba.conf, each found or missing, in G1's words and with what to do.
import { loadConfig, parseDsn, resolveProductionDsn } from '../config/index.js';
import { redact } from '../evidence/index.js';
import { connectionFailureHint, describeConnectionFailure, replicationPreflight, type PgTarget } from '../pg/index.js';
import type { DoctorCheck } from './doctor.js';
import { replicationAccess, type ReplicationFinding } from './replication-access.js';

/** What doctor checks of production for a config: nothing for a logical copy, the replication preflight for a physical one. */
export type DoctorProduction =
  { copy: 'logical'; config: string } | { copy: 'physical'; config: string; target: PgTarget; knob: string };

/** Read the config and resolve production's DSN; a config or DSN that cannot be read is a usage error (exit 2). */
export async function doctorProduction(configFile: string): Promise<DoctorProduction> {
  const loaded = await loadConfig(configFile);
  const { production } = loaded.config;
  const config = loaded.paths.config;
  if (production.copy !== 'physical') return { copy: 'logical', config };
  const target = parseDsn(await resolveProductionDsn(loaded), 'production DSN');
  const knob = production.dsn_env ? `production.dsn_env (${production.dsn_env})` : 'production.dsn_file';
  return { copy: 'physical', config, target, knob };
}

export async function productionDoctorChecks(p: DoctorProduction): Promise<DoctorCheck[]> {
  if (p.copy === 'logical')
    return [
      {
        name: 'production copy',
        ok: true,
        detail: `${p.config}: production.copy is logical (pg_dump), which needs no replication`,
        fix: null,
      },
    ];
  return replicationChecks(p.target, p.knob);
}

/** The replication preflight against production as two checks; production that cannot be reached is one failed check. */
export async function replicationChecks(target: PgTarget, knob: string): Promise<DoctorCheck[]> {
  const hide = (text: string) => redact(text, [target.password]);
  try {
    const access = replicationAccess(await replicationPreflight(target), target, hide);
    return [
      doctorCheck('production REPLICATION attribute', access.attribute),
      doctorCheck('production pg_hba replication line', access.pgHba),
    ];
  } catch (err) {
    const why = describeConnectionFailure(err, target, 'production');
    return [
      {
        name: 'production',
        ok: false,
        detail: `${hide(why.message)}: the replication preflight could not run`,
        fix: connectionFailureHint(why.kind, knob),
      },
    ];
  }
}

function doctorCheck(name: string, f: ReplicationFinding): DoctorCheck {
  return f.ok ? { name, ok: true, detail: f.detail, fix: null } : { name, ok: false, detail: f.problem, fix: f.fix };
}
