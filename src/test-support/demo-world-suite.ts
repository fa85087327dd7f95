// One demo world for an engine test file (an embedded production, a protected environment and the
// example system under test), started before its tests and closed after them with proof that
// neither its side containers nor anything labelled with the run ids its tests recorded is left.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { finishRun, LABEL_SIDE, removeSideServer } from '../engine/index.js';
import { startDemoWorld, type DemoNames, type DemoWorld } from '../run/demo.js';
import { countLabelled, docker, uniqueName } from './docker.js';

const NOTHING = { containers: 0, networks: 0, volumes: 0, total: 0 };

export interface DemoWorldSuite {
  /** Unique names of its production and protected containers, `<prefix>-prod` and `<prefix>-prot`. */
  names: DemoNames;
  /** The run id of every run a test starts: the test pushes it; after the tests each must have left nothing. */
  runIds: string[];
  /** The started world; read it inside a test or hook, not while the file is collected. */
  readonly world: DemoWorld;
  /** A temporary folder of the file's own (the world lives in `world/` under it), removed after the tests. */
  readonly work: string;
}

/** Register the beforeAll that starts the demo world and the afterAll that finishes, closes and checks it. */
export function useDemoWorld(prefix: string): DemoWorldSuite {
  const names: DemoNames = { production: uniqueName(`${prefix}-prod`), protected: uniqueName(`${prefix}-prot`) };
  const runIds: string[] = [];
  let work: string | undefined;
  let world: DemoWorld | undefined;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), `${prefix}-`));
    world = await startDemoWorld(docker, join(work, 'world'), names);
  });

  afterAll(async () => {
    // A failed assertion may leave a run unfinished: finish it by its run id, as a user would, then count.
    for (const runId of runIds) if ((await countLabelled(runId)).total > 0) await finishRun(docker, runId);
    await world?.close();
    for (const name of [names.production, names.protected]) await removeSideServer(docker, name);
    const side = await docker.listContainers({ all: true, filters: { label: [LABEL_SIDE] } });
    expect(
      side.flatMap((c) => c.Names).filter((n) => n === `/${names.production}` || n === `/${names.protected}`),
    ).toEqual([]);
    for (const runId of runIds) expect(await countLabelled(runId)).toEqual(NOTHING);
    if (work) await rm(work, { recursive: true, force: true });
  });

  return {
    names,
    runIds,
    get world() {
      if (!world) throw new Error(`the demo world of ${prefix} is not started: read it inside a test or hook`);
      return world;
    },
    get work() {
      if (!work) throw new Error(`the work folder of ${prefix} is not made: read it inside a test or hook`);
      return work;
    },
  };
}
