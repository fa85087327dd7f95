// `rehearse run`: the rehearsal with signal handling (SIGINT, SIGTERM, SIGHUP); writes the report
// and returns the exit code.
import { dockerClient } from '../engine/index.js';
import { diskErrorOf } from '../errors.js';
import { writeReport } from '../report/index.js';
import { Interruption, type SignalPlace, type StopSignal } from './interruption.js';
import type { Progress } from './progress.js';
import { rehearse, type RehearsalOptions } from './rehearsal.js';
import { writeOutputs } from './run-outputs.js';

/** What the console says of a signal, by its place in the run. */
export function signalMessage(signal: StopSignal, place: SignalPlace, at: Date, decidedAt: Date | null): string {
  switch (place) {
    case 'first':
      return `${signal} received: stopping at the current step, then the closing gates and teardown; this run cannot PASS`;
    case 'again':
      return `${signal} received again: recorded; teardown is in progress and finishes first`;
    case 'after-verdict':
      return `${signal} received at ${at.toISOString()}, after the verdict was decided at ${decidedAt?.toISOString() ?? 'an earlier moment'}: it changes nothing; the report is written as decided`;
  }
}

export async function runCommand(opts: RehearsalOptions, progress: Progress): Promise<number> {
  using interruption = Interruption.install((signal, place, at) => {
    const message = signalMessage(signal, place, at, interruption.decidedAt);
    progress.note(message);
    progress.event({ type: 'alert', message });
  });
  const { report, exitCode } = await rehearse(opts, { docker: dockerClient(), progress, interruption });
  const written = await writeReport(opts.outDir, report).catch((err: unknown) => err as Error);
  if (written instanceof Error) {
    // The run ended, but its evidence could not be kept: INCONCLUSIVE whatever the verdict (4 still wins).
    const err =
      diskErrorOf(
        written,
        'cannot write the report into --out',
        'give --out a writable folder on a disk with free space and run again',
      ) ?? written;
    progress.note(
      `execution_status: ${report.execution_status}, but the report could not be written; exit ${exitCode === 4 ? 4 : 3}`,
      'verdict',
    );
    if (exitCode !== 4) throw err;
    progress.note(`rehearse: ${err.message}`, 'error');
    for (const alert of report.alerts) progress.note(`!! ${alert}`);
    return exitCode;
  }
  const where = report.failure
    ? ` at ${report.failure.scenario ?? report.failure.gate} (${report.failure.classification})`
    : '';
  progress.note(`execution_status: ${report.execution_status}${where}; exit ${exitCode}`, 'verdict');
  for (const alert of report.alerts) progress.note(`!! ${alert}`);
  for (const { place, error } of await writeOutputs(opts.outputs ?? [], report, written.sha256))
    progress.note(`rehearse: could not write ${place}: ${error.message}`, 'error');
  progress.data(`report: ${written.json}`);
  progress.data(`report: ${written.markdown}`);
  progress.data(`report sha256: ${written.sha256}`);
  return exitCode;
}
