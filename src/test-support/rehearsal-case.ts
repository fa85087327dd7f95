// A rehearsal case for engine tests: a config of its own in a fresh folder against a demo world
// (its DSN, containers and repository at the fix), with a scenario pack of copies of scenarios/
// files (each with at most one edit), pinned as a reviewer would.
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { PACKAGE_ROOT } from '../engine/index.js';
import type { DemoNames, DemoWorld } from '../run/demo.js';
import { pinCommand } from '../run/pin.js';
import { silentProgress } from '../run/progress.js';
import { uniqueName } from './docker.js';

export interface RehearsalCase {
  config: string;
  envName: string;
  out: string;
}

export const at = (...p: string[]) => join(PACKAGE_ROOT, ...p);

/** Files of scenarios/ (or new ones: [null, text]) into a fresh pack folder; an edit that matches nothing is a broken test. */
export async function packOf(
  work: string,
  files: Record<string, [from: string | null, to: string] | null>,
): Promise<{ dir: string; pack: string }> {
  const dir = await mkdtemp(join(work, 'case-'));
  const pack = join(dir, 'pack');
  await mkdir(pack);
  for (const [file, edit] of Object.entries(files)) {
    let text = edit && edit[0] === null ? edit[1] : await readFile(at('scenarios', file), 'utf8');
    if (edit && edit[0] !== null) {
      if (!text.includes(edit[0])) throw new Error(`scenarios/${file} does not contain ${JSON.stringify(edit[0])}`);
      text = text.replace(edit[0], edit[1]);
    }
    await writeFile(join(pack, file), text);
  }
  return { dir, pack };
}

/** A pinned config in `dir` against the world, with the pack given (the project's own by default) and `extra` keys. */
export async function prepareCase(
  world: DemoWorld,
  names: DemoNames,
  dir: string,
  o: { scenarios?: string; runner?: 'host' | 'container'; extra?: Record<string, unknown> } = {},
): Promise<RehearsalCase> {
  const envName = uniqueName('pgr-case-env');
  const config = join(dir, 'rehearse.yaml');
  await writeFile(
    config,
    stringify({
      name: 'engine test case',
      production: { dsn_file: world.dsnFile, container: names.production, dump_format: 'plain' },
      protected_envs: [names.protected],
      environment: { name: envName, fast_restore: true },
      artefacts: {
        roles: at('sql', 'roles.sql'),
        grants: at('sql', 'grants.sql'),
        grant_matrix: at('sql', 'grant-matrix.yaml'),
        scenarios: o.scenarios ?? at('scenarios'),
        watched_tables: at('scenarios', 'watched-tables.txt'),
      },
      sut: { path: world.repo, accepted_commit: world.shas.fixed, dsn_env: 'CUTTER_DSN', runner: o.runner ?? 'host' },
      ...o.extra,
    }),
  );
  if ((await pinCommand(config, silentProgress)) !== 0) throw new Error(`could not pin ${config}`);
  return { config, envName, out: join(dir, 'out') };
}
