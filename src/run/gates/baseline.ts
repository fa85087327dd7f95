// G5 baseline: exact row counts of the watched tables, and the write counters the scenarios' are measured from.
import { TOOL_ROLE } from '../../engine/index.js';
import { readWriteCounters, rowCounts } from '../../pg/index.js';
import { need, type RunContext } from '../run-context.js';

export async function baselineGate(ctx: RunContext): Promise<Record<string, unknown>> {
  const tool = need(ctx.dryRun, "G3's dry-run server").target(TOOL_ROLE);
  const { watched, roles } = ctx.inputs;
  const baseline = await rowCounts(tool, watched);
  const counters = await readWriteCounters(tool, 'all', { roles });
  // Work the watchdog left behind writes nothing into the record.
  ctx.signal.throwIfAborted();
  ctx.counts = baseline;
  ctx.countersPrev = counters;
  ctx.rec.sections.table_matrix = { tables: watched, baseline, checkpoints: [], final: null };
  return { tables: watched.length };
}
