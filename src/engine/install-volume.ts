// The install's output volume (node_modules, .venv): exact-named, labelled, recorded in the journal.
import { NameTakenError } from '../errors.js';
import type { DockerClient } from './docker-client.js';
import { inspectByName, type Inspected } from './inspect-by-name.js';
import { LABEL_RUN_ID, runnerLabels } from './labels.js';
import type { RunJournal } from './run-journal.js';

/** The volume with exactly this name, or null. */
export async function findVolumeByName(docker: DockerClient, name: string): Promise<Inspected<'volume'> | null> {
  return inspectByName(docker, 'volume', name);
}

/** Create the install's output volume by exact name; a volume of that name that is not this run's is refused. */
export async function createInstallVolume(docker: DockerClient, journal: RunJournal, name: string): Promise<string> {
  const existing = await findVolumeByName(docker, name);
  if (existing) throw new NameTakenError('volume', name, existing.id);
  await journal.record({ kind: 'volume', name, id: null });
  await docker.createVolume({ Name: name, Driver: 'local', Labels: runnerLabels(journal.runId, 'sut-install-output') });
  // The engine answers a create of an existing name with that volume (made in the meantime): check that it is ours.
  const made = await findVolumeByName(docker, name);
  if (made?.labels[LABEL_RUN_ID] !== journal.runId) throw new NameTakenError('volume', name, made?.id ?? name);
  await journal.record({ kind: 'volume', name, id: made.id });
  return made.id;
}
