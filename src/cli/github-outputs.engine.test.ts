// The GitHub Actions outputs of a real FAIL: the example system's defective build against a demo
// world of this file's own (names of its own), `rehearse run` from the built bin with GitHub's
// variables set. The annotation must point at the TypeError's file:line in src/phases.ts, relative
// to the workspace, as GitHub resolves it.
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { PACKAGE_ROOT } from '../engine/index.js';
import { checkoutBuild } from '../run/demo.js';
import { useDemoWorld } from '../test-support/demo-world-suite.js';
import { uniqueName } from '../test-support/docker.js';

const BIN = join(PACKAGE_ROOT, 'bin', 'rehearse.js');
const demo = useDemoWorld('pgr-ghout');

function rehearse(args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [BIN, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1', ...env },
    });
    let out = '';
    p.stdout.on('data', (b: Buffer) => (out += b.toString()));
    p.stderr.on('data', (b: Buffer) => (out += b.toString()));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code, out }));
  });
}

describe('rehearse run under GitHub Actions (real FAIL at S6)', () => {
  it("appends the step summary with the FAIL at S6, and prints an ::error at the system under test's src/phases.ts:line", async () => {
    const { world, work } = demo;
    await checkoutBuild(world.repo, world.shas.defective);
    const at = (...p: string[]) => join(PACKAGE_ROOT, ...p);
    const config = join(work, 'rehearse.yaml');
    await writeFile(
      config,
      stringify({
        name: 'github outputs engine test',
        production: { dsn_file: world.dsnFile, container: world.names.production, dump_format: 'plain' },
        protected_envs: [world.names.protected],
        environment: { name: uniqueName('pgr-ghout-env'), fast_restore: true },
        artefacts: {
          roles: at('sql', 'roles.sql'),
          grants: at('sql', 'grants.sql'),
          grant_matrix: at('sql', 'grant-matrix.yaml'),
          scenarios: at('scenarios'),
          watched_tables: at('scenarios', 'watched-tables.txt'),
        },
        sut: { path: world.repo, accepted_commit: world.shas.defective, dsn_env: 'CUTTER_DSN', runner: 'host' },
      }),
    );
    expect((await rehearse(['pin', '--config', config], {})).code).toBe(0);
    const summary = join(work, 'step-summary.md');
    await writeFile(summary, '');
    const r = await rehearse(['run', '--config', config, '--out', join(work, 'out')], {
      GITHUB_ACTIONS: 'true',
      GITHUB_STEP_SUMMARY: summary,
      GITHUB_WORKSPACE: work,
    });
    const runId = /^run id: (\S+)$/m.exec(r.out)?.[1];
    if (runId) demo.runIds.push(runId);
    expect(r.code, r.out).toBe(1);
    expect(r.out).toMatch(/^::error .*file=[^,]*phases\.ts,.*line=[0-9]+/m);
    expect(r.out).toMatch(
      /^::error file=world\/[^,]*\/src\/phases\.ts,line=\d+,col=\d+,title=S6%3A TypeError::TypeError: /m,
    );
    // The pack is the package's own scenarios/, outside this workspace: its annotation gets no file=.
    expect(r.out).toMatch(/^::error title=pg-rehearse%3A FAIL at S6 \(sut\)::step "/m);
    for (const g of ['G0 inputs', 'G1 preflight', 'G3 provision', 'G4 restore', 'S6 ', 'G7 teardown'])
      expect(r.out).toContain(`::group::${g}`);
    expect(r.out).toMatch(/^FAIL S6 .*: FAIL\n {2}\S/m);
    const md = await readFile(summary, 'utf8');
    expect(md).toContain('**Verdict: FAIL** at S6, classification `sut`');
    expect(md).toMatch(/^Full report: `out\/report\.json` \(report\.md beside it\), sha256 `[0-9a-f]{64}`\.$/m);
  });
});
