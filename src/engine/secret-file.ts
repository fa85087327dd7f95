// Dry-run-only secrets: generated per run, handed over in 0600 files (never argv, never printed),
// shredded at teardown.
import { join } from 'node:path';
import { lstat, open, readdir, rmdir, unlink, writeFile } from 'node:fs/promises';
import { randomBytes, randomInt } from 'node:crypto';
import { isNotFound } from './run-state.js';

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

/** Write a secret to a new file of mode 0600 (fails if the file exists). */
export async function writeSecretFile(path: string, secret: string): Promise<void> {
  await writeFile(path, secret, { mode: 0o600, flag: 'wx' });
}

/** Overwrite with random bytes, fsync, then unlink. A missing file counts as shredded. */
export async function shredFile(path: string): Promise<void> {
  let handle;
  try {
    handle = await open(path, 'r+');
  } catch (err) {
    if (isNotFound(err)) return;
    throw err;
  }
  try {
    const { size } = await handle.stat();
    if (size > 0) await handle.write(randomBytes(size), 0, size, 0);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await unlink(path);
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
