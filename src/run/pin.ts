// `rehearse pin`: write the current sha256 of every artefact into pins.yaml beside the config,
// for a reviewer to approve (other configs' pins in the same file are kept).
import { writeFile } from 'node:fs/promises';
import { stringify } from 'yaml';
import { hashArtefacts, pinsFor } from '../evidence/index.js';
import { artefactFiles, loadInputs } from './inputs.js';
import type { Progress } from './progress.js';

export async function pinCommand(configFile: string, progress: Progress): Promise<number> {
  const inputs = await loadInputs(configFile, { resolveProduction: false });
  const { paths } = inputs.loaded;
  const hashed = await hashArtefacts(artefactFiles(inputs), paths.dir);
  const pins = pinsFor(hashed, inputs.pins?.artefacts ?? {});
  const header =
    '# sha256 of each artefact under review, by path relative to this folder.\n# Written by `rehearse pin`; a reviewer approves changes to it. A run fails at G0 when an artefact differs.\n';
  await writeFile(paths.pins, header + stringify({ artefacts: pins }));
  for (const a of hashed) progress.data(`${a.sha256}  ${a.key}`);
  progress.note(`wrote ${paths.pins}`);
  return 0;
}
