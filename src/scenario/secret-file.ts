// A step's 0600 secret files (its password file): written new, shredded when the step ends.
// src/engine keeps the run's own (the server's password, teardown's shredding): the two layers
// share no code, so this small part of it is written twice.
import { randomBytes } from 'node:crypto';
import { open, unlink, writeFile } from 'node:fs/promises';

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

function isNotFound(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && err.code === 'ENOENT';
}
