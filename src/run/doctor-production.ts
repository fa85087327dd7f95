// `rehearse doctor --config FILE`: what the config asks of production that can be checked before a
// run. For `production.copy: physical`, G1's replication preflight against production (a read-only
// session, then a replication connection's IDENTIFY_SYSTEM): the REPLICATION attribute and a
// `replication` line in pg_hba.conf, each found or missing, in G1's words and with what to do;
// for a streamed copy (the default transfer), whether wal_keep_size covers its WAL, as G1 checks.
import { loadConfig, parseDsn, resolveProductionDsn } from '../config/index.js';
import { redact } from '../evidence/index.js';
import {
  connectionFailureHint,
  describeConnectionFailure,
  readWalRetention,
  replicationPreflight,
  type PgTarget,
} from '../pg/index.js';
import type { DoctorCheck } from './doctor.js';
import { replicationAccess, type ReplicationFinding } from './replication-access.js';
import { walKeepVerdict, type WalKeepVerdict } from './wal-keep-verdict.js';

/** What doctor checks of production for a config: nothing for a logical copy, the replication preflight for a physical one. */
export type DoctorProduction =
  | { copy: 'logical'; config: string }
  | { copy: 'physical'; config: string; target: PgTarget; knob: string; streamed: boolean; maxRate: string | null };

/** Read the config and resolve production's DSN; a config or DSN that cannot be read is a usage error (exit 2). */
export async function doctorProduction(configFile: string): Promise<DoctorProduction> {
  const loaded = await loadConfig(configFile);
  const { production } = loaded.config;
  const config = loaded.paths.config;
  if (production.copy !== 'physical') return { copy: 'logical', config };
  const target = parseDsn(await resolveProductionDsn(loaded), 'production DSN');
  const knob = production.dsn_env ? `production.dsn_env (${production.dsn_env})` : 'production.dsn_file';
  const { transfer, max_rate } = production.physical;
  return { copy: 'physical', config, target, knob, streamed: transfer === 'stream', maxRate: max_rate ?? null };
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
  return replicationChecks(p.target, p.knob, p.streamed ? { maxRate: p.maxRate } : null);
}

/** The replication preflight against production as two checks; production that cannot be reached is one failed check. */
export async function replicationChecks(
  target: PgTarget,
  knob: string,
  streamed: { maxRate: string | null } | null = null,
): Promise<DoctorCheck[]> {
  const hide = (text: string) => redact(text, [target.password]);
  try {
    const pre = await replicationPreflight(target);
    const access = replicationAccess(pre, target, hide);
    const checks = [
      doctorCheck('production REPLICATION attribute', access.attribute),
      doctorCheck('production pg_hba replication line', access.pgHba),
    ];
    if (!streamed) return checks;
    const who = `${target.user}@${target.host}:${target.port}`;
    const r = await readWalRetention(target, pre.serverVersionNum);
    const v = walKeepVerdict(r, { segmentBytes: pre.walSegmentSize, maxRate: streamed.maxRate, who });
    return [...checks, doctorCheck('production wal_keep_size (a streamed copy)', v)];
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

function doctorCheck(name: string, f: ReplicationFinding | WalKeepVerdict): DoctorCheck {
  return f.ok ? { name, ok: true, detail: f.detail, fix: null } : { name, ok: false, detail: f.problem, fix: f.fix };
}
