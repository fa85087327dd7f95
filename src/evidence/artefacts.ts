// The artefacts under review (the config, roles SQL, grants SQL, grant matrix, watched tables and
// every scenario file), their sha256, and the comparison with the pins a reviewer approved.
import { realpath } from 'node:fs/promises';
import { relative } from 'node:path';
import { sha256File } from './hash.js';

export interface ArtefactFile {
  kind: 'config' | 'roles' | 'grants' | 'grant_matrix' | 'watched_tables' | 'scenario';
  /** Absolute path. */
  path: string;
}

export interface HashedArtefact extends ArtefactFile {
  /** Path relative to the config's folder: the key in pins.yaml. */
  key: string;
  sha256: string;
  /** The file's real path when a symbolic link leads to it (the path as given names another place), else null. */
  realPath: string | null;
}

export interface PinnedArtefact {
  kind: string;
  path: string;
  sha256: string;
  pinned: string | null;
  ok: boolean;
  real_path: string | null;
}

export async function hashArtefacts(files: readonly ArtefactFile[], configDir: string): Promise<HashedArtefact[]> {
  const out: HashedArtefact[] = [];
  for (const f of files) {
    // A symbolic link is followed, never hidden: the report says where the bytes it hashed live.
    const real = await realpath(f.path);
    out.push({
      ...f,
      key: relative(configDir, f.path),
      sha256: await sha256File(f.path),
      realPath: real === f.path ? null : real,
    });
  }
  return out;
}

/** Compare with the pins: every artefact must be pinned, with the same sha256. */
export function comparePins(
  artefacts: readonly HashedArtefact[],
  pins: Readonly<Record<string, string>> | null,
): PinnedArtefact[] {
  return artefacts.map((a) => {
    const pinned = pins?.[a.key] ?? null;
    return { kind: a.kind, path: a.key, sha256: a.sha256, pinned, ok: pinned === a.sha256, real_path: a.realPath };
  });
}

/** The pins file content for these artefacts, merged into existing pins (other configs beside it keep theirs). */
export function pinsFor(
  artefacts: readonly HashedArtefact[],
  existing: Readonly<Record<string, string>> = {},
): Record<string, string> {
  const merged: Record<string, string> = { ...existing };
  for (const a of artefacts) merged[a.key] = a.sha256;
  return Object.fromEntries(Object.entries(merged).sort(([a], [b]) => a.localeCompare(b)));
}
