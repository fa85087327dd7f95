// Progress against the prior run: scenario by scenario, what changed since a prior report
// (FAIL -> PASS, PASS -> FAIL, NOT_RUN -> PASS, ...), and whether a failure is the same one.
import type { Progress, Report } from '../config/index.js';

type Failure = NonNullable<Report['failure']>;

const failureKey = (f: Failure) => ({
  gate: f.scenario ?? f.gate,
  classification: f.classification,
  exception: f.exception ? `${f.exception.name}${f.exception.location ? ` at ${f.exception.location}` : ''}` : null,
});

/** The same failure: same gate, same classification, same exception name and location. */
export function sameFailure(a: Failure, b: Failure): boolean {
  const x = failureKey(a);
  const y = failureKey(b);
  return x.gate === y.gate && x.classification === y.classification && x.exception === y.exception;
}

export function compareReports(prior: Report, current: Report, priorPath: string, priorSha: string): Progress {
  const priorScenarios = new Map(prior.scenarios.map((s) => [s.id, s]));
  const currentScenarios = new Map(current.scenarios.map((s) => [s.id, s]));
  const ids = [...new Set([...current.scenarios.map((s) => s.id), ...prior.scenarios.map((s) => s.id)])];
  const scenarios = ids.map((id) => {
    const p = priorScenarios.get(id)?.status ?? null;
    const c = currentScenarios.get(id)?.status ?? null;
    const change = p === c ? `${c} (unchanged)` : `${p ?? 'absent'} -> ${c ?? 'absent'}`;
    return {
      id,
      title: currentScenarios.get(id)?.title ?? priorScenarios.get(id)?.title ?? '',
      prior: p,
      current: c,
      change,
    };
  });
  const priorGates = new Map(prior.gates.map((g) => [g.id, g.status]));
  const gates = current.gates.map((g) => ({ id: g.id, prior: priorGates.get(g.id) ?? null, current: g.status }));
  const pf = prior.failure;
  const cf = current.failure;
  const failure: Progress['failure'] =
    pf && cf ? (sameFailure(pf, cf) ? 'same' : 'new') : pf ? 'resolved' : cf ? 'regressed' : 'none';
  const priorArtefacts = new Map(prior.artefacts.map((a) => [a.path, a.sha256]));
  const artefacts_changed = current.artefacts
    .filter((a) => priorArtefacts.get(a.path) !== a.sha256)
    .map((a) => (priorArtefacts.has(a.path) ? a.path : `${a.path} (not in the prior run)`));
  return {
    prior_report: priorPath,
    prior_report_sha256: priorSha,
    prior_run_id: prior.run_id,
    prior_status: prior.execution_status,
    current_status: current.execution_status,
    prior_accepted_commit: prior.accepted_commit,
    current_accepted_commit: current.accepted_commit,
    prior_failure: pf ? failureKey(pf) : null,
    current_failure: cf ? failureKey(cf) : null,
    failure,
    scenarios,
    gates,
    artefacts_changed,
  };
}

/** `compare` exits 1 when a scenario that passed before does not pass now. */
export function regressions(progress: Progress): string[] {
  return progress.scenarios.filter((s) => s.prior === 'PASS' && s.current !== 'PASS').map((s) => s.id);
}
