// `rehearse doctor`: is this machine ready to rehearse? Each check says what to do when it is not.
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
import { CLIENT_TOOLS, clientToolVersion } from '../pg/index.js';

export interface DoctorCheck {
  name: string;
  ok: boolean;
  detail: string;
  /** What to do when the check fails. */
  fix: string | null;
}

/** Below this much free space a dump and a restore of a real production are at risk. */
export const MIN_FREE_BYTES = 2 * 1024 ** 3;

export async function doctor(docker: DockerClient, image = defaultImage()): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  let engineOk = false;
  try {
    const info = await checkEngine(docker);
    engineOk = true;
    checks.push({ name: 'engine', ok: true, detail: `Docker ${info.version} (API ${info.apiVersion})`, fix: null });
  } catch (err) {
    checks.push({
      name: 'engine',
      ok: false,
      detail: messageOf(err),
      fix: 'run `bash scripts/setup` as root: it installs docker.io when missing and starts dockerd',
    });
  }
  if (engineOk) {
    try {
      const i = await inspectImage(docker, image);
      checks.push({ name: 'image', ok: true, detail: `${i.tag} (${i.id})`, fix: null });
    } catch (err) {
      checks.push({
        name: 'image',
        ok: false,
        detail: messageOf(err),
        fix: 'run `bash scripts/setup`: it builds the local PostgreSQL image from Debian packages (about a minute)',
      });
    }
    try {
      const r = await inspectImage(docker, defaultRunnerImage());
      checks.push({
        name: 'runner image',
        ok: true,
        detail: `${r.tag} (${r.id}), for sut.runner: container`,
        fix: null,
      });
    } catch (err) {
      checks.push({
        name: 'runner image',
        ok: false,
        detail: messageOf(err),
        fix: 'run `bash scripts/setup`: it builds the runner image the container runner uses (Node.js from Debian packages)',
      });
    }
  } else {
    checks.push({
      name: 'image',
      ok: false,
      detail: `${image}: not checked, the engine does not answer`,
      fix: 'start the engine first',
    });
  }
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
  const root = stateRoot();
  const writable = await probeWritable(root);
  checks.push(
    writable.ok
      ? { name: 'state folder', ok: true, detail: `${root} is writable`, fix: null }
      : {
          name: 'state folder',
          ok: false,
          detail: `cannot write ${writable.path}: ${errnoWords(writable.errno)}`,
          fix: `point PG_REHEARSE_STATE_DIR at a writable folder with free space (now ${root})`,
        },
  );
  const free = await freeBytes(root);
  checks.push(
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
  );
  return checks;
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
