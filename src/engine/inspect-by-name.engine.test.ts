// inspectByName against the real engine: a container, a network and a volume found by exact name,
// and nothing found for a name that does not exist or that only matches an id prefix.
import { afterAll, describe, expect, it } from 'vitest';
import { docker, uniqueName } from '../test-support/docker.js';
import { defaultImage } from './image.js';
import { inspectByName, inspectResource } from './inspect-by-name.js';

const name = uniqueName('pgr-ibn');
const labels = { 'io.pg-rehearse.test': name };
const made: { container?: string; network?: string; volume?: string } = {};

afterAll(async () => {
  if (made.container) await docker.getContainer(made.container).remove({ force: true });
  if (made.network) await docker.getNetwork(made.network).remove();
  if (made.volume) await docker.getVolume(made.volume).remove();
  for (const kind of ['container', 'network', 'volume'] as const)
    await expect(inspectByName(docker, kind, name)).resolves.toBeNull();
});

describe('inspectByName', () => {
  it('finds a container, a network and a volume by exact name, with their id and labels', async () => {
    const network = await docker.createNetwork({ Name: name, CheckDuplicate: true, Labels: labels });
    made.network = network.id;
    const volume = await docker.createVolume({ Name: name, Labels: labels });
    made.volume = volume.name;
    const container = await docker.createContainer({ name, Image: defaultImage(), Labels: labels });
    made.container = container.id;

    await expect(inspectByName(docker, 'container', name)).resolves.toMatchObject({ id: container.id, name, labels });
    await expect(inspectByName(docker, 'network', name)).resolves.toMatchObject({ id: network.id, name, labels });
    await expect(inspectByName(docker, 'volume', name)).resolves.toMatchObject({ id: name, name, labels });
  });

  it('finds nothing for a name that does not exist (404), for each kind', async () => {
    for (const kind of ['container', 'network', 'volume'] as const) {
      await expect(inspectByName(docker, kind, `${name}-absent`)).resolves.toBeNull();
      await expect(inspectResource(docker, kind, `${name}-absent`)).resolves.toBeNull();
    }
  });

  it('finds nothing by a name that only matches an id prefix, which inspectResource does find', async () => {
    const prefix = made.container!.slice(0, 12);
    await expect(inspectResource(docker, 'container', prefix)).resolves.toMatchObject({ id: made.container, name });
    await expect(inspectByName(docker, 'container', prefix)).resolves.toBeNull();
  });
});
