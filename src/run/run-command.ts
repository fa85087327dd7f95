// `rehearse run`: the rehearsal with signal handling (SIGINT, SIGTERM, SIGHUP); writes the report
// and returns the exit code.
import { dockerClient } from '../engine/index.js';
import { writeReport } from '../report/index.js';
import { Interruption } from './interruption.js';
import type { Progress } from './progress.js';
import { rehearse, type RehearsalOptions } from './rehearsal.js';

export async function runCommand(opts: RehearsalOptions, progress: Progress): Promise<number> {
  using interruption = Interruption.install((signal, first) => {
    progress.note(first ? `${signal} received: stopping at the current step, then the closing gates and teardown; this run cannot PASS` : `${signal} received again: recorded; teardown is in progress and finishes first`);
  });
  const { report, exitCode } = await rehearse(opts, { docker: dockerClient(), progress, interruption });
  const written = await writeReport(opts.outDir, report);
  const where = report.failure ? ` at ${report.failure.scenario ?? report.failure.gate} (${report.failure.classification})` : '';
  progress.note(`execution_status: ${report.execution_status}${where}; exit ${exitCode}`);
  for (const alert of report.alerts) progress.note(`!! ${alert}`);
  progress.data(`report: ${written.json}`);
  progress.data(`report: ${written.markdown}`);
  progress.data(`report sha256: ${written.sha256}`);
  return exitCode;
}
