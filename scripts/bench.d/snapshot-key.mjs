// The exact key of the bench's own cached-restore snapshot, derived from the suffix scripts/bench
// gives each bench: bench.mjs commits it (through gate-a.mjs) and removes it by this key, and
// scripts/bench's EXIT trap removes it by the same key when node was killed. It can never be a key
// a rehearsal makes (cacheKey hashes a different preamble), so the bench cannot touch a real snapshot.
import { createHash } from 'node:crypto';

export const benchSnapshotKey = (suffix) =>
  createHash('sha256').update(`pg-rehearse bench snapshot\n${suffix}`).digest('hex');

/** Written into BENCH_WORK just before the bench may create its snapshot: the trap removes it only then. */
export const SNAPSHOT_MARKER = 'snapshot-armed';
