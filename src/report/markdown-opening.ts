// The top of report.md: the title, the verdict line, the alerts, the warnings, and for a run that did not pass
// the failure and where the verdict was decided, with what its teardown recorded.
import type { Report } from '../config/index.js';
import { plural } from '../plural.js';
import { code, seconds } from './markdown-format.js';

/** Where the run's verdict was decided: the failing scenario, else the failing gate; null on a PASS. */
export const failingAt = (r: Report): string | null => (r.failure ? (r.failure.scenario ?? r.failure.gate) : null);

/** What the teardown record says, as a clause: never "torn down" unless it is complete. */
export function teardownClause(t: Report['teardown']): string {
  if (!t) return 'no teardown was recorded';
  if (t.complete)
    return t.resources.length > 0
      ? 'the environment was torn down by exact name and proved gone'
      : 'teardown recorded nothing created, so nothing was torn down';
  const left = t.resources.filter((x) => !x.gone).map((x) => `${x.kind} ${x.name}`);
  const unshredded = t.secrets.filter((s) => !s.shredded).length;
  const what = [
    ...(left.length ? [`${left.join(', ')} could not be proved gone`] : []),
    ...(unshredded ? [`${plural(unshredded, 'secret file')} not shredded`] : []),
  ];
  return `teardown is INCOMPLETE${what.length ? `: ${what.join('; ')}` : ''}`;
}

function titleLine(r: Report): string {
  return `# ${r.name}: execution_status ${r.execution_status}${r.execution_status === 'PASS' ? '' : ' (honest)'}`;
}

function verdictLine(r: Report): string {
  const at = r.failure ? ` at ${failingAt(r)}, classification \`${r.failure.classification}\`` : '';
  return `**Verdict: ${r.execution_status}**${at} · exit ${r.exit_code} · run ${code(r.run_id)} · ${r.started_at} → ${r.ended_at} (${seconds(r.ms)}) · accepted commit ${code(r.accepted_commit)}`;
}

/** Where the verdict was decided, how many scenarios the stop left NOT_RUN, and the teardown. */
function decidedSentence(r: Report): string {
  const notRun = r.scenarios.filter((s) => s.status === 'NOT_RUN').length;
  const stopped = notRun > 0 ? `; ${plural(notRun, 'scenario')} NOT_RUN after the run stopped` : '';
  return `The verdict is decided at ${failingAt(r)}${stopped}; ${teardownClause(r.teardown)}.`;
}

export function openingLines(r: Report): string[] {
  const out = [titleLine(r), '', verdictLine(r), ''];
  for (const a of r.alerts) out.push(`> **${a}**`, '');
  for (const w of r.warnings) out.push(`> **Warning:** ${w.message}`, '');
  if (r.failure) out.push(r.failure.message, '', decidedSentence(r), '');
  return out;
}
