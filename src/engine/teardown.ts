// Teardown by exact name: remove only what a run recorded, by the recorded id, after checking the
// exact name and the run-id label; then prove each name is gone (inspect answers 404) and shred
// the run's secret files. Never by prefix, pattern or label alone.
import { existsSync } from 'node:fs';
import { z } from 'zod';
import { messageOf } from '../errors.js';
import { isNotFoundError, type DockerClient } from './docker-client.js';
import { inspectResource } from './inspect-by-name.js';
import { LABEL_RUN_ID } from './labels.js';
import { ResourceKind, type RecordedResource, type RunState } from './run-state.js';
import { shredPath } from './secret-file.js';

export const RemovalAction = z.enum(['removed', 'already-gone', 'not-ours', 'error']);
export type RemovalAction = z.infer<typeof RemovalAction>;

export const ResourceTeardown = z.object({
  kind: ResourceKind,
  name: z.string(),
  id: z.string().nullable(),
  action: RemovalAction,
  /** After removal: inspect by exact name (and by recorded id) answered 404. */
  gone: z.boolean(),
  proof: z.string(),
  detail: z.string().nullable(),
});
export type ResourceTeardown = z.infer<typeof ResourceTeardown>;

export const SecretTeardown = z.object({
  path: z.string(),
  shredded: z.boolean(),
  detail: z.string().nullable(),
});
export type SecretTeardown = z.infer<typeof SecretTeardown>;

export const TeardownOutcome = z.object({
  runId: z.string(),
  complete: z.boolean(),
  resources: z.array(ResourceTeardown),
  secrets: z.array(SecretTeardown),
  ms: z.number(),
});
export type TeardownOutcome = z.infer<typeof TeardownOutcome>;

async function removeResource(docker: DockerClient, kind: ResourceKind, id: string): Promise<void> {
  try {
    switch (kind) {
      case 'container':
        await docker.getContainer(id).remove({ force: true, v: true });
        return;
      case 'network':
        await docker.getNetwork(id).remove();
        return;
      case 'volume':
        await docker.getVolume(id).remove();
        return;
    }
  } catch (err) {
    if (isNotFoundError(err)) return;
    throw err;
  }
}

/** Ours means: exactly the recorded name, and the run-id label valued with this run. */
export function isOurs(
  found: { name: string; labels: Record<string, string> },
  expected: RecordedResource,
  runId: string,
): boolean {
  return found.name === expected.name && found.labels[LABEL_RUN_ID] === runId;
}

async function teardownResource(docker: DockerClient, res: RecordedResource, runId: string): Promise<ResourceTeardown> {
  const out: ResourceTeardown = {
    kind: res.kind,
    name: res.name,
    id: res.id,
    action: 'already-gone',
    gone: false,
    proof: '',
    detail: null,
  };
  try {
    // The recorded id when there is one; else the exact name (a run killed between create and record).
    const found = await inspectResource(docker, res.kind, res.id ?? res.name);
    if (found) {
      if (isOurs(found, res, runId)) {
        out.id = found.id;
        await removeResource(docker, res.kind, found.id);
        out.action = 'removed';
      } else {
        out.action = 'not-ours';
        out.detail = `\`${found.name}\` (${found.id.slice(0, 12)}) does not carry ${LABEL_RUN_ID}=${runId}: left untouched`;
      }
    }
    const byName = await inspectResource(docker, res.kind, res.name);
    const byId = out.id ? await inspectResource(docker, res.kind, out.id) : null;
    // A name held by something that is not ours (inspect also matches id prefixes) is proof ours is gone.
    const nameFree = byName === null || !isOurs(byName, res, runId);
    out.gone = nameFree && byId === null;
    out.proof = out.gone
      ? `inspect ${res.name}${out.id ? ` and ${out.id.slice(0, 12)}` : ''}: 404`
      : `still present: ${(byId ?? byName)?.id.slice(0, 12) ?? '?'}`;
  } catch (err) {
    out.action = 'error';
    out.gone = false;
    out.detail = messageOf(err);
    out.proof = 'could not inspect';
  }
  return out;
}

const ORDER: Record<ResourceKind, number> = { container: 0, volume: 1, network: 2 };

/** Tear down everything a run recorded: containers before volumes before their network. */
export async function teardownRecorded(
  docker: DockerClient,
  state: RunState,
  clock: () => number = Date.now,
): Promise<TeardownOutcome> {
  const t0 = clock();
  const ordered = [...state.resources].reverse().sort((a, b) => ORDER[a.kind] - ORDER[b.kind]);
  const resources: ResourceTeardown[] = [];
  for (const res of ordered) resources.push(await teardownResource(docker, res, state.runId));
  const secrets: SecretTeardown[] = [];
  for (const path of state.secrets) {
    try {
      await shredPath(path);
      // Proof, not assumption: the path must be gone.
      const gone = !existsSync(path);
      secrets.push({ path, shredded: gone, detail: gone ? null : 'still present after shredding' });
    } catch (err) {
      secrets.push({ path, shredded: false, detail: messageOf(err) });
    }
  }
  return {
    runId: state.runId,
    complete: resources.every((r) => r.gone) && secrets.every((s) => s.shredded),
    resources,
    secrets,
    ms: clock() - t0,
  };
}

/** What could not be proved gone, by kind and exact name. */
export function remainingOf(outcome: TeardownOutcome): string[] {
  return [
    ...outcome.resources.filter((r) => !r.gone).map((r) => `${r.kind} ${r.name}`),
    ...outcome.secrets.filter((s) => !s.shredded).map((s) => `secret file ${s.path}`),
  ];
}
