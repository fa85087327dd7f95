// The hostile-input corpus (fixtures/bad/manifest.yaml) against the built bin: every case gets
// the exit code and the message (file:line: key path: message) it must get, none of its secrets in
// the output, and creates nothing: no run folder in a throwaway state folder, no --out, no run id
// printed, and no container or network with the exact environment name its config gives.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { PACKAGE_ROOT } from '../engine/index.js';
import { docker } from '../test-support/docker.js';

const BIN = join(PACKAGE_ROOT, 'bin', 'rehearse.js');
const BAD = join(PACKAGE_ROOT, 'fixtures', 'bad');

const Case = z.strictObject({
  id: z.string(),
  kind: z.enum(['config', 'pack', 'artefact', 'pins', 'argv']),
  what: z.string(),
  argv: z.array(z.string()),
  exit: z.number().int(),
  stderr: z.array(z.string()).min(1),
  env: z.record(z.string(), z.string()).optional(),
  never: z.array(z.string()).optional(),
});
const Manifest = z.strictObject({ cases: z.array(Case) });
const { cases } = Manifest.parse(parse(readFileSync(join(BAD, 'manifest.yaml'), 'utf8')));

function rehearse(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [BIN, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1', ...env },
    });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    proc.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    proc.on('error', reject);
    proc.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The exact environment name a case's config gives, when its config is a readable file that names one. */
function environmentName(argv: string[]): string | null {
  const at = argv.indexOf('--config');
  const file = at >= 0 ? argv[at + 1] : undefined;
  if (!file || !existsSync(file) || !statSync(file).isFile()) return null;
  return /^ {2}name: (pgr-bad-[A-Za-z0-9_.-]+)$/m.exec(readFileSync(file, 'latin1'))?.[1] ?? null;
}

async function exists(inspect: Promise<unknown>): Promise<boolean> {
  try {
    await inspect;
    return true;
  } catch {
    return false;
  }
}

describe('the hostile-input corpus (fixtures/bad): each case refused with its exit code and message, nothing created', () => {
  let work: string;
  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'pgr-bad-inputs-'));
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('holds at least 40 cases of every kind, each with a distinct id', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
    expect(new Set(cases.map((c) => c.id)).size).toBe(cases.length);
    expect(new Set(cases.map((c) => c.kind))).toEqual(new Set(['config', 'pack', 'artefact', 'pins', 'argv']));
  });

  it.each(cases.map((c) => [c.id, c] as const))('%s', async (_id, c) => {
    const dir = await mkdtemp(join(work, `${c.id}-`));
    const state = join(dir, 'state');
    const out = join(dir, 'out');
    const fill = (s: string) => s.replaceAll('{bad}', BAD).replaceAll('{out}', out).replaceAll('{state}', state);
    const argv = c.argv.map(fill);
    await mkdir(state);

    const r = await rehearse(argv, { PG_REHEARSE_STATE_DIR: state, ...(c.env ?? {}) });
    expect(r.code, `${c.what}\n${r.stderr}`).toBe(c.exit);
    for (const pattern of c.stderr) {
      const re = new RegExp(
        pattern.replaceAll('{bad}', escape(BAD)).replaceAll('{out}', escape(out)).replaceAll('{state}', escape(state)),
      );
      expect(r.stderr, c.what).toMatch(re);
    }
    for (const secret of c.never ?? []) expect(r.stdout + r.stderr).not.toContain(secret);
    // A bug of ours would print a stack: a hostile input is never one.
    expect(r.stderr).not.toMatch(/unexpected error|node_modules|\n\s+at /);
    // Nothing created: no run id, no run folder in the state folder, no --out, no environment by its exact name.
    expect(r.stdout).not.toMatch(/run id:/);
    expect(await readdir(state)).toEqual([]);
    expect(existsSync(out)).toBe(false);
    const name = environmentName(argv);
    if (name) {
      expect(await exists(docker.getContainer(name).inspect())).toBe(false);
      expect(await exists(docker.getNetwork(`${name}-net`).inspect())).toBe(false);
    }
  });
});
