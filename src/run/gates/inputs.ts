// G0 inputs: hash every artefact and compare it with the pins a reviewer approved.
import { comparePins, hashArtefacts } from '../../evidence/index.js';
import { GateFailure } from '../gate-failure.js';
import { artefactFiles } from '../inputs.js';
import type { RunContext } from '../run-context.js';

export async function inputsGate(ctx: RunContext): Promise<Record<string, unknown>> {
  const { inputs, paths, rec } = ctx;
  const hashed = await hashArtefacts(artefactFiles(inputs), paths.dir);
  rec.artefacts = comparePins(hashed, inputs.pins?.artefacts ?? null);
  const bad = rec.artefacts.filter((a) => !a.ok);
  if (!inputs.pins)
    throw new GateFailure(
      'artefact',
      `no pins file beside the config (${paths.pins}): run \`rehearse pin --config ${paths.config}\` and have a reviewer approve it`,
    );
  if (bad.length > 0)
    throw new GateFailure(
      'artefact',
      `artefacts differ from their pins: ${bad.map((a) => `${a.path} (pinned ${a.pinned?.slice(0, 12) ?? 'none'}, now ${a.sha256.slice(0, 12)})`).join(', ')}`,
    );
  return {
    artefacts: rec.artefacts.length,
    pins: paths.pins,
    scenarios: inputs.pack.map((s) => s.scenario.id),
    watched_tables: inputs.watched.length,
  };
}
