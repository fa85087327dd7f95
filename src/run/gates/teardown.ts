// G7 teardown: everything the run created, by the ids recorded, proved gone; secrets and the backup shredded.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { closeRun } from '../dry-run-environment.js';
import { GateFailure } from '../gate-failure.js';
import { raiseAlerts } from '../run-alerts.js';
import type { RunContext } from '../run-context.js';

export async function teardownGate(ctx: RunContext): Promise<Record<string, unknown>> {
  const { run, rec } = ctx;
  if (run)
    ctx.scanPlaces.push({
      place: 'the run state file',
      text: await readFile(join(run.dir, 'state.json'), 'utf8').catch(() => JSON.stringify(run.journal.snapshot())),
    });
  const outcome = run ? await closeRun(ctx.docker, run, ctx.progress) : null;
  for (const r of outcome?.resources ?? [])
    ctx.progress.event({
      type: 'teardown',
      kind: r.kind,
      name: r.name,
      action: r.action,
      removed: r.gone,
      proof: r.proof,
    });
  const backupDir = ctx.backup?.dir ?? null;
  rec.sections.teardown = {
    complete: outcome ? outcome.complete : true,
    ms: outcome?.ms ?? 0,
    resources: (outcome?.resources ?? []).map((r) => ({
      kind: r.kind,
      name: r.name,
      id: r.id,
      action: r.action,
      gone: r.gone,
      proof: r.proof,
    })),
    secrets: (outcome?.secrets ?? []).map((x) => ({ path: x.path, shredded: x.shredded })),
    backup_shredded: backupDir
      ? !ctx.plan.keepBackup && (outcome?.secrets.some((x) => x.path === backupDir && x.shredded) ?? false)
      : null,
  };
  if (outcome && !outcome.complete) {
    const left = outcome.resources.filter((r) => !r.gone).map((r) => `${r.kind} ${r.name}`);
    raiseAlerts(rec, ctx.progress, [
      `TEARDOWN INCOMPLETE: ${left.join(', ')} could not be proved gone; run \`rehearse teardown --run-id ${ctx.runId}\``,
    ]);
    throw new GateFailure('environment', 'teardown could not prove everything gone');
  }
  return outcome ? { resources: outcome.resources.length } : { resources: 0, skipped: 'nothing was created' };
}
