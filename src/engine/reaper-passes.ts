// The reaper tears a run down twice (an engine call in flight when the tool died may complete
// after the first pass looked): its record says what either pass removed, with the last proof.
import type { ResourceTeardown, TeardownOutcome } from './teardown.js';

/** One outcome of two passes: an action of the first pass stands unless the second did more; gone, proof and secrets are the second's. */
export function combinePasses(first: TeardownOutcome, second: TeardownOutcome): TeardownOutcome {
  const earlier = new Map(first.resources.map((r) => [`${r.kind} ${r.name}`, r]));
  const resources = second.resources.map((r): ResourceTeardown => {
    const before = earlier.get(`${r.kind} ${r.name}`);
    if (!before || r.action !== 'already-gone') return r;
    return { ...r, action: before.action, id: r.id ?? before.id, detail: r.detail ?? before.detail };
  });
  return { ...second, resources, ms: first.ms + second.ms };
}
