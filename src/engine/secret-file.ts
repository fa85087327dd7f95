// Dry-run-only secrets: generated per run, handed over in 0600 files (never argv, never printed),
// shredded at teardown.
import { join } from 'node:path';
import { lstat, readdir, rmdir, unlink } from 'node:fs/promises';
import { randomInt } from 'node:crypto';
import { shredFile, writeSecretFile } from '../secret-files.js';
import { isNotFound } from './run-state.js';

export { shredFile, writeSecretFile };

// URL-reserved characters are included on purpose: a DSN that carries the password must
// percent-encode it, and the leak scan looks for the raw, percent-encoded and base64 forms.
const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789@:/?#&+=%!';
const RESERVED = '@:/?#&+=%';

/** A password of `length` characters from node:crypto, holding at least one URL-reserved character. */
export function generatePassword(length = 32, pick: (max: number) => number = randomInt): string {
  const chars = Array.from({ length }, () => ALPHABET[pick(ALPHABET.length)]!);
  chars[pick(length)] = RESERVED[pick(RESERVED.length)]!;
  return chars.join('');
}

/**
 * Shred what a run recorded: a file as shredFile does; a folder (a run's backup folder, a
 * directory-format dump) file by file, then the folder; anything else (a FIFO, a symlink, never
 * followed) unlinked. A missing path counts as shredded.
 */
export async function shredPath(path: string): Promise<void> {
  let kind;
  try {
    kind = await lstat(path);
  } catch (err) {
    if (isNotFound(err)) return;
    throw err;
  }
  if (kind.isDirectory()) {
    for (const name of await readdir(path)) await shredPath(join(path, name));
    await rmdir(path);
  } else if (kind.isFile()) {
    await shredFile(path);
  } else {
    await unlink(path);
  }
}
