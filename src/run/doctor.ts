// `rehearse doctor`: is this machine ready to rehearse? Each check says what to do when it is not.
// With a config, what it asks of production too (doctor-production.ts).
import { statfs } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  checkEngine,
  defaultImage,
  defaultRunnerImage,
  inspectImage,
  probeWritable,
  stateRoot,
  type DockerClient,
} from '../engine/index.js';
import { errnoWords, messageOf } from '../errors.js';
import { squawkVersion } from '../evidence/index.js';
import { CLIENT_TOOLS, clientToolVersion } from '../pg/index.js';
import { doctorProduction, productionDoctorChecks } from './doctor-production.js';

export interface DoctorCheck {
  name: string;
  ok: boolean;
  detail: string;
  /** What to do when the check fails. */
  fix: string | null;
}

/** Below this much free space a dump and a restore of a real production are at risk. */
export const MIN_FREE_BYTES = 2 * 1024 ** 3;

export interface DoctorOptions {
  image?: string;
  /** A rehearsal config: what it asks of production is checked too (doctor-production.ts). */
  config?: string;
}

export async function doctor(docker: DockerClient, opts: DoctorOptions = {}): Promise<DoctorCheck[]> {
  // The config first: a bad one is a usage error before anything is checked.
  const production = opts.config === undefined ? null : await doctorProduction(opts.config);
  return [
    ...(await engineChecks(docker, opts.image ?? defaultImage())),
    ...(await clientToolChecks()),
    await squawkCheck(),
    ...(await stateFolderChecks()),
    ...(production === null ? [] : await productionDoctorChecks(production)),
  ];
}

/** squawk, which G6's lint runs (the config's `lint`, on by default). */
export async function squawkCheck(version: () => Promise<string> = () => squawkVersion()): Promise<DoctorCheck> {
  try {
    return { name: 'squawk', ok: true, detail: `squawk ${await version()}, for the lint`, fix: null };
  } catch (err) {
    return {
      name: 'squawk',
      ok: false,
      detail: messageOf(err),
      fix: 'reinstall pg-rehearse with its optional dependencies (`npm ci --include=optional`): squawk-cli brings its binary in a platform package; or set `lint: off`',
    };
  }
}

/** The engine, then the two images (not checked when the engine does not answer). */
async function engineChecks(docker: DockerClient, image: string): Promise<DoctorCheck[]> {
  try {
    const info = await checkEngine(docker);
    const engine = { name: 'engine', ok: true, detail: `Docker ${info.version} (API ${info.apiVersion})`, fix: null };
    return [
      engine,
      await imageCheck(
        docker,
        'image',
        image,
        '',
        'it builds the local PostgreSQL image from Debian packages (about a minute)',
      ),
      await imageCheck(
        docker,
        'runner image',
        defaultRunnerImage(),
        ', for sut.runner: container',
        'it builds the runner image the container runner uses (Node.js from Debian packages)',
      ),
    ];
  } catch (err) {
    return [
      {
        name: 'engine',
        ok: false,
        detail: messageOf(err),
        fix: 'run `bash scripts/setup` as root: it installs docker.io when missing and starts dockerd',
      },
      {
        name: 'image',
        ok: false,
        detail: `${image}: not checked, the engine does not answer`,
        fix: 'start the engine first',
      },
    ];
  }
}

async function imageCheck(
  docker: DockerClient,
  name: string,
  tag: string,
  what: string,
  builds: string,
): Promise<DoctorCheck> {
  try {
    const i = await inspectImage(docker, tag);
    return { name, ok: true, detail: `${i.tag} (${i.id})${what}`, fix: null };
  } catch (err) {
    return { name, ok: false, detail: messageOf(err), fix: `run \`bash scripts/setup\`: ${builds}` };
  }
}

async function clientToolChecks(): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  for (const tool of CLIENT_TOOLS) {
    const v = await clientToolVersion(tool);
    checks.push(
      v.version
        ? { name: tool, ok: true, detail: `PostgreSQL ${v.version}`, fix: null }
        : {
            name: tool,
            ok: false,
            detail: v.error ?? 'missing',
            fix: 'install the PostgreSQL client tools: `apt-get install postgresql-client-15`',
          },
    );
  }
  return checks;
}

/** The state folder writable, with room for a dump and its restore. */
async function stateFolderChecks(): Promise<DoctorCheck[]> {
  const root = stateRoot();
  const writable = await probeWritable(root);
  const free = await freeBytes(root);
  return [
    writable.ok
      ? { name: 'state folder', ok: true, detail: `${root} is writable`, fix: null }
      : {
          name: 'state folder',
          ok: false,
          detail: `cannot write ${writable.path}: ${errnoWords(writable.errno)}`,
          fix: `point PG_REHEARSE_STATE_DIR at a writable folder with free space (now ${root})`,
        },
    free === null
      ? {
          name: 'free disk',
          ok: false,
          detail: `cannot stat ${root}`,
          fix: `make ${root} (or PG_REHEARSE_STATE_DIR) a writable folder`,
        }
      : free >= MIN_FREE_BYTES
        ? { name: 'free disk', ok: true, detail: `${gib(free)} free for ${root}`, fix: null }
        : {
            name: 'free disk',
            ok: false,
            detail: `${gib(free)} free for ${root}, below ${gib(MIN_FREE_BYTES)}`,
            fix: 'free disk space: a dump and its restore need room for production twice',
          },
  ];
}

/** Free bytes on the filesystem of `path`, or of its nearest existing parent. */
async function freeBytes(path: string): Promise<number | null> {
  for (let p = path; ; p = dirname(p)) {
    try {
      const s = await statfs(p);
      return s.bavail * s.bsize;
    } catch {
      if (dirname(p) === p) return null;
    }
  }
}

const gib = (n: number) => `${(n / 1024 ** 3).toFixed(1)} GiB`;
