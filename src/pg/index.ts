// The PostgreSQL layer: the only code that opens SQL connections.
export * from './readiness.js';
export * from './liveness.js';
export * from './client-tools.js';
export * from './target.js';
export {
  serverIdentity,
  serverPreflight,
  IDENTITY_QUERY,
  MISSING_TABLES_QUERY,
  rowCounts,
  queryRows,
  parseTableName,
  PgQueryError,
  type ServerIdentity,
} from './identity.js';
export * from './dump.js';
export * from './dump-error.js';
export * from './dump-runner.js';
export * from './dump-content-hash.js';
export * from './restore.js';
export * from './restore-dump.js';
export * from './grants.js';
export * from './write-counters.js';
export * from './session-audit.js';
export * from './server-settings.js';
export * from './streamed-restore.js';
export * from './connection-error.js';
export * from './lock-sampler.js';
export * from './relation-state.js';
export * from './read-probe.js';
export * from './dump-sampler.js';
export * from './dump-footprint.js';
export * from './dump-lock-wait.js';
export * from './copy-prepare-sql.js';
export * from './copy-identity.js';
export {
  checkSessionMarker,
  MarkerMismatchError,
  newSessionMarker,
  psqlMarkerPrelude,
  SESSION_MARKER_QUERY,
  SESSION_PID_QUERY,
  SessionReopenedError,
  type SessionMarker,
} from './session-marker.js';
export * from './base-backup.js';
export * from './base-backup-error.js';
export * from './base-backup-stream.js';
export * from './verify-backup.js';
export * from './backup-manifest.js';
export * from './replication-preflight.js';
export * from './cluster-facts.js';
export * from './copy-image-support.js';
export * from './wal-retention.js';
export * from './copy-libraries.js';
