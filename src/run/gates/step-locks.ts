// A step's locks, watched while it runs: the catalog's relation state read before it, the
// sampler of pg_locks for the system's roles started, and when the step has ended the sampler
// stopped and the state read again. A read that fails (the server died under the step) leaves
// the evidence partial and says why; it never fails the step: the environment's health is judged
// elsewhere, before any blame.
import { TOOL_ROLE } from '../../engine/index.js';
import { messageOf } from '../../errors.js';
import {
  leftoversOf,
  readRelationState,
  sampleLocks,
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
  unread: string[];
}

/** Start watching; `stop` ends it once the step has ended. Each read is a psql child (psql-read.ts). */
export async function watchStepLocks(dry: DryRun, signal: AbortSignal): Promise<{ stop(): Promise<StepLocks> }> {
  const tool = dry.target(TOOL_ROLE);
  const unread: string[] = [];
  // Each read gives up on its own (a paused or dead server) or when the run is aborted: the evidence is then partial.
  const attempt = async <T>(what: string, work: () => Promise<T>): Promise<T | null> =>
    work().catch((err: unknown) => (unread.push(`${what}: ${messageOf(err)}`), null));
  const before: RelationState | null = await attempt('the relation state before the step', () =>
    readRelationState(tool, signal),
  );
  const sampling = sampleLocks(tool, Object.keys(dry.rolePasswords), LOCK_SAMPLE_INTERVAL_MS, signal);
  const started = (await attempt('the lock sampler', () => sampling.started)) !== null;
  return {
    async stop() {
      const seen = await sampling.stop();
      if (started && seen.failure) unread.push(`the lock sampler: a read failed (${seen.failure})`);
      const after = before
        ? await attempt('the relation state after the step', () => readRelationState(tool, signal))
        : null;
      return {
        sampled: seen.locks,
        samples: seen.samples,
        leftovers: before && after ? leftoversOf(before, after) : null,
        unread,
      };
    },
  };
}
