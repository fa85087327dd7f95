// One recipe of examples/ end to end, as a user runs it: `rehearse pin` and `rehearse run` with the built
// bin against the recipe's world (recipe-world.ts), then the same config with the bookkeeping allow taken
// out, which must fail G6 on exactly the tool's bookkeeping: the policy is doing work.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finishRun } from '../engine/index.js';
import { countLabelled, docker } from './docker.js';
import { recipeChecks } from './recipe-checks.js';
import { readReport, rehearse, startRecipeWorld, type RecipeWorld } from './recipe-world.js';

export interface RecipeSpec {
  recipe: string;
  prefix: string;
  /** Run before the world starts (installing the tool); it throws when that cannot be done. */
  prepare?: () => Promise<void>;
  /** Run in the checkout after its commit (node_modules, git-ignored). */
  install?: string[];
  /** The DDL classes the trace must count in S1 (up) and S3 (down), exactly. */
  ddl: { up: Record<string, number>; down: Record<string, number> };
  /** The bookkeeping the policy allows: every finding without the allow names one of these objects. */
  bookkeeping: (object: string) => boolean;
  /** `scenario verb` pairs the run without the allow must report (among others on the bookkeeping). */
  withoutAllow: string[];
}

export function describeRecipe(spec: RecipeSpec): void {
  describe(`the ${spec.recipe} recipe`, { timeout: 240_000 }, () => {
    let world: RecipeWorld;
    const runIds: string[] = [];
    beforeAll(async () => {
      await spec.prepare?.();
      world = await startRecipeWorld(spec.recipe, spec.prefix, spec.install);
    }, 240_000);
    afterAll(async () => {
      await world?.close();
      for (const name of [world?.production, ...(world?.environments ?? [])]) {
        if (name) expect(await docker.listContainers({ all: true, filters: { name: [`^/${name}$`] } })).toEqual([]);
      }
      expect(runIds).toHaveLength(2);
      for (const runId of runIds) {
        // A failed assertion may leave a run unfinished: finish it by its run id, as a user would, and fail.
        const left = await countLabelled(runId);
        if (left.total > 0) await finishRun(docker, runId);
        expect(left).toMatchObject({ total: 0 });
      }
    });

    it('builds the checkout at the commit its rehearse.yaml accepts', () => {
      expect(world.sha).toBe(world.acceptedCommit);
    });

    it('passes up, an idempotent second up and down, allowing only the bookkeeping beyond the DDL', async () => {
      const config = await world.config('rehearse.yaml');
      const pin = await rehearse(world.dir, ['pin', '--config', config]);
      expect(pin.exitCode, pin.output).toBe(0);
      const out = join(world.dir, 'out');
      const run = await rehearse(world.dir, ['run', '--config', config, '--out', out]);
      expect(run.exitCode, run.output).toBe(0);
      const r = await readReport(out);
      runIds.push(r.run_id);
      const c = recipeChecks(r);
      expect(r.execution_status).toBe('PASS');
      expect(c.statuses).toEqual({ S1: 'PASS', S2: 'PASS', S3: 'PASS' });
      expect(c.forbidden).toEqual([]);
      expect(c.deltasAfter('S2')).toEqual({ 'public.device': 0, 'public.reading': 0 });
      expect(c.ddl('S2')).toEqual({});
      expect(c.ddl('S1')).toEqual(spec.ddl.up);
      expect(c.ddl('S3')).toEqual(spec.ddl.down);
    });

    it('fails G6 on the bookkeeping alone when the policy does not allow it', async () => {
      const config = await world.config('rehearse-no-allow.yaml', (c) => {
        c['sql_policy'] = { allow: [] };
      });
      expect((await rehearse(world.dir, ['pin', '--config', config])).exitCode).toBe(0);
      const out = join(world.dir, 'out-no-allow');
      const run = await rehearse(world.dir, ['run', '--config', config, '--out', out]);
      expect(run.exitCode, run.output).toBe(1);
      const r = await readReport(out);
      runIds.push(r.run_id);
      expect(r.failure?.gate).toBe('G6');
      const c = recipeChecks(r);
      expect(c.statuses).toEqual({ S1: 'PASS', S2: 'PASS', S3: 'PASS' });
      expect(c.forbidden.length).toBeGreaterThan(0);
      expect(c.forbidden.filter((f) => !f.objects.some(spec.bookkeeping))).toEqual([]);
      expect(c.forbidden.map((f) => `${f.scenario} ${f.verb}`)).toEqual(expect.arrayContaining(spec.withoutAllow));
    });
  });
}
