// The folders a run writes: --out (the report) and the state folder (run state, secrets, the
// backup). --out may not lie inside the state folder (teardown and the reaper remove what is
// there; a report must outlive them), and both must be writable before anything is created.
import { realpath } from 'node:fs/promises';
import { dirname, join, relative, resolve, isAbsolute } from 'node:path';
import { probeWritable } from '../engine/index.js';
import { DiskError, UsageError } from '../errors.js';

export const STATE_FOLDER_HINT =
  'point PG_REHEARSE_STATE_DIR at a writable folder with free space (`rehearse doctor` checks it), then run again';

/** The real path of `path`, through its nearest existing ancestor when it does not exist yet. */
async function realPathOf(path: string): Promise<string> {
  const rest: string[] = [];
  for (let p = resolve(path); ; p = dirname(p)) {
    try {
      return join(await realpath(p), ...rest);
    } catch {
      if (dirname(p) === p) return resolve(path);
      rest.unshift(p.slice(dirname(p).length).replace(/^\//, ''));
    }
  }
}

/** Whether `child` is `parent` or lies inside it. */
export function isInside(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** Refuse an --out that is the state folder or lies inside it (symbolic links followed). */
export async function assertOutOutsideState(outDir: string, stateRoot: string): Promise<void> {
  const [out, state] = await Promise.all([realPathOf(outDir), realPathOf(stateRoot)]);
  if (isInside(out, state)) {
    throw new UsageError(
      `--out \`${outDir}\` lies inside the state folder \`${stateRoot}\`: what is there belongs to runs and their teardown, and a report must outlive them`,
      {
        hint: 'give --out a folder outside the state folder (PG_REHEARSE_STATE_DIR)',
      },
    );
  }
}

/** Create --out and prove it writable: a path that is a file is a usage error; a read-only or full disk is the environment's (exit 3). */
export async function prepareOutDir(outDir: string): Promise<void> {
  const probe = await probeWritable(outDir, 0o755);
  if (probe.ok) return;
  if (probe.errno === 'EEXIST' || probe.errno === 'ENOTDIR') {
    throw new UsageError(`--out \`${outDir}\` cannot be a folder: \`${probe.path}\` is a file`, {
      hint: 'give --out the path of a folder (it is created when missing)',
    });
  }
  throw new DiskError(probe.path, probe.errno, 'cannot write the output folder (--out)', {
    cause: probe.error,
    hint: 'give --out a writable folder on a disk with free space; nothing was created and no report could be written',
  });
}

/** Create the state folder and prove it writable, or the DiskError naming the path and the errno. */
export async function checkStateFolder(stateRoot: string): Promise<DiskError | null> {
  const probe = await probeWritable(stateRoot);
  return probe.ok
    ? null
    : new DiskError(probe.path, probe.errno, 'cannot write the state folder', {
        cause: probe.error,
        hint: STATE_FOLDER_HINT,
      });
}
