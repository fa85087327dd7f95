// A recipe of examples/ in a world of its own: a copy of the recipe folder, a throwaway production
// (an exact-named side container seeded with the recipe's schema, roles and grants), the recipe's
// project as a git checkout at the commit its rehearse.yaml accepts, and the config renamed so
// nothing it makes collides with anything else. Everything goes by exact name at close().
import { randomBytes } from 'node:crypto';
import { chmod, cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { parse, stringify } from 'yaml';
import { Report } from '../config/index.js';
import { defaultImage, PACKAGE_ROOT, removeSideServer, shredFile, startSideServer } from '../engine/index.js';
import { DEFAULT_READINESS, probe, waitForReadiness } from '../pg/index.js';
import { docker, uniqueName } from './docker.js';

export interface RecipeWorld {
  /** The copy of the recipe folder: rehearse.yaml, production/, scenarios/, work/project (the checkout). */
  dir: string;
  production: string;
  /** The checkout's HEAD, which the recipe's rehearse.yaml names as sut.accepted_commit. */
  sha: string;
  /** The accepted commit the committed rehearse.yaml names. */
  acceptedCommit: string;
  /** Environment names of the configs written (their runs must leave nothing of them). */
  environments: string[];
  /** Write a copy of the recipe's rehearse.yaml under a new name with a unique environment; returns its path. */
  config(file: string, edit?: (c: Record<string, unknown>) => void): Promise<string>;
  close(): Promise<void>;
}

const RECIPES = join(PACKAGE_ROOT, 'examples');

/** Start the recipe's world; `install` runs in the checkout after the commit (it must leave the tree clean). */
export async function startRecipeWorld(recipe: string, prefix: string, install?: string[]): Promise<RecipeWorld> {
  const work = await mkdtemp(join(tmpdir(), `${prefix}-`));
  const production = uniqueName(`${prefix}-prod`);
  const environments: string[] = [];
  const dir = join(work, 'recipe');
  const secrets = [join(work, 'production-password'), join(dir, 'production.dsn')];
  const close = async () => {
    await removeSideServer(docker, production).catch(() => false);
    for (const f of secrets) await shredFile(f);
    await rm(work, { recursive: true, force: true });
  };
  try {
    await cp(join(RECIPES, recipe), dir, { recursive: true, filter: (src) => !src.includes('node_modules') });
    const initdb = await initDir(work, dir);
    const password = randomBytes(18).toString('base64url');
    await writeFile(secrets[0]!, password, { mode: 0o600 });
    const prod = await startSideServer(docker, {
      name: production,
      image: defaultImage(),
      role: 'recipe-production',
      passwordFile: secrets[0]!,
      database: 'shop',
      initDir: initdb,
    });
    const target = { host: '127.0.0.1', port: prod.port, user: 'postgres', password, database: 'shop' };
    await waitForReadiness(DEFAULT_READINESS, { probe: () => probe(target) });
    await writeFile(secrets[1]!, `postgres://postgres:${password}@127.0.0.1:${prod.port}/shop\n`, { mode: 0o600 });
    const checkout = join(dir, 'work', 'project');
    await mkdir(join(dir, 'work'));
    const { stdout } = await execa('bash', [join(RECIPES, 'sut-repo'), join(RECIPES, recipe), checkout]);
    if (install) await execa(install[0]!, install.slice(1), { cwd: checkout });
    const base = parse(await readFile(join(dir, 'rehearse.yaml'), 'utf8')) as Record<string, unknown>;
    const acceptedCommit = String((base['sut'] as Record<string, unknown>)['accepted_commit']);
    const config = async (file: string, edit?: (c: Record<string, unknown>) => void) => {
      const c = structuredClone(base);
      const env = uniqueName(`${prefix}-env`);
      environments.push(env);
      c['environment'] = { ...(c['environment'] as object), name: env };
      c['production'] = { ...(c['production'] as object), container: production };
      edit?.(c);
      await writeFile(join(dir, file), stringify(c));
      return join(dir, file);
    };
    return { dir, production, sha: stdout.trim(), acceptedCommit, environments, config, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** The init scripts of production: the recipe's schema, then its roles and grants, readable by the server. */
async function initDir(work: string, dir: string): Promise<string> {
  const initdb = join(work, 'initdb');
  await mkdir(initdb);
  await chmod(work, 0o755);
  await chmod(initdb, 0o755);
  const files = ['schema.sql', 'roles.sql', 'grants.sql'];
  for (const [i, f] of files.entries()) {
    const to = join(initdb, `0${i + 1}-${f}`);
    await cp(join(dir, 'production', f), to);
    await chmod(to, 0o644);
  }
  return initdb;
}

export interface RehearseResult {
  exitCode: number;
  output: string;
}

/** Run the built bin (`rehearse ARGS`) in the recipe's folder. */
export async function rehearse(dir: string, args: string[]): Promise<RehearseResult> {
  const r = await execa(process.execPath, [join(PACKAGE_ROOT, 'bin', 'rehearse.js'), ...args], {
    cwd: dir,
    reject: false,
    all: true,
    env: { NO_COLOR: '1' },
  });
  return { exitCode: r.exitCode ?? -1, output: r.all ?? '' };
}

/** The run's report.json, parsed by the report's own schema. */
export async function readReport(out: string): Promise<Report> {
  return Report.parse(JSON.parse(await readFile(join(out, 'report.json'), 'utf8')));
}
