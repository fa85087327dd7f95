#!/usr/bin/env node
// The demo: an embedded default production (an exact-named container seeded with
// fixtures/production), one protected environment, and the example system under test in a
// throwaway git repository; then `rehearse run` against them, and the demo's own containers
// removed by exact name when it ends. It never touches anything it did not create.
//
// usage: node scripts/demo.mjs [--fail] --out DIR [more `rehearse run` options]
//   --fail   rehearse the defective build (ends FAIL at S6) instead of the fixed one
// exit: rehearse run's exit code; 2 for a usage error; 3 when the demo's own set-up failed.
import { spawn, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DEMO = join(ROOT, 'fixtures', 'demo');
const WORK = join(DEMO, 'work');
const PRODUCTION = 'pg-rehearse-demo-production';
const PROTECTED = 'pg-rehearse-demo-protected';
const DEMO_LABEL = 'io.pg-rehearse.demo';

const say = (msg) => process.stderr.write(`demo: ${msg}\n`);
function usage(msg) {
  say(msg);
  say('usage: npm run demo -- --out DIR   |   npm run demo:fail -- --out DIR');
  process.exit(2);
}

const args = process.argv.slice(2);
const fail = args.includes('--fail');
const passThrough = args.filter((a) => a !== '--fail');
if (!passThrough.includes('--out')) usage('--out DIR is required');
if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) usage('the CLI is not built: run `bash scripts/setup` (or `npm run build`) first');

const engine = await import(join(ROOT, 'dist', 'engine', 'index.js'));
const pg = await import(join(ROOT, 'dist', 'pg', 'index.js'));
const docker = engine.dockerClient();
const image = engine.defaultImage();

/** Remove a demo container by exact name, only when it carries the demo's label. */
async function removeDemoContainer(name) {
  const found = await engine.findContainerByName(docker, name);
  if (!found) return;
  if (found.labels[DEMO_LABEL] !== '1') throw new Error(`a container named ${name} exists and is not the demo's: refusing to touch it`);
  await docker.getContainer(found.id).remove({ force: true });
  say(`removed ${name}`);
}

async function startPostgres(name, passwordFile, initDir, database) {
  const binds = [`${passwordFile}:/run/secrets/pw:ro`];
  if (initDir) binds.push(`${initDir}:/docker-entrypoint-initdb.d:ro`);
  const c = await docker.createContainer({
    name,
    Image: image,
    Labels: { [DEMO_LABEL]: '1' },
    Env: ['POSTGRES_PASSWORD_FILE=/run/secrets/pw', 'POSTGRES_USER=postgres', `POSTGRES_DB=${database}`],
    ExposedPorts: { '5432/tcp': {} },
    StopSignal: 'SIGINT',
    HostConfig: { PortBindings: { '5432/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] }, Binds: binds },
  });
  await c.start();
  const info = await c.inspect();
  return Number(info.NetworkSettings.Ports['5432/tcp'][0].HostPort);
}

function secretFile(path) {
  const pw = randomBytes(18).toString('base64url') + '@:/%';
  writeFileSync(path, pw, { mode: 0o600 });
  return pw;
}

function configSha(file) {
  return /accepted_commit:\s*([0-9a-f]{40})/.exec(readFileSync(file, 'utf8'))[1];
}

let child = null;
let exitCode = 3;
const forward = (signal) => {
  if (child && child.exitCode === null) child.kill(signal);
};
process.on('SIGINT', () => forward('SIGINT'));
process.on('SIGTERM', () => forward('SIGTERM'));

try {
  await removeDemoContainer(PRODUCTION);
  await removeDemoContainer(PROTECTED);
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(join(WORK, 'initdb'), { recursive: true, mode: 0o700 });
  chmodSync(WORK, 0o755);
  chmodSync(join(WORK, 'initdb'), 0o755);
  copyFileSync(join(ROOT, 'fixtures', 'production', 'schema.sql'), join(WORK, 'initdb', '01-schema.sql'));
  copyFileSync(join(ROOT, 'fixtures', 'production', 'data.sql'), join(WORK, 'initdb', '02-data.sql'));
  chmodSync(join(WORK, 'initdb', '01-schema.sql'), 0o644);
  chmodSync(join(WORK, 'initdb', '02-data.sql'), 0o644);

  say(`starting the embedded production ${PRODUCTION} and the protected environment ${PROTECTED} (${image})`);
  const prodPassword = secretFile(join(WORK, 'production-password'));
  const prodPort = await startPostgres(PRODUCTION, join(WORK, 'production-password'), join(WORK, 'initdb'), 'ledger');
  secretFile(join(WORK, 'protected-password'));
  await startPostgres(PROTECTED, join(WORK, 'protected-password'), null, 'postgres');
  const ready = await pg.waitForReadiness(pg.DEFAULT_READINESS, { probe: () => pg.probe({ host: '127.0.0.1', port: prodPort, user: 'postgres', password: prodPassword, database: 'ledger' }) });
  say(`production ready on 127.0.0.1:${prodPort} after ${ready.attempts} attempts`);
  writeFileSync(join(WORK, 'production.dsn'), `postgres://postgres:${encodeURIComponent(prodPassword)}@127.0.0.1:${prodPort}/ledger\n`, { mode: 0o600 });

  say('building the example system under test (two commits: the defective build, then the fix)');
  const repo = join(WORK, 'cutter');
  const shas = Object.fromEntries(
    execFileSync('bash', [join(ROOT, 'scripts', 'example-repo'), repo], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .map((l) => l.split('=')),
  );
  const config = join(DEMO, fail ? 'rehearse-fail.yaml' : 'rehearse.yaml');
  const accepted = fail ? shas.defective : shas.fixed;
  if (configSha(config) !== accepted) {
    throw new Error(`${config} accepts ${configSha(config)}, but the example build is ${accepted}: fixtures/cutter changed; update accepted_commit and re-pin (rehearse pin --config ${config})`);
  }
  if (fail) {
    execFileSync('git', ['-C', repo, 'reset', '-q', '--hard', shas.defective]);
    execFileSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', repo]);
  }

  say(`rehearse run --config ${config} ${passThrough.join(' ')}`);
  child = spawn(process.execPath, [join(ROOT, 'bin', 'rehearse.js'), 'run', '--config', config, ...passThrough], { stdio: 'inherit' });
  exitCode = await new Promise((resolveExit) => child.on('exit', (code, signal) => resolveExit(code ?? (signal ? 3 : 1))));
} catch (err) {
  say(`set-up failed: ${err instanceof Error ? err.message : String(err)}`);
  exitCode = 3;
} finally {
  for (const name of [PRODUCTION, PROTECTED]) {
    try {
      await removeDemoContainer(name);
    } catch (err) {
      say(`could not remove ${name}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  for (const f of ['production-password', 'protected-password', 'production.dsn']) {
    const p = join(WORK, f);
    if (existsSync(p)) {
      writeFileSync(p, randomBytes(64));
      rmSync(p);
    }
  }
}
process.exit(exitCode);
