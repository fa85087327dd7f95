// How a bench side that runs in a child node process of its own (gate-a.mjs, gate-p.mjs) tells its
// end: its failure with the stack, and the teardown of its run by the run's journal, as a rehearsal's.

/** An error as the side reports it: its message, then its stack. */
export function failureText(err) {
  return err instanceof Error ? `${err.message}${err.stack ? `\n${err.stack}` : ''}` : String(err);
}

/** Tear the side's run down (closeRun of dist/run/dry-run-environment.js) and say what went; null when it opened none. */
export async function teardownOf(closeRun, docker, run, progress) {
  if (!run) return null;
  try {
    const outcome = await closeRun(docker, run, progress);
    return {
      complete: outcome.complete,
      resources: outcome.resources.map((r) => `${r.kind} ${r.name}: ${r.gone ? 'gone' : 'REMAINS'}`),
    };
  } catch (err) {
    return { complete: false, error: err instanceof Error ? err.message : String(err) };
  }
}
