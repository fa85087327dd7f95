// Runner containers against the real engine: the internal network (no default route, no host
// address, no other network), the read-only checkout, the install volume, exact names refused and
// never adopted, and teardown by the journal. Nothing here sends traffic off this machine: every
// address probed is the host's own, a container's, or an engine bridge's.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NameTakenError } from '../errors.js';
import { DEFAULT_READINESS, probe, waitForReadiness } from '../pg/index.js';
import { countLabelled, docker, uniqueName } from '../test-support/docker.js';
import { findContainerByName, findNetworkByName } from './environment.js';
import { defaultImage, inspectImage, PACKAGE_ROOT } from './image.js';
import { LABEL_PURPOSE, LABEL_RUN_ID } from './labels.js';
import { RunJournal } from './run-journal.js';
import { createRunDir } from './run-state.js';
import {
  assertRunnerNamesFree,
  createInstallVolume,
  createInternalNetwork,
  defaultRunnerImage,
  findVolumeByName,
  INHIBIT_IPV4,
  planCheckoutMounts,
  runnerNames,
  runRunnerContainer,
  secretEnvFile,
  startNetnsHolder,
  SUT_MOUNT,
  type CheckoutPlan,
  type InternalNetwork,
  type NetnsHolder,
  type RunnerContainerSpec,
} from './index.js';
import { LABEL_SIDE, removeSideServer, startSideServer } from './side-containers.js';
import { writeSecretFile } from './secret-file.js';
import { teardownRecorded } from './teardown.js';

// What a runner container reports about itself: its environment, routes, and what it could
// connect to, write and read. Node 18 (the runner image's), no dependency.
const PROBE = `
import { connect } from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
const plan = JSON.parse(process.argv[2] ?? '{}');
const tryConnect = (target) => new Promise((resolve) => {
  const i = target.lastIndexOf(':');
  const s = connect({ host: target.slice(0, i), port: Number(target.slice(i + 1)) });
  const t = setTimeout(() => { s.destroy(); resolve({ target, ok: false, error: 'TIMEOUT' }); }, 1500);
  s.once('connect', () => { clearTimeout(t); s.destroy(); resolve({ target, ok: true }); });
  s.once('error', (e) => { clearTimeout(t); resolve({ target, ok: false, error: e.code }); });
});
const tryWrite = (path) => { try { writeFileSync(path, 'written'); return { path, ok: true }; } catch (e) { return { path, ok: false, error: e.code, message: e.message }; } };
const tryRead = (path) => { try { return { path, ok: true, text: readFileSync(path, 'utf8') }; } catch (e) { return { path, ok: false, error: e.code }; } };
const routes = readFileSync('/proc/net/route', 'utf8').trim().split('\\n').slice(1).map((l) => l.trim().split(/\\s+/)).map((f) => ({ iface: f[0], destination: f[1], gateway: f[2], mask: f[7] }));
const out = {
  env: process.env, uid: process.getuid(), cwd: process.cwd(), node: process.version, routes,
  connects: await Promise.all((plan.connect ?? []).map(tryConnect)),
  writes: (plan.write ?? []).map(tryWrite),
  reads: (plan.read ?? []).map(tryRead),
};
process.stdout.write(JSON.stringify(out));
`;

interface ProbeReport {
  env: Record<string, string>;
  uid: number;
  cwd: string;
  node: string;
  routes: { iface: string; destination: string; gateway: string; mask: string }[];
  connects: { target: string; ok: boolean; error?: string }[];
  writes: { path: string; ok: boolean; error?: string; message?: string }[];
  reads: { path: string; ok: boolean; text?: string; error?: string }[];
}

const RUNNER_IMAGE = defaultRunnerImage();
const execFileP = promisify(execFile);

let root: string;
let checkout: string;
let journal: RunJournal;
let runId: string;
let names: ReturnType<typeof runnerNames>;
let plan: CheckoutPlan;
let internal: InternalNetwork;
let volume: string;
let holder: NetnsHolder;
let side: { name: string; id: string; port: number; ip: string; gateway: string };
let listener: Server;
let listenerPort: number;
let hostAddress: string | undefined;
const foreignVolume = uniqueName('pgr-rc-foreign');

/** A runner container spec with this test's checkout, network and volume. */
function spec(
  name: string,
  purpose: RunnerContainerSpec['purpose'],
  network: string,
  probePlan: object,
  extra: Partial<RunnerContainerSpec> = {},
): RunnerContainerSpec {
  return {
    name,
    image: RUNNER_IMAGE,
    purpose,
    argv: ['node', 'tools/probe.mjs', JSON.stringify(probePlan)],
    workdir: SUT_MOUNT,
    env: { PATH: '/usr/bin:/bin', HOME: '/tmp', LANG: 'C.UTF-8' },
    network,
    checkout: plan,
    installVolume: volume,
    installWritable: purpose === 'sut-install',
    dropCapabilities: purpose === 'sut-step',
    ...extra,
  };
}

async function run(s: RunnerContainerSpec, timeoutMs = 30_000) {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const r = await runRunnerContainer(docker, journal, s, {
    timeoutMs,
    onStdout: (c) => out.push(c),
    onStderr: (c) => err.push(c),
    graceMs: 2_000,
  });
  return { ...r, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
}

async function probed(s: RunnerContainerSpec): Promise<ProbeReport> {
  const r = await run(s);
  expect(r.statusCode, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as ProbeReport;
}

beforeAll(async () => {
  await inspectImage(docker, RUNNER_IMAGE); // missing: `bash scripts/setup` builds it
  root = await mkdtemp(join(tmpdir(), 'pgr-rc-state-'));
  runId = uniqueName('rc-run');
  await createRunDir(runId, root);
  journal = await RunJournal.open(runId, new Date(), root);
  names = runnerNames(uniqueName('pgr-rc'));

  // The checkout: files and folders, a symlink inside, one leading out, and an ignored node_modules.
  checkout = await mkdtemp(join(tmpdir(), 'pgr-rc-sut-'));
  await mkdir(join(checkout, 'tools'));
  await mkdir(join(checkout, 'src'));
  await writeFile(join(checkout, 'tools', 'probe.mjs'), PROBE);
  await writeFile(join(checkout, 'src', 'main.txt'), 'accepted commit\n');
  await writeFile(join(checkout, 'package.json'), '{"name":"probe","private":true}\n');
  await symlink('src', join(checkout, 'source'));
  await symlink('/etc', join(checkout, 'host-etc'));
  await symlink('/nowhere/node_modules', join(checkout, 'node_modules'));
  plan = await planCheckoutMounts(checkout);

  // What production looks like: a container of its own on the default bridge, port on 127.0.0.1.
  const passwordFile = join(root, 'side-password');
  await writeSecretFile(passwordFile, 'side-only-password');
  const sideName = uniqueName('pgr-rc-prod');
  const started = await startSideServer(docker, {
    name: sideName,
    image: defaultImage(),
    role: 'production',
    passwordFile,
    database: 'prod',
  });
  const info = await docker.getContainer(started.id).inspect();
  const bridge = info.NetworkSettings.Networks['bridge']!;
  side = { name: sideName, id: started.id, port: started.port, ip: bridge.IPAddress, gateway: bridge.Gateway };
  // And a host service on every interface (a production PostgreSQL on the host would be one).
  listener = createServer((s) => s.end());
  await new Promise<void>((resolve) => listener.listen(0, '0.0.0.0', resolve));
  listenerPort = (listener.address() as { port: number }).port;
  hostAddress = Object.entries(networkInterfaces())
    .filter(([iface]) => !/^(lo|docker|br-|veth)/.test(iface))
    .flatMap(([, addrs]) => addrs ?? [])
    .find((a) => a.family === 'IPv4' && !a.internal)?.address;

  internal = await createInternalNetwork(docker, journal, names.internalNetwork);
  volume = await createInstallVolume(docker, journal, names.installVolume);
  holder = await startNetnsHolder(docker, journal, { name: names.holder, image: RUNNER_IMAGE, network: internal });
  await waitForReadiness(DEFAULT_READINESS, {
    probe: () =>
      probe({ host: '127.0.0.1', port: side.port, user: 'postgres', password: 'side-only-password', database: 'prod' }),
  });
}, 120_000);

afterAll(async () => {
  listener?.close();
  if (side) await removeSideServer(docker, side.name);
  if (journal) await teardownRecorded(docker, journal.snapshot());
  if (await findVolumeByName(docker, foreignVolume)) await docker.getVolume(foreignVolume).remove();
  await rm(checkout, { recursive: true, force: true });
  await rm(root, { recursive: true, force: true });
});

describe('runner containers', () => {
  it('creates the internal network, the install volume and the network holder by exact name, labelled, recorded, with no host address on the network', async () => {
    const net = (await docker.getNetwork(internal.id).inspect()) as {
      Name: string;
      Internal: boolean;
      Options: Record<string, string>;
      Labels: Record<string, string>;
    };
    expect(net).toMatchObject({
      Name: names.internalNetwork,
      Internal: true,
      Labels: { [LABEL_RUN_ID]: runId, [LABEL_PURPOSE]: 'sut-internal' },
    });
    expect(net.Options[INHIBIT_IPV4]).toBe('true');
    // the host holds no address on the bridge: no route from a step to a host service
    const hostIps = Object.values(networkInterfaces())
      .flatMap((a) => a ?? [])
      .map((a) => a.address);
    const ipam = (await docker.getNetwork(internal.id).inspect()) as { IPAM: { Config: { Gateway?: string }[] } };
    for (const c of ipam.IPAM.Config) if (c.Gateway) expect(hostIps).not.toContain(c.Gateway);

    expect((await findVolumeByName(docker, volume))?.labels).toMatchObject({
      [LABEL_RUN_ID]: runId,
      [LABEL_PURPOSE]: 'sut-install-output',
    });
    expect(journal.snapshot().resources).toEqual([
      { kind: 'network', name: names.internalNetwork, id: internal.id },
      { kind: 'volume', name: names.installVolume, id: names.installVolume },
      { kind: 'container', name: names.holder, id: holder.id },
    ]);
    const held = await docker.getContainer(holder.id).inspect();
    expect(held.Config.Labels).toMatchObject({ [LABEL_RUN_ID]: runId, [LABEL_PURPOSE]: 'sut-netns-holder' });
    expect(Object.keys(held.NetworkSettings.Networks)).toEqual([names.internalNetwork]);
    expect(held.HostConfig.CapAdd).toEqual(['NET_ADMIN']);
  });

  it('refuses a network, volume or container name that exists, and never adopts or touches it', async () => {
    await expect(assertRunnerNamesFree(docker, names)).rejects.toThrow(NameTakenError);
    await expect(createInternalNetwork(docker, journal, names.internalNetwork)).rejects.toThrow(NameTakenError);
    await docker.createVolume({ Name: foreignVolume, Labels: { [LABEL_SIDE]: 'foreign' } });
    await expect(createInstallVolume(docker, journal, foreignVolume)).rejects.toThrow(/already exists/);
    expect((await findVolumeByName(docker, foreignVolume))?.labels).toEqual({ [LABEL_SIDE]: 'foreign' });
    await expect(run(spec(side.name, 'sut-step', internal.name, {}))).rejects.toThrow(NameTakenError);
    expect((await findContainerByName(docker, side.name))?.id).toBe(side.id);
  });

  it('mounts every top-level entry read-only, a symlink inside by its target, leaves out one leading out, and shadows the output', () => {
    expect(plan.binds.map((b) => [b.entry, b.target])).toEqual([
      ['package.json', `${SUT_MOUNT}/package.json`],
      ['source', `${SUT_MOUNT}/source`],
      ['src', `${SUT_MOUNT}/src`],
      ['tools', `${SUT_MOUNT}/tools`],
    ]);
    expect(plan.binds.find((b) => b.entry === 'source')!.source).toBe(join(plan.root, 'src'));
    expect(plan.leftOut).toEqual([{ entry: 'host-etc', reason: expect.stringMatching(/leading out of the checkout/) }]);
    expect(plan.shadowed).toBe(true);
  });

  it('the install container writes the install volume, reads the checkout, writes nothing of it, and holds only PATH, HOME and LANG', async () => {
    const report = await probed(
      spec(names.installContainer, 'sut-install', 'bridge', {
        write: [
          `${SUT_MOUNT}/node_modules/installed.txt`,
          `${SUT_MOUNT}/src/main.txt`,
          `${SUT_MOUNT}/package-lock.json`,
          '/tmp/scratch',
        ],
        read: [`${SUT_MOUNT}/source/main.txt`, `${SUT_MOUNT}/host-etc/hostname`],
        // the control of the step's test below: from an ordinary network these answer
        connect: [`${side.ip}:5432`, `${side.gateway}:${listenerPort}`],
      }),
    );
    expect(Object.keys(report.env).sort()).toEqual(['HOME', 'LANG', 'PATH']);
    expect(report.node).toMatch(/^v18\./);
    expect(report.writes.map((w) => [w.path, w.ok, w.error])).toEqual([
      [`${SUT_MOUNT}/node_modules/installed.txt`, true, undefined],
      [`${SUT_MOUNT}/src/main.txt`, false, 'EROFS'],
      [`${SUT_MOUNT}/package-lock.json`, false, 'EROFS'],
      ['/tmp/scratch', true, undefined],
    ]);
    expect(report.reads.map((r) => [r.path, r.ok, r.text ?? r.error])).toEqual([
      [`${SUT_MOUNT}/source/main.txt`, true, 'accepted commit\n'],
      [`${SUT_MOUNT}/host-etc/hostname`, false, 'ENOENT'],
    ]);
    expect(report.connects).toEqual([
      { target: `${side.ip}:5432`, ok: true },
      { target: `${side.gateway}:${listenerPort}`, ok: true },
    ]);
    await expect(findContainerByName(docker, names.installContainer)).resolves.toBeNull();
  });

  it('a step container has no default route and reaches neither the host, a port published on 127.0.0.1, nor another network', async () => {
    const ipam = (await docker.getNetwork(internal.id).inspect()) as { IPAM: { Config: { Gateway?: string }[] } };
    const targets = [
      `127.0.0.1:${side.port}`, // the host port production publishes on 127.0.0.1
      `${side.ip}:5432`, // production's own address on its bridge
      `${side.gateway}:${side.port}`, // the host, through the default bridge
      `${side.gateway}:${listenerPort}`, // a host service on every interface
      ...ipam.IPAM.Config.flatMap((c) => (c.Gateway ? [`${c.Gateway}:${listenerPort}`] : [])), // the internal network's gateway
      ...(hostAddress ? [`${hostAddress}:${listenerPort}`, `${hostAddress}:${side.port}`] : []),
    ];
    const report = await probed(
      spec(names.step(1), 'sut-step', holder.networkMode, { connect: targets }, { user: '0:0' }),
    );
    expect(report.routes.filter((r) => r.destination === '00000000')).toEqual([]);
    expect(report.routes.length).toBeGreaterThan(0); // the internal subnet itself
    for (const c of report.connects) expect(c, c.target).toMatchObject({ ok: false });
    expect(report.connects.map((c) => c.target)).toEqual(targets);
    // Why the holder: a container put on the internal network directly gets a default route (engine 20.10).
    const direct = await probed(spec(names.step(5), 'sut-step', internal.name, {}, { user: '0:0' }));
    expect(direct.routes.filter((r) => r.destination === '00000000')).not.toEqual([]);
  });

  it("a step cannot write its checkout, the install's output or the root file system; it reads both; only /tmp takes a write", async () => {
    const report = await probed(
      spec(names.step(2), 'sut-step', holder.networkMode, {
        write: [
          `${SUT_MOUNT}/src/main.txt`,
          `${SUT_MOUNT}/new-file`,
          `${SUT_MOUNT}/node_modules/more.txt`,
          '/etc/passwd',
          '/tmp/scratch',
        ],
        read: [`${SUT_MOUNT}/node_modules/installed.txt`, `${SUT_MOUNT}/src/main.txt`],
      }),
    );
    expect(report.writes.map((w) => [w.path, w.error ?? 'ok'])).toEqual([
      [`${SUT_MOUNT}/src/main.txt`, 'EROFS'],
      [`${SUT_MOUNT}/new-file`, 'EROFS'],
      [`${SUT_MOUNT}/node_modules/more.txt`, 'EROFS'],
      ['/etc/passwd', 'EROFS'],
      ['/tmp/scratch', 'ok'],
    ]);
    expect(report.writes[0]!.message).toMatch(/read-only file system/);
    expect(report.reads.map((r) => r.text)).toEqual(['written', 'accepted commit\n']);
  });

  it('sources the secret env file so that its variables reach the command, and keeps them out of the container config', async () => {
    const file = join(root, 'runs', runId, 'step-3.env');
    await writeSecretFile(file, secretEnvFile({ CUTTER_DSN: "postgres://u:p'@:x@dry-run-db:5432/d", MULTI: 'a\nb' }));
    const name = names.step(3);
    const inspected: Promise<string[]> = (async () => {
      for (;;) {
        const found = await findContainerByName(docker, name);
        if (found) return (await docker.getContainer(found.id).inspect()).Config.Env;
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const r = await run({
      ...spec(name, 'sut-step', holder.networkMode, {}),
      argv: ['sh', '-c', 'sleep 1; printf %s "$CUTTER_DSN|$MULTI"'],
      secretEnvFile: file,
    });
    expect(r.stdout).toBe("postgres://u:p'@:x@dry-run-db:5432/d|a\nb");
    expect((await inspected).join(' ')).not.toContain('dry-run-db');
  });

  it('runs a real `npm ci` in the install container: node_modules is the volume, the checkout stays read-only', async () => {
    // A package whose one dependency is a local tarball (npm ci --offline: no registry, no traffic).
    const pkg = await mkdtemp(join(tmpdir(), 'pgr-rc-npm-'));
    try {
      await mkdir(join(pkg, 'vendor'));
      await execFileP('npm', ['pack', '--ignore-scripts', '--silent', join(PACKAGE_ROOT, 'node_modules', 'postgres')], {
        cwd: join(pkg, 'vendor'),
      });
      const [tarball] = await readdir(join(pkg, 'vendor'));
      await writeFile(
        join(pkg, 'package.json'),
        JSON.stringify({
          name: 'npm-ci-probe',
          version: '1.0.0',
          private: true,
          dependencies: { postgres: `file:vendor/${tarball}` },
        }),
      );
      await execFileP(
        'npm',
        ['install', '--package-lock-only', '--offline', '--ignore-scripts', '--no-audit', '--no-fund'],
        { cwd: pkg },
      );
      const npmPlan = await planCheckoutMounts(pkg);
      const npmVolume = await createInstallVolume(docker, journal, `${names.installVolume}-npm`);
      const common = { checkout: npmPlan, installVolume: npmVolume, network: 'none' };
      const install = await run(
        {
          ...spec(`${names.installContainer}-npm`, 'sut-install', 'none', {}),
          ...common,
          argv: ['npm', 'ci', '--offline', '--no-audit', '--no-fund'],
        },
        60_000,
      );
      expect(install.statusCode, install.stderr).toBe(0);
      expect(install.stdout).toMatch(/added 1 package/);
      const used = await run({
        ...spec(names.step(6), 'sut-step', holder.networkMode, {}),
        ...common,
        network: holder.networkMode,
        argv: ['node', '-e', "import('postgres').then((m) => console.log(typeof m.default))"],
      });
      expect([used.statusCode, used.stdout, used.stderr]).toEqual([0, 'function\n', '']);
      expect((await readdir(pkg)).sort()).toEqual(['package-lock.json', 'package.json', 'vendor']); // nothing written into the checkout
    } finally {
      await rm(pkg, { recursive: true, force: true });
    }
  });

  it('stops a step at its timeout with SIGTERM, removes its container, and reports the signal', async () => {
    const r = await run(
      {
        ...spec(names.step(4), 'sut-step', holder.networkMode, {}),
        argv: ['node', '-e', 'setTimeout(() => {}, 30000)'],
      },
      500,
    );
    expect(r).toMatchObject({ timedOut: true, canceled: false, signal: 'SIGTERM', statusCode: 143, removed: true });
    expect(r.ms).toBeLessThan(5_000);
    await expect(findContainerByName(docker, names.step(4))).resolves.toBeNull();
  });

  it('teardown by the journal removes every recorded name and proves it gone', async () => {
    const outcome = await teardownRecorded(docker, journal.snapshot());
    expect(outcome.complete).toBe(true);
    const byName = Object.fromEntries(outcome.resources.map((r) => [`${r.kind} ${r.name}`, r.action]));
    expect(byName).toMatchObject({
      [`network ${names.internalNetwork}`]: 'removed',
      [`volume ${names.installVolume}`]: 'removed',
      [`container ${names.installContainer}`]: 'already-gone',
      [`container ${names.step(1)}`]: 'already-gone',
      [`container ${names.holder}`]: 'removed',
      [`volume ${names.installVolume}-npm`]: 'removed',
    });
    expect(byName[`volume ${foreignVolume}`]).toBeUndefined(); // refused before it was recorded
    expect(outcome.resources.every((r) => r.gone)).toBe(true);
    await expect(findNetworkByName(docker, names.internalNetwork)).resolves.toBeNull();
    await expect(findVolumeByName(docker, names.installVolume)).resolves.toBeNull();
    expect(await countLabelled(runId)).toEqual({ containers: 0, networks: 0, volumes: 0, total: 0 });
    // the foreign volume of the same test was left alone
    expect(await findVolumeByName(docker, foreignVolume)).not.toBeNull();
  });
});
