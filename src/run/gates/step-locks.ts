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
  type LockSampling,
  type RelationState,
  type SampledLock,
  type StepLeftovers,
} from '../../pg/index.js';
import type { DryRun } from '../run-context.js';

export const LOCK_SAMPLE_INTERVAL_MS = 25;
const READ_TIMEOUT_MS = 10_000;

/** `work`, or a rejection when the run is aborted or it took too long; what it waited on is let go either way. */
function withDeadline<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort = () => {};
  const giveUp = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${READ_TIMEOUT_MS / 1000} s`)), READ_TIMEOUT_MS);
    onAbort = () => reject(new Error('the run was stopped'));
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  return Promise.race([work, giveUp]).finally(() => {
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
  });
}

export interface StepLocks {
  sampled: SampledLock[];
  samples: number;
  leftovers: StepLeftovers | null;
  unread: string[];
}

/** Start watching; `stop` ends it once the step has ended. */
export async function watchStepLocks(dry: DryRun, signal: AbortSignal): Promise<{ stop(): Promise<StepLocks> }> {
  const tool = dry.target(TOOL_ROLE);
  const unread: string[] = [];
  // Each read gives up after READ_TIMEOUT_MS or when the run is aborted (a paused or dead server): the evidence is then partial.
  const attempt = async <T>(what: string, work: () => Promise<T>): Promise<T | null> =>
    withDeadline(work(), signal).catch((err: unknown) => (unread.push(`${what}: ${messageOf(err)}`), null));
  const before: RelationState | null = await attempt('the relation state before the step', () =>
    readRelationState(tool),
  );
  const starting = sampleLocks(tool, Object.keys(dry.rolePasswords), LOCK_SAMPLE_INTERVAL_MS);
  const sampling: LockSampling | null = await attempt('the lock sampler', () => starting);
  // Given up on while it started: a sampler that starts after all is stopped at once, never left polling.
  if (!sampling)
    void starting.then(
      (late) => late.stop(),
      () => {},
    );
  return {
    async stop() {
      const seen = sampling ? await attempt('the lock sampler', () => sampling.stop()) : null;
      if (seen?.failure) unread.push(`the lock sampler: a read failed (${seen.failure})`);
      const after = before ? await attempt('the relation state after the step', () => readRelationState(tool)) : null;
      return {
        sampled: seen?.locks ?? [],
        samples: seen?.samples ?? 0,
        leftovers: before && after ? leftoversOf(before, after) : null,
        unread,
      };
    },
  };
}
