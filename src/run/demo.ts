// The demo's world: an embedded production (an exact-named container seeded with
// fixtures/production), one protected environment, and the example system under test in a
// throwaway git repository with its two commits. Used by `npm run demo` and by the tests.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, copyFile, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  defaultImage,
  PACKAGE_ROOT,
  removeSideServer,
  shredFile,
  startSideServer,
  type DockerClient,
} from '../engine/index.js';
import { DEFAULT_READINESS, probe, waitForReadiness } from '../pg/index.js';

const run = promisify(execFile);

export interface DemoNames {
  production: string;
  protected: string;
}

export const DEMO_NAMES: DemoNames = {
  production: 'pg-rehearse-demo-production',
  protected: 'pg-rehearse-demo-protected',
};

export interface DemoWorld {
  names: DemoNames;
  work: string;
  productionPort: number;
  /** The file of mode 0600 holding production's DSN. */
  dsnFile: string;
  repo: string;
  shas: { defective: string; fixed: string };
  /** Remove both containers by exact name and shred the secret files. */
  close(): Promise<void>;
}

/** A password holding URL-reserved characters, so every DSN must encode it. */
const password = () => randomBytes(18).toString('base64url') + '@:/%';

/** Start production and the protected environment, and build the example repository under `work`. */
export async function startDemoWorld(
  docker: DockerClient,
  work: string,
  names: DemoNames = DEMO_NAMES,
  log: (m: string) => void = () => {},
): Promise<DemoWorld> {
  const image = defaultImage();
  // Left by a demo that was killed: removed; held by a demo still running: refused.
  await removeSideServer(docker, names.production, { staleOnly: true });
  await removeSideServer(docker, names.protected, { staleOnly: true });
  await rm(work, { recursive: true, force: true });
  const initdb = join(work, 'initdb');
  await mkdir(initdb, { recursive: true });
  // The server's own user reads the init scripts.
  await chmod(work, 0o755);
  await chmod(initdb, 0o755);
  await writeInitFiles(initdb);

  const secrets = ['production-password', 'protected-password', 'production.dsn'].map((f) => join(work, f));
  const close = async () => {
    for (const name of [names.production, names.protected]) await removeSideServer(docker, name).catch(() => false);
    for (const f of secrets) await shredFile(f);
  };
  try {
    log(
      `starting the embedded production ${names.production} and the protected environment ${names.protected} (${image})`,
    );
    const prodPassword = password();
    await writeFile(secrets[0]!, prodPassword, { mode: 0o600 });
    await writeFile(secrets[1]!, password(), { mode: 0o600 });
    const prod = await startSideServer(docker, {
      name: names.production,
      image,
      role: 'demo-production',
      passwordFile: secrets[0]!,
      database: 'ledger',
      initDir: initdb,
    });
    await startSideServer(docker, {
      name: names.protected,
      image,
      role: 'demo-protected',
      passwordFile: secrets[1]!,
      database: 'postgres',
    });
    const ready = await waitForReadiness(DEFAULT_READINESS, {
      probe: () =>
        probe({ host: '127.0.0.1', port: prod.port, user: 'postgres', password: prodPassword, database: 'ledger' }),
    });
    log(`production ready on 127.0.0.1:${prod.port} after ${ready.attempts} attempts`);
    await writeFile(
      secrets[2]!,
      `postgres://postgres:${encodeURIComponent(prodPassword)}@127.0.0.1:${prod.port}/ledger\n`,
      { mode: 0o600 },
    );

    log('building the example system under test (two commits: the defective build, then the fix)');
    const repo = join(work, 'cutter');
    const { stdout } = await run('bash', [join(PACKAGE_ROOT, 'scripts', 'example-repo'), repo]);
    const shas = Object.fromEntries(
      stdout
        .trim()
        .split('\n')
        .map((l) => l.split('=')),
    ) as { defective: string; fixed: string };
    return { names, work, productionPort: prod.port, dsnFile: secrets[2]!, repo, shas, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** Production's init scripts: the cutter's roles, replication allowed, its schema and its rows. */
async function writeInitFiles(initdb: string): Promise<void> {
  // Production has the cutter's roles (a physical copy brings them; a logical copy's roles SQL makes them on the
  // dry-run server), and a pg_hba.conf line for replication connections (a physical copy's pg_basebackup).
  const files: [string, string][] = [
    [join(PACKAGE_ROOT, 'sql', 'roles.sql'), '00-roles.sql'],
    [join(PACKAGE_ROOT, 'fixtures', 'production', 'allow-replication.sh'), '00-allow-replication.sh'],
    [join(PACKAGE_ROOT, 'fixtures', 'production', 'schema.sql'), '01-schema.sql'],
    [join(PACKAGE_ROOT, 'fixtures', 'production', 'data.sql'), '02-data.sql'],
  ];
  for (const [from, name] of files) {
    await copyFile(from, join(initdb, name));
    await chmod(join(initdb, name), 0o644);
  }
}

/** Move the example repository's main branch to a build and rebuild its dist/ (git-ignored, so the tree stays clean). */
export async function checkoutBuild(repo: string, sha: string): Promise<void> {
  await run('git', ['-C', repo, 'reset', '-q', '--hard', sha]);
  await run(process.execPath, [join(PACKAGE_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', repo]);
}
