import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { PACKAGE_ROOT } from './image.js';
import {
  defaultRunnerImage,
  planCheckoutMounts,
  runnerNames,
  runnerRecipeHash,
  secretEnvFile,
  SUT_MOUNT,
} from './index.js';

const execFileP = promisify(execFile);

describe('runnerNames', () => {
  it('derives every name of the runner from the environment name', () => {
    const n = runnerNames('pg-dry-run-v0.4');
    expect([n.internalNetwork, n.installVolume, n.installContainer, n.holder, n.step(7)]).toEqual([
      'pg-dry-run-v0.4-int',
      'pg-dry-run-v0.4-install',
      'pg-dry-run-v0.4-install',
      'pg-dry-run-v0.4-int-holder',
      'pg-dry-run-v0.4-step-7',
    ]);
  });

  it('refuses a name the environment would refuse', () => {
    expect(() => runnerNames('has space')).toThrow(UsageError);
  });
});

describe('the runner image tag', () => {
  it('is the one scripts/runner-image-tag prints, from the same recipe hash', async () => {
    const { stdout } = await execFileP('bash', [join(PACKAGE_ROOT, 'scripts', 'runner-image-tag')]);
    expect(defaultRunnerImage()).toBe(stdout.trim());
    const { stdout: full } = await execFileP('bash', [join(PACKAGE_ROOT, 'scripts', 'runner-image-tag'), '--hash']);
    expect(full.trim().slice(0, 12)).toBe(runnerRecipeHash());
  });

  it('changes when a recipe file changes', () => {
    const a = runnerRecipeHash((p) => Buffer.from(p === 'image/runner/packages' ? 'nodejs\n' : 'build'));
    const b = runnerRecipeHash((p) => Buffer.from(p === 'image/runner/packages' ? 'nodejs\nnpm\n' : 'build'));
    expect(a).toMatch(/^[0-9a-f]{12}$/);
    expect(a).not.toBe(b);
  });
});

describe('secretEnvFile', () => {
  it('quotes values so that /bin/sh sources them unchanged, quotes, newlines and $ included', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pgr-senv-'));
    try {
      const values = { CUTTER_DSN: "postgres://u:p'%40$(x)`y`@dry-run-db:5432/d", MULTI: 'a\nb\\c', EMPTY: '' };
      await writeFile(join(dir, 'env'), secretEnvFile(values), { mode: 0o600 });
      const { stdout } = await execFileP('/bin/sh', [
        '-c',
        `. ${join(dir, 'env')} && node -e 'process.stdout.write(JSON.stringify([process.env.CUTTER_DSN, process.env.MULTI, process.env.EMPTY]))'`,
      ]);
      expect(JSON.parse(stdout)).toEqual([values.CUTTER_DSN, values.MULTI, values.EMPTY]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a name that is not a variable name, and a NUL in a value', () => {
    expect(() => secretEnvFile({ 'A;rm -rf /': 'x' })).toThrow(UsageError);
    expect(() => secretEnvFile({ A: 'x\0y' })).toThrow(/NUL/);
  });
});

describe('planCheckoutMounts', () => {
  let checkout: string;
  beforeAll(async () => {
    checkout = await mkdtemp(join(tmpdir(), 'pgr-plan-'));
    await mkdir(join(checkout, 'dist'));
    await mkdir(join(checkout, '.git'));
    await writeFile(join(checkout, 'package.json'), '{}');
    await symlink('dist', join(checkout, 'build'));
    await symlink('../..', join(checkout, 'up'));
    await symlink('missing', join(checkout, 'dangling'));
  });
  afterAll(async () => {
    await rm(checkout, { recursive: true, force: true });
  });

  it('binds each top-level entry under /sut, dotfiles included, and leaves out symlinks that lead out or nowhere', async () => {
    const plan = await planCheckoutMounts(checkout);
    expect(plan.binds.map((b) => [b.entry, b.target])).toEqual([
      ['.git', `${SUT_MOUNT}/.git`],
      ['build', `${SUT_MOUNT}/build`],
      ['dist', `${SUT_MOUNT}/dist`],
      ['package.json', `${SUT_MOUNT}/package.json`],
    ]);
    expect(plan.binds.find((b) => b.entry === 'build')!.source).toBe(join(plan.root, 'dist'));
    expect(plan.leftOut.map((l) => l.entry)).toEqual(['dangling', 'up']);
    expect(plan).toMatchObject({ output: 'node_modules', shadowed: false });
  });

  it('mounts nothing of the checkout where the output goes', async () => {
    const plan = await planCheckoutMounts(checkout, 'dist');
    expect(plan.shadowed).toBe(true);
    expect(plan.binds.map((b) => b.entry)).not.toContain('dist');
  });

  it('takes a dot-named output such as .venv', async () => {
    await expect(planCheckoutMounts(checkout, '.venv')).resolves.toMatchObject({ output: '.venv', shadowed: false });
  });

  it.each(['', '.', '..', '.git', 'a/b', '../x'])('refuses the output %j', async (output) => {
    await expect(planCheckoutMounts(checkout, output)).rejects.toThrow(UsageError);
  });

  it('refuses a checkout that cannot be read', async () => {
    await expect(planCheckoutMounts(join(checkout, 'no-such'))).rejects.toThrow(/cannot be read/);
  });
});
