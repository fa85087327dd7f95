// Whether production can be copied physically (G1 and `rehearse doctor`): what the role may do and
// what the server is, over a read-only session, then a real replication connection that asks the
// server who it is (IDENTIFY_SYSTEM): a missing pg_hba `replication` line or REPLICATION attribute
// shows there with the server's own words, before any copy starts.
import { execa } from 'execa';
import { serverErrorLine } from './base-backup-error.js';
import { READ_ONLY_PGOPTIONS } from './dump.js';
import { withConnection } from './identity.js';
import { clientProcessEnv, type PgTarget } from './target.js';
import { StderrTail } from './tool-process.js';

export interface ReplicationPreflight {
  /** current_user has REPLICATION or is a superuser. */
  canReplicate: boolean;
  serverVersionNum: number;
  blockSize: number;
  /** Bytes. */
  walSegmentSize: number;
  /** XLOG_BLCKSZ, a build constant pg_control records: a server built with another refuses the files. */
  walBlockSize: number;
  /** version(), e.g. "PostgreSQL 15.18 (Debian 15.18-1.pgdg120+1) on x86_64-pc-linux-gnu, ...". */
  versionString: string;
  dataChecksums: boolean;
  /** As the server shows it, e.g. "0" or "1GB". */
  walKeepSize: string;
  replication: { ok: true; systemIdentifier: string; timeline: number } | { ok: false; error: string };
  /** The server's refusal of SQL on a physical replication connection (its words), or null when it ran it or none opened. */
  sqlRefusal: string | null;
}

/** The read-only query of the preflight, sent in a read-only transaction (the report lists it). */
export const REPLICATION_PREFLIGHT_QUERY =
  "select coalesce((select rolreplication or rolsuper from pg_catalog.pg_roles where rolname = current_user), false) as can_replicate, current_setting('server_version_num') as num, current_setting('block_size') as block_size, pg_catalog.pg_size_bytes(current_setting('wal_segment_size'))::text as wal_segment_size, current_setting('wal_block_size') as wal_block_size, pg_catalog.version() as version, current_setting('data_checksums') as data_checksums, current_setting('wal_keep_size') as wal_keep_size";

/** The replication command the preflight sends over its replication connection. */
export const IDENTIFY_SYSTEM_COMMAND = 'IDENTIFY_SYSTEM';

interface Row {
  can_replicate: boolean;
  num: string;
  block_size: string;
  wal_segment_size: string;
  wal_block_size: string;
  version: string;
  data_checksums: string;
  wal_keep_size: string;
}

/** The role's and the server's facts, then a replication connection's IDENTIFY_SYSTEM. */
export async function replicationPreflight(target: PgTarget, signal?: AbortSignal): Promise<ReplicationPreflight> {
  const row = await withConnection(
    target,
    'replication preflight',
    (sql) => sql.begin('read only', async (tx) => (await tx.unsafe<Row[]>(REPLICATION_PREFLIGHT_QUERY))[0]!),
    { sessionOptions: READ_ONLY_PGOPTIONS, fetchTypes: false },
  );
  const replication = await identifySystem(target, signal);
  return {
    canReplicate: row.can_replicate,
    serverVersionNum: Number(row.num),
    blockSize: Number(row.block_size),
    walSegmentSize: Number(row.wal_segment_size),
    walBlockSize: Number(row.wal_block_size),
    versionString: row.version,
    dataChecksums: row.data_checksums === 'on',
    walKeepSize: row.wal_keep_size,
    replication,
    sqlRefusal: replication.ok ? await sqlRefusal(target, signal) : null,
  };
}

/** The SQL sent on a physical replication connection to prove it runs none (the server must refuse it). */
export const REPLICATION_SQL_PROBE = 'SELECT 1';

/** The server's words when a physical replication connection (pg_basebackup's kind) is refused SQL; null when it ran it. */
async function sqlRefusal(target: PgTarget, signal?: AbortSignal): Promise<string | null> {
  const ended = await replicationPsql(target, REPLICATION_SQL_PROBE, signal);
  if (ended.exitCode === 0) return null;
  return /cannot execute SQL commands in WAL sender/i.test(ended.said ?? '') ? serverErrorLine(ended.said!) : null;
}

const TIMEOUT_MS = 20_000;

/**
 * IDENTIFY_SYSTEM over a physical replication connection: psql given only `replication=true` as
 * its connection string, host, port, user and password from the environment as for every tool.
 */
async function identifySystem(target: PgTarget, signal?: AbortSignal): Promise<ReplicationPreflight['replication']> {
  const ended = await replicationPsql(target, IDENTIFY_SYSTEM_COMMAND, signal);
  if (ended.exitCode === 0) {
    const parsed = parseIdentifySystem(ended.stdout);
    if (parsed) return { ok: true, ...parsed };
    return { ok: false, error: `IDENTIFY_SYSTEM gave an answer that is not \`systemid|timeline|xlogpos|dbname\`` };
  }
  if (ended.timedOut) return { ok: false, error: `no answer in ${TIMEOUT_MS / 1000} s` };
  if (ended.isCanceled) return { ok: false, error: 'the run was stopped' };
  const how = ended.signal ? `psql was stopped by ${ended.signal}` : `psql exited ${ended.exitCode ?? '?'}`;
  return { ok: false, error: ended.said ? serverErrorLine(ended.said) : how };
}

/** One command on a physical replication connection: psql given only `replication=true` as its connection string. */
async function replicationPsql(target: PgTarget, command: string, signal?: AbortSignal) {
  const child = execa('psql', ['-X', '-q', '-A', '-t', '-F', '|', '-c', command, 'replication=true'], {
    env: clientProcessEnv(target, 'pg-rehearse replication preflight'),
    extendEnv: false,
    stdin: 'ignore',
    reject: false,
    timeout: TIMEOUT_MS,
    forceKillAfterDelay: 1000,
    ...(signal ? { cancelSignal: signal } : {}),
  });
  const stderr = StderrTail.of(child.stderr, 10);
  const ended = await child;
  const lines = stderr.finish();
  return {
    exitCode: ended.exitCode,
    signal: ended.signal,
    timedOut: ended.timedOut,
    isCanceled: ended.isCanceled,
    stdout: typeof ended.stdout === 'string' ? ended.stdout : '',
    said: stderr.firstError ?? lines.find((l) => l.trim() !== ''),
  };
}

/** IDENTIFY_SYSTEM's one row as psql -A -t -F '|' prints it: `7312345678901234567|1|0/3000148|`. */
export function parseIdentifySystem(stdout: string): { systemIdentifier: string; timeline: number } | null {
  const line = stdout.split('\n').find((l) => l.trim() !== '');
  const m = line === undefined ? null : /^(\d+)\|(\d+)\|[0-9A-F]+\/[0-9A-F]+\|/i.exec(line.trim());
  return m ? { systemIdentifier: m[1]!, timeline: Number(m[2]) } : null;
}
