// The state file of a run: written before anything is created, so that a run that died
// (killed, machine stopped) can be finished by `rehearse teardown` from what it recorded.
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';

export const ResourceKind = z.enum(['container', 'network', 'volume']);
export type ResourceKind = z.infer<typeof ResourceKind>;

/** A resource is recorded by exact name before its create call, and by id once the engine answers. */
export const RecordedResource = z.object({
  kind: ResourceKind,
  name: z.string().min(1),
  id: z.string().min(1).nullable(),
});
export type RecordedResource = z.infer<typeof RecordedResource>;

export const RunStatus = z.enum([
  'active', // the owner process is working; the reaper tears down if it dies
  'released', // provision without --hold: the environment is kept for a person; only teardown removes it
  'teardown-incomplete', // a teardown ran and could not prove everything gone
]);
export type RunStatus = z.infer<typeof RunStatus>;

export const RunState = z.object({
  version: z.literal(1),
  runId: z.string().min(1),
  createdAt: z.string(),
  status: RunStatus,
  owner: z.object({
    pid: z.number().int().positive(),
    /** /proc start time of the owner, so a reused pid is not mistaken for the owner. */
    startTicks: z.string().nullable(),
  }),
  resources: z.array(RecordedResource),
  /** Paths of secret files this run wrote; shredded at teardown. */
  secrets: z.array(z.string()),
});
export type RunState = z.infer<typeof RunState>;

/** Root folder of run state: $PG_REHEARSE_STATE_DIR, else $XDG_STATE_HOME/pg-rehearse, else ~/.local/state/pg-rehearse. */
export function stateRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PG_REHEARSE_STATE_DIR) return env.PG_REHEARSE_STATE_DIR;
  const base = env.XDG_STATE_HOME || join(homedir(), '.local', 'state');
  return join(base, 'pg-rehearse');
}

export function runDir(runId: string, root = stateRoot()): string {
  return join(root, 'runs', runId);
}

export function stateFilePath(runId: string, root = stateRoot()): string {
  return join(runDir(runId, root), 'state.json');
}

/** Create the run's 0700 folder (and the root's) before anything else is made. */
export async function createRunDir(runId: string, root = stateRoot()): Promise<string> {
  await mkdir(join(root, 'runs'), { recursive: true, mode: 0o700 });
  const dir = runDir(runId, root);
  await mkdir(dir, { mode: 0o700 });
  return dir;
}

/** Write atomically (temp file, then rename) so a kill mid-write never leaves half a state file. */
export async function writeRunState(state: RunState, root = stateRoot()): Promise<void> {
  const path = stateFilePath(state.runId, root);
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
  await rename(tmp, path);
}

export async function readRunState(runId: string, root = stateRoot()): Promise<RunState | null> {
  let text: string;
  try {
    text = await readFile(stateFilePath(runId, root), 'utf8');
  } catch (err) {
    if (isNotFound(err)) return null;
    throw err;
  }
  return RunState.parse(JSON.parse(text));
}

/** Every run id that has a folder under the state root. */
export async function listRunIds(root = stateRoot()): Promise<string[]> {
  try {
    return (await readdir(join(root, 'runs'), { withFileTypes: true }))
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
  } catch (err) {
    if (isNotFound(err)) return [];
    throw err;
  }
}

/** Remove a finished run's folder (its secrets are shredded before this). */
export async function removeRunDir(runId: string, root = stateRoot()): Promise<void> {
  await rm(runDir(runId, root), { recursive: true, force: true });
}

export function isNotFound(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && err.code === 'ENOENT';
}
