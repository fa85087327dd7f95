// Environment before blame: a failure seen while the dry-run server (or the runner) died is the
// environment's, never the system under test's or the pack's.
import { environmentFaults, observeEnvironment } from '../environment-health.js';
import { GateFailure } from '../gate-failure.js';
import type { RunContext } from '../run-context.js';

export async function blame(ctx: RunContext, failure: GateFailure): Promise<GateFailure> {
  if (!ctx.health) return failure;
  const faults = environmentFaults(ctx.health, await observeEnvironment(ctx.docker, ctx.health, ctx.now));
  if (faults.length === 0) return failure;
  return new GateFailure(
    'environment',
    `${faults.join('; ')}: what was seen meanwhile says nothing of the system under test or the pack (${failure.message})`,
    failure.details,
  );
}
