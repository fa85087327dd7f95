// squawk's lint in a real rehearsal: the ALTER ... TYPE bigint that S4's migration ran is found in
// the trace (its scenario and step), and a required column in the SQL file the change adds (its
// file and line);
// with `lint: fail` they fail G6 as the artefact's, after every scenario passed, and nothing is left.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { useDemoWorld } from '../test-support/demo-world-suite.js';
import { countLabelled, docker } from '../test-support/docker.js';
import type { Report } from '../config/index.js';
import { packOf, prepareCase, type RehearsalCase } from '../test-support/rehearsal-case.js';
import { renderMarkdown } from '../report/index.js';
import { Interruption } from './interruption.js';
import { silentProgress } from './progress.js';
import { rehearse } from './rehearsal.js';

const ALTER = 'ALTER TABLE ledger.sweep_log ALTER COLUMN swept_count TYPE bigint;';
const ADDED =
  '-- 002: a note on each sweep (no scenario runs it)\nALTER TABLE ledger.sweep_log ADD COLUMN note text NOT NULL;\n';

/** A third commit on the world's repository, on top of the fix, that adds a migration file: the change under review. */
async function commitAddedMigration(repo: string): Promise<string> {
  const env = {
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_AUTHOR_NAME: 't',
    GIT_AUTHOR_EMAIL: 't@pg-rehearse.invalid',
    GIT_COMMITTER_NAME: 't',
    GIT_COMMITTER_EMAIL: 't@pg-rehearse.invalid',
  };
  const git = (...args: string[]) => execa('git', ['-C', repo, '-c', 'core.hooksPath=/dev/null', ...args], { env });
  await writeFile(join(repo, 'migrations', '002-sweep-note.sql'), ADDED);
  await git('add', 'migrations/002-sweep-note.sql');
  await git('commit', '-q', '-m', 'add a sweep note');
  return (await git('rev-parse', 'HEAD')).stdout.trim();
}

describe('squawk lint (real containers)', () => {
  const demo = useDemoWorld('pgr-lint');
  const { names, runIds } = demo;

  async function run(c: RehearsalCase): Promise<Report> {
    const interruption = Interruption.install(() => {}, []);
    try {
      const { report } = await rehearse(
        { configFile: c.config, outDir: c.out, keepBackup: false },
        { docker, progress: silentProgress, interruption },
      );
      runIds.push(report.run_id);
      return report;
    } finally {
      interruption[Symbol.dispose]();
    }
  }

  // First: the repository is still at the fix (the next test adds a commit on top).
  it("lint: report (the default), the project's whole pack: PASS, squawk's findings listed, nothing failed on them", async () => {
    const c = await prepareCase(demo.world, names, await mkdtemp(join(demo.work, 'case-')));
    const report = await run(c);
    expect(report.execution_status).toBe('PASS');
    expect(report.lint).toMatchObject({ tool: 'squawk', mode: 'report', files: null, error: null });
    expect(report.lint!.findings).toContainEqual(
      expect.objectContaining({ rule: 'changing-column-type', scenario: 'S4', statement: ALTER }),
    );
    expect(report.provenance.squawk_version).toBe(report.lint!.version);
    expect(renderMarkdown(report)).toMatch(/^## \d+\. Lint \(squawk\)$/m);
  });

  it('lint: fail: the column type change S4 ran and its migration file fail G6 (artefact), naming the rule, the place and the statement', async () => {
    const { dir, pack } = await packOf(demo.work, {
      'S1.yaml': null,
      'S2.yaml': null,
      'S3-neg.yaml': null,
      'S4.yaml': null,
    });
    const { world } = demo;
    const accepted = await commitAddedMigration(world.repo);
    const c = await prepareCase(world, names, dir, {
      scenarios: pack,
      extra: {
        lint: 'fail',
        sut: {
          path: world.repo,
          accepted_commit: accepted,
          base_commit: world.shas.fixed,
          dsn_env: 'CUTTER_DSN',
          runner: 'host',
        },
      },
    });
    const report = await run(c);

    expect(report.scenarios.map((s) => s.status)).toEqual(['PASS', 'PASS', 'PASS', 'PASS']);
    expect(report.exit_code).toBe(1);
    expect(report.failure).toMatchObject({ gate: 'G6', classification: 'artefact' });
    expect(report.failure!.message).toMatch(/^squawk found \d+ problems in the SQL under review \(lint: fail\): /);
    const lint = report.lint!;
    expect(lint.version).toBe(report.provenance.squawk_version);
    expect(lint.version).toMatch(/^2\.\d+\.\d+$/);
    expect(lint.error).toBeNull();
    expect(lint.pg_version).toMatch(/^15\.\d+$/);
    expect(lint.files).toEqual(['migrations/002-sweep-note.sql']);
    expect(lint.findings).toContainEqual(
      expect.objectContaining({
        rule: 'changing-column-type',
        source: 'trace',
        scenario: 'S4',
        step: '001-sweep-count-bigint',
        statement: ALTER,
      }),
    );
    expect(lint.findings).toContainEqual(
      expect.objectContaining({
        rule: 'adding-required-field',
        source: 'file',
        scenario: null,
        file: 'migrations/002-sweep-note.sql',
        line: 2,
        statement: 'ALTER TABLE ledger.sweep_log ADD COLUMN note text NOT NULL;',
      }),
    );
    // The file holds no SET lock_timeout: its lint keeps that rule; the trace's leaves it out.
    expect(lint.findings.filter((f) => f.rule === 'require-lock-timeout').map((f) => f.source)).toEqual(['file']);
    expect(report.failure!.message).toContain('changing-column-type in ');
    expect(renderMarkdown(report)).toContain(
      `| \`changing-column-type\` | S4 step "001-sweep-count-bigint" | \`${ALTER}\` |`,
    );
    expect(report.teardown?.complete).toBe(true);
    expect((await countLabelled(report.run_id)).total).toBe(0);
  });
});
