// Whether production keeps the WAL a streamed base backup fetches at its end (`-X fetch`): the
// WAL it writes while the backup runs must still be in pg_wal then, and only `wal_keep_size`
// holds it past a checkpoint. G1 reads what decides it over a read-only session and estimates
// the WAL the backup will need: production's average WAL rate since its statistics were reset
// (pg_stat_wal, PostgreSQL 14+), times the time the copy takes at a conservative rate, twice over.
import { READ_ONLY_PGOPTIONS } from './dump.js';
import { withConnection } from './identity.js';
import type { PgTarget } from './target.js';

export interface WalRetention {
  /** wal_keep_size, max_wal_size, in bytes; checkpoint_timeout in seconds. */
  keepBytes: number;
  maxWalBytes: number;
  checkpointTimeoutS: number;
  /** Every database's size that this user may see (what the backup copies, near enough). */
  clusterBytes: number;
  /** pg_stat_wal's bytes over the seconds since its reset; null before PostgreSQL 14 or just after a reset. */
  walBytesPerSecond: number | null;
}

const SETTING = (name: string) => `(select setting::bigint from pg_catalog.pg_settings where name = '${name}')`;
const CLUSTER_SIZE =
  "(select coalesce(sum(case when pg_catalog.has_database_privilege(oid, 'CONNECT') then pg_catalog.pg_database_size(oid) end), 0) from pg_catalog.pg_database)::bigint";
const SETTINGS_COLUMNS = `${SETTING('wal_keep_size')} * 1048576 as keep, ${SETTING('max_wal_size')} * 1048576 as max_wal, ${SETTING('checkpoint_timeout')} as timeout_s, ${CLUSTER_SIZE} as cluster`;

/** G1's read, PostgreSQL 14 and later (pg_stat_wal). */
export const WAL_RETENTION_QUERY = `select ${SETTINGS_COLUMNS}, w.wal_bytes::bigint as wal_bytes, extract(epoch from (pg_catalog.now() - w.stats_reset))::float8 as wal_seconds from pg_catalog.pg_stat_wal w`;
/** The same before 14: no WAL rate. */
export const WAL_RETENTION_QUERY_PRE14 = `select ${SETTINGS_COLUMNS}, null::bigint as wal_bytes, null::float8 as wal_seconds`;

/** The copy's rate assumed for the estimate (a slow disk or network); `--max-rate` lower than it wins. */
export const ASSUMED_COPY_BYTES_PER_SECOND = 50 * 1024 * 1024;
/** The estimate is doubled: a burst of writes during the copy must not outrun it. */
const MARGIN = 2;

type Row = {
  keep: string;
  max_wal: string;
  timeout_s: string;
  cluster: string;
  wal_bytes: string | null;
  wal_seconds: number | null;
};

export async function readWalRetention(target: PgTarget, serverVersionNum: number): Promise<WalRetention> {
  const query = serverVersionNum >= 140000 ? WAL_RETENTION_QUERY : WAL_RETENTION_QUERY_PRE14;
  const [row] = await withConnection(
    target,
    'wal retention',
    (sql) => sql.begin('read only', (tx) => tx.unsafe<Row[]>(query)),
    { sessionOptions: READ_ONLY_PGOPTIONS, fetchTypes: false },
  );
  const r = row!;
  const seconds = r.wal_seconds === null ? null : Number(r.wal_seconds);
  return {
    keepBytes: Number(r.keep),
    maxWalBytes: Number(r.max_wal),
    checkpointTimeoutS: Number(r.timeout_s),
    clusterBytes: Number(r.cluster),
    walBytesPerSecond: r.wal_bytes === null || seconds === null || seconds < 1 ? null : Number(r.wal_bytes) / seconds,
  };
}

/** `--max-rate` (kB/s, or with a k or M suffix) in bytes a second. */
export function maxRateBytes(rate: string): number {
  const n = Number.parseInt(rate, 10);
  return n * 1024 * (rate.endsWith('M') ? 1024 : 1);
}

export interface WalCoverage {
  covered: boolean;
  /** What the backup is estimated to need kept, and from what. */
  needBytes: number;
  estimatedSeconds: number;
  basis: string;
}

/**
 * Does wal_keep_size cover the WAL written while the copy runs? At least one segment, else twice
 * the rate times the copy's time; with no rate known, max_wal_size (a checkpoint's worth).
 */
export function walKeepCoverage(r: WalRetention, opts: { segmentBytes: number; maxRate: string | null }): WalCoverage {
  const rate = Math.min(
    ASSUMED_COPY_BYTES_PER_SECOND,
    opts.maxRate === null ? Number.POSITIVE_INFINITY : maxRateBytes(opts.maxRate),
  );
  const estimatedSeconds = Math.ceil(r.clusterBytes / rate);
  const mb = (n: number) => `${Math.ceil(n / 1048576)} MB`;
  const needBytes =
    r.walBytesPerSecond === null
      ? Math.max(opts.segmentBytes, r.maxWalBytes)
      : Math.max(opts.segmentBytes, Math.ceil(MARGIN * r.walBytesPerSecond * estimatedSeconds));
  const basis =
    r.walBytesPerSecond === null
      ? `no WAL rate known (pg_stat_wal): max_wal_size, ${mb(r.maxWalBytes)}`
      : `${mb(r.walBytesPerSecond)}/s of WAL on average since pg_stat_wal was reset, over about ${estimatedSeconds} s of copy (${mb(r.clusterBytes)} at ${mb(rate)}/s), twice over; one segment at least`;
  return { covered: r.keepBytes >= needBytes, needBytes, estimatedSeconds, basis };
}
