// A step's locks, watched while it runs: the catalog's relation state read before it, the
// sampler of pg_locks for the system's roles started, and when the step has ended the sampler
// stopped and the state read again. A read that fails (the server died under the step) leaves
// the evidence partial and says why; it never fails the step: the environment's health is judged
// elsewhere, before any blame.
import { TOOL_ROLE } from '../../engine/index.js';
import { messageOf } from '../../errors.js';
import {
  leftoversOf,
  MarkerMismatchError,
  probeReads,
  PROBE_INTERVAL_MS,
  readRelationState,
  sampleLocks,
  type ProbeRead,
  type RelationState,
  type SampledLock,
  type StepLeftovers,
} from '../../pg/index.js';
import type { DryRun } from '../run-context.js';

export const LOCK_SAMPLE_INTERVAL_MS = 25;

export interface StepLocks {
  sampled: SampledLock[];
  samples: number;
  leftovers: StepLeftovers | null;
  /** The read probe's reads, when it ran (null: it did not). */
  probed: ProbeRead[] | null;
  unread: string[];
}

/**
 * Start watching, and probing reads of `probe`'s tables when given; `stop` ends it once the step
 * has ended. Each read is a psql child (psql-read.ts).
 */
export async function watchStepLocks(
  dry: DryRun,
  signal: AbortSignal,
  probe: readonly string[] | null = null,
): Promise<{ stop(): Promise<StepLocks> }> {
  const tool = dry.target(TOOL_ROLE);
  const unread: string[] = [];
  // Each read gives up on its own (a paused or dead server) or when the run is aborted: the evidence is then partial.
  // A read that reached another server than the dry-run one (a physical copy's marker) stops the run instead.
  const attempt = async <T>(what: string, work: () => Promise<T>): Promise<T | null> =>
    work().catch((err: unknown) => {
      if (err instanceof MarkerMismatchError) throw err;
      unread.push(`${what}: ${messageOf(err)}`);
      return null;
    });
  const before: RelationState | null = await attempt('the relation state before the step', () =>
    readRelationState(tool, signal),
  );
  const sampling = sampleLocks(tool, Object.keys(dry.rolePasswords), LOCK_SAMPLE_INTERVAL_MS, signal);
  const started = (await attempt('the lock sampler', () => sampling.started)) !== null;
  const probing = probe && probe.length > 0 ? probeReads(tool, probe, PROBE_INTERVAL_MS, signal) : null;
  const probeStarted = probing
    ? (await attempt('the read probe', () => probing.started).catch(async (err: unknown) => {
        await sampling.stop();
        throw err;
      })) !== null
    : false;
  return {
    async stop() {
      const [seen, probed] = await Promise.all([sampling.stop(), probing?.stop() ?? null]);
      if (started && seen.failure) unread.push(`the lock sampler: a read failed (${seen.failure})`);
      if (probeStarted && probed?.failure) unread.push(`the read probe: a read failed (${probed.failure})`);
      const after = before
        ? await attempt('the relation state after the step', () => readRelationState(tool, signal))
        : null;
      return {
        sampled: seen.locks,
        samples: seen.samples,
        leftovers: before && after ? leftoversOf(before, after) : null,
        probed: probed?.reads ?? null,
        unread,
      };
    },
  };
}
