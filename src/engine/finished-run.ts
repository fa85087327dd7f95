// The record a finished run leaves beside the runs in the state folder (finished/RUN_ID.json):
// who finished it (the run itself, its reaper, `rehearse teardown`), when, what each resource's
// teardown did and proved, and the reaper's log. Its folder is gone by then, so this is what lets
// `teardown --run-id` tell "already finished" from "never recorded here". Kept for a week.
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { isNotFound, type RunState } from './run-state.js';
import { ResourceTeardown, SecretTeardown, type TeardownOutcome } from './teardown.js';

export const FINISHED_KEEP_MS = 7 * 24 * 60 * 60 * 1000;
/** The reaper's log is a few lines; a longer one keeps its end. */
export const FINISHED_LOG_MAX = 16 * 1024;

export const FinishedBy = z.enum([
  'owner', // the run (or `provision --hold`) tore down its own environment
  'reaper', // the reaper, after the owner process died without finishing
  'teardown', // `rehearse teardown --run-id` or `--stale`
]);
export type FinishedBy = z.infer<typeof FinishedBy>;

export const FinishedRun = z.object({
  version: z.literal(1),
  runId: z.string().min(1),
  createdAt: z.string(),
  finishedAt: z.string(),
  finishedBy: FinishedBy,
  /** The process that owned the run. */
  ownerPid: z.number().int().positive(),
  resources: z.array(ResourceTeardown),
  secrets: z.array(SecretTeardown),
  ms: z.number(),
  /** The reaper's log (its end, when longer than FINISHED_LOG_MAX), or null when it had none. */
  reaperLog: z.string().nullable(),
});
export type FinishedRun = z.infer<typeof FinishedRun>;

export function finishedDir(root: string): string {
  return join(root, 'finished');
}

export function finishedRecordPath(runId: string, root: string): string {
  return join(finishedDir(root), `${runId}.json`);
}

/** The record of a run whose teardown proved everything gone. */
export function finishedRun(
  state: RunState,
  outcome: TeardownOutcome,
  by: FinishedBy,
  now: Date,
  reaperLog: string | null,
): FinishedRun {
  return {
    version: 1,
    runId: state.runId,
    createdAt: state.createdAt,
    finishedAt: now.toISOString(),
    finishedBy: by,
    ownerPid: state.owner.pid,
    resources: outcome.resources,
    secrets: outcome.secrets,
    ms: outcome.ms,
    reaperLog:
      reaperLog === null || reaperLog.length <= FINISHED_LOG_MAX ? reaperLog : reaperLog.slice(-FINISHED_LOG_MAX),
  };
}

/** Write atomically (temp file, then rename) into a 0700 folder, as a 0600 file. */
export async function writeFinishedRun(record: FinishedRun, root: string): Promise<string> {
  await mkdir(finishedDir(root), { recursive: true, mode: 0o700 });
  const path = finishedRecordPath(record.runId, root);
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(tmp, JSON.stringify(record, null, 2) + '\n', { mode: 0o600 });
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  return path;
}

export async function readFinishedRun(runId: string, root: string): Promise<FinishedRun | null> {
  let text: string;
  try {
    text = await readFile(finishedRecordPath(runId, root), 'utf8');
  } catch (err) {
    if (isNotFound(err)) return null;
    throw err;
  }
  return FinishedRun.parse(JSON.parse(text));
}

/** Whether a record finished at `finishedAt` is past its week at `now`. */
export function isExpired(finishedAt: Date, now: Date, keepMs = FINISHED_KEEP_MS): boolean {
  return now.getTime() - finishedAt.getTime() > keepMs;
}

/**
 * Remove the records older than a week (by their finishedAt; by the file's mtime when a record
 * cannot be read), and leftover temp files of a write that was killed. Returns the run ids removed.
 */
export async function pruneFinishedRuns(root: string, now: Date, keepMs = FINISHED_KEEP_MS): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(finishedDir(root));
  } catch (err) {
    if (isNotFound(err)) return [];
    throw err;
  }
  const removed: string[] = [];
  for (const name of names.sort()) {
    const path = join(finishedDir(root), name);
    const runId = name.endsWith('.json') ? name.slice(0, -'.json'.length) : null;
    let finishedAt: Date;
    try {
      const at = runId ? Date.parse((await readFinishedRun(runId, root))?.finishedAt ?? '') : NaN;
      finishedAt = Number.isNaN(at) ? (await stat(path)).mtime : new Date(at);
    } catch {
      finishedAt = await stat(path).then(
        (s) => s.mtime,
        () => now,
      );
    }
    if (!isExpired(finishedAt, now, keepMs)) continue;
    await rm(path, { force: true });
    if (runId) removed.push(runId);
  }
  return removed;
}
