// `rehearse compare PRIOR NEW`: the progress between two finished reports; exit 1 when a
// scenario that passed before does not pass now.
import { compareReports, regressions } from '../report/index.js';
import { loadVerifiedReport } from './prior-report.js';
import type { Progress } from './progress.js';

export async function compareCommand(priorPath: string, currentPath: string, progress: Progress): Promise<number> {
  const prior = await loadVerifiedReport(priorPath, 'prior report');
  const current = await loadVerifiedReport(currentPath, 'new report');
  const p = compareReports(prior.report, current.report, prior.path, prior.sha256);
  progress.data(
    `prior ${p.prior_run_id} ${p.prior_status} at ${p.prior_accepted_commit} -> now ${current.report.run_id} ${p.current_status} at ${p.current_accepted_commit}`,
  );
  for (const s of p.scenarios) progress.data(`  ${s.id.padEnd(8)} ${s.change}`);
  progress.data(
    `failure: ${p.failure}${p.prior_failure ? `; before: ${p.prior_failure.gate} ${p.prior_failure.classification}${p.prior_failure.exception ? ` ${p.prior_failure.exception}` : ''}` : ''}${p.current_failure ? `; now: ${p.current_failure.gate} ${p.current_failure.classification}${p.current_failure.exception ? ` ${p.current_failure.exception}` : ''}` : ''}`,
  );
  if (p.artefacts_changed.length) progress.data(`artefacts changed since: ${p.artefacts_changed.join(', ')}`);
  const lost = regressions(p);
  if (lost.length > 0) {
    progress.note(`regressed: ${lost.join(', ')} passed before and do not now`);
    return 1;
  }
  return 0;
}
