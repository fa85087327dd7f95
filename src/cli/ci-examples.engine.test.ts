// examples/github-actions.yml and examples/gitlab-ci.yml, run here: their own commands with the
// service's variables, on a rehearsal of the demo world that fails at S1 (so the artifacts kept
// on failure are proved kept), each in a workspace of its own.
import { chmod, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { PACKAGE_ROOT } from '../engine/index.js';
import { pinCommand } from '../run/pin.js';
import { silentProgress } from '../run/progress.js';
import {
  githubExpressions,
  githubJob,
  gitlabJob,
  gitlabVariables,
  missingPaths,
  runSteps,
  type StepResult,
} from '../test-support/ci-pipeline.js';
import { useDemoWorld } from '../test-support/demo-world-suite.js';
import { packOf, prepareCase } from '../test-support/rehearsal-case.js';

const suite = useDemoWorld('pgr-ci-examples');

/** A workspace holding `rehearsal/` (config, pins, pack: S1 fails its exit code, S2 is NOT_RUN) whose DSN file the pipeline writes. */
async function workspace(): Promise<{ ws: string; dsn: string; bin: string }> {
  const ws = await mkdtemp(join(suite.work, 'ws-'));
  const { pack } = await packOf(ws, { 'S1.yaml': ['exit_code: 0', 'exit_code: 7'], 'S2.yaml': null });
  const dir = join(ws, 'rehearsal');
  await mkdir(dir);
  const c = await prepareCase(suite.world, suite.names, dir, { scenarios: pack });
  // The pipeline writes production's DSN into rehearsal/production.dsn from its secret.
  const config = parse(await readFile(c.config, 'utf8'));
  config.production.dsn_file = 'production.dsn';
  await writeFile(c.config, stringify(config));
  expect(await pinCommand(c.config, silentProgress)).toBe(0);
  // `sudo` for the set-up step: this test already runs as root.
  const bin = join(ws, 'bin');
  await mkdir(bin);
  await writeFile(join(bin, 'sudo'), '#!/bin/sh\n[ "$1" = --preserve-env ] && shift\nexec "$@"\n');
  await chmod(join(bin, 'sudo'), 0o755);
  return { ws, dsn: (await readFile(suite.world.dsnFile, 'utf8')).trim(), bin };
}

const baseEnv = (bin: string) => ({
  PATH: `${bin}:${process.env.PATH ?? ''}`,
  HOME: process.env.HOME ?? '/root',
  LANG: 'C.UTF-8',
  CI: 'true',
});

/** The run id the rehearsal printed, recorded for the suite's check that nothing is left. */
function recordRunId(output: string): void {
  const id = /^run id: (\S+)/m.exec(output)?.[1];
  expect(id, output).toBeTruthy();
  suite.runIds.push(id!);
}

async function checkRehearsal(ws: string, results: StepResult[]): Promise<void> {
  const rehearse = results.find((r) => /rehearse|script/.test(r.name) && /run id:/.test(r.output));
  expect(rehearse, JSON.stringify(results, null, 1)).toBeDefined();
  recordRunId(rehearse!.output);
  expect(rehearse!.exitCode, rehearse!.output).toBe(1);
  expect(rehearse!.output).toMatch(/^report sha256: [0-9a-f]{64}$/m);
  const junit = await readFile(join(ws, 'reports/rehearsal/junit.xml'), 'utf8');
  expect(junit).toMatch(/<testsuite[\s>]/);
  expect(junit).toMatch(/<testcase[^>]*S1[\s\S]*?<failure/);
  expect(junit).toMatch(/<testcase[^>]*S2[\s\S]*?<skipped/);
  const report = JSON.parse(await readFile(join(ws, 'reports/rehearsal/report.json'), 'utf8'));
  expect([report.execution_status, report.failure?.scenario]).toEqual(['FAIL', 'S1']);
}

describe('the example pipelines', () => {
  it('examples/github-actions.yml: set-up, rehearsal, step summary, and the artifacts kept after its FAIL', async () => {
    const { ws, dsn, bin } = await workspace();
    const p = await githubJob(join(PACKAGE_ROOT, 'examples', 'github-actions.yml'));
    const summary = join(ws, 'step-summary.md');
    await writeFile(summary, '');
    const jobEnv = { ...p.env, PG_REHEARSE: PACKAGE_ROOT };
    const fill = (t: string) => githubExpressions(t, { env: jobEnv, secrets: { PRODUCTION_DSN: dsn }, temp: ws });
    const steps = p.steps.map((s) => ({
      ...s,
      run: s.run && fill(s.run),
      env: Object.fromEntries(Object.entries(s.env).map(([k, v]) => [k, fill(v)])),
      uploads: s.uploads.map(fill),
    }));
    const env = {
      ...baseEnv(bin),
      ...jobEnv,
      GITHUB_ACTIONS: 'true',
      GITHUB_WORKSPACE: ws,
      GITHUB_STEP_SUMMARY: summary,
      RUNNER_TEMP: ws,
    };
    const results = await runSteps(steps, ws, env);
    expect(results.find((r) => r.name.startsWith('set up'))?.exitCode).toBe(0);
    await checkRehearsal(ws, results);
    // The upload step runs after the failure (if: always()) and finds every file it names.
    const upload = steps.find((s) => s.uploads.length > 0);
    expect(upload?.always).toBe(true);
    expect(results.map((r) => r.name)).toContain(upload!.name);
    expect(missingPaths(upload!.uploads, ws)).toEqual([]);
    expect(await readFile(summary, 'utf8')).toMatch(/FAIL[\s\S]*S1/);
  });

  it('examples/gitlab-ci.yml: before_script and script, and its artifacts and JUnit report kept after its FAIL', async () => {
    const { ws, dsn, bin } = await workspace();
    const p = await gitlabJob(join(PACKAGE_ROOT, 'examples', 'gitlab-ci.yml'));
    const service = { ...baseEnv(bin), GITLAB_CI: 'true', CI_PROJECT_DIR: ws, CI_SERVER_URL: 'https://gitlab.invalid' };
    const vars = { ...gitlabVariables(p.env, service), PG_REHEARSE: PACKAGE_ROOT };
    const results = await runSteps(p.steps, ws, { ...service, ...vars, PRODUCTION_DSN: dsn });
    expect(results[0]?.exitCode, results[0]?.output).toBe(0);
    await checkRehearsal(ws, results);
    expect(p.artifacts.always).toBe(true);
    expect(p.artifacts.junit).toBe('reports/rehearsal/junit.xml');
    expect(missingPaths([...p.artifacts.paths, p.artifacts.junit!], ws)).toEqual([]);
    // Off GitHub, no annotations and no groups.
    expect(results[1]?.output).not.toMatch(/^::(error|group)/m);
  });
});
