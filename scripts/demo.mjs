#!/usr/bin/env node
// The demo: an embedded default production (an exact-named container seeded with
// fixtures/production), one protected environment, and the example system under test in a
// throwaway git repository; then `rehearse run` against them, and the demo's own containers
// removed by exact name when it ends (they carry io.pg-rehearse.side, never the run-id label).
//
// usage: node scripts/demo.mjs [--fail | --container | --copy logical|physical] --out DIR [more `rehearse run` options]
//   --fail        rehearse the defective build (ends FAIL at S6) instead of the fixed one
//   --container   the fixed build with the container runner (steps in ephemeral containers)
//   --copy MODE   how production is copied: logical (pg_dump, the default) or physical
//                 (pg_basebackup; fixtures/demo/rehearse-physical.yaml, since the pinned config decides)
// exit: rehearse run's exit code; 2 for a usage error; 3 when the demo's own set-up failed.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DEMO = join(ROOT, 'fixtures', 'demo');
const say = (msg) => process.stderr.write(`demo: ${msg}\n`);

const args = process.argv.slice(2);
const fail = args.includes('--fail');
const container = args.includes('--container');
const copyAt = args.indexOf('--copy');
const copy = copyAt === -1 ? 'logical' : args[copyAt + 1];
if (copy !== 'logical' && copy !== 'physical') {
  say(`--copy takes logical or physical, got ${copy === undefined ? 'nothing' : `\`${copy}\``}`);
  process.exit(2);
}
if (copy === 'physical' && (fail || container)) {
  say('--copy physical rehearses the fixed build with the host runner: it does not combine with --fail or --container');
  process.exit(2);
}
const ownArgs = new Set(copyAt === -1 ? [] : [copyAt, copyAt + 1]);
const passThrough = args.filter((a, i) => a !== '--fail' && a !== '--container' && !ownArgs.has(i));
if (!passThrough.includes('--out')) {
  say('--out DIR is required: npm run demo -- --out DIR   |   npm run demo:fail -- --out DIR');
  process.exit(2);
}
if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) {
  say('the CLI is not built: run `bash scripts/setup` (or `npm run build`) first');
  process.exit(2);
}

const { startDemoWorld, checkoutBuild } = await import(join(ROOT, 'dist', 'run', 'demo.js'));
const { dockerClient } = await import(join(ROOT, 'dist', 'engine', 'index.js'));

// A signal goes to `rehearse run`, which stops, tears down and reports; one received while the
// demo's own world is still being set up stops the demo before the run starts.
let child = null;
let early = null;
const forward = (signal) => {
  if (child) child.exitCode === null && child.kill(signal);
  else early ??= signal;
};
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => forward(signal));

let world = null;
let exitCode = 3;
try {
  world = await startDemoWorld(dockerClient(), join(DEMO, 'work'), undefined, say);
  const config = join(
    DEMO,
    fail
      ? 'rehearse-fail.yaml'
      : container
        ? 'rehearse-container.yaml'
        : copy === 'physical'
          ? 'rehearse-physical.yaml'
          : 'rehearse.yaml',
  );
  const accepted = fail ? world.shas.defective : world.shas.fixed;
  const pinned = /accepted_commit:\s*([0-9a-f]{40})/.exec(readFileSync(config, 'utf8'))[1];
  if (pinned !== accepted)
    throw new Error(
      `${config} accepts ${pinned}, but the example build is ${accepted}: fixtures/cutter changed; update accepted_commit, then \`rehearse pin --config ${config}\``,
    );
  if (fail) await checkoutBuild(world.repo, world.shas.defective);
  if (early) throw new Error(`${early} received while setting up the demo's world: the run was not started`);
  say(`rehearse run --config ${config} ${passThrough.join(' ')}`);
  child = spawn(process.execPath, [join(ROOT, 'bin', 'rehearse.js'), 'run', '--config', config, ...passThrough], {
    stdio: 'inherit',
  });
  exitCode = await new Promise((done) => child.on('exit', (code, signal) => done(code ?? (signal ? 3 : 1))));
} catch (err) {
  say(`set-up failed: ${err instanceof Error ? err.message : String(err)}`);
} finally {
  if (world) await world.close();
}
process.exit(exitCode);
