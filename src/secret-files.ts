// A secret handed over in a file: written new with mode 0600, shredded (overwritten, synced,
// unlinked) when it is no longer needed. Plain file work that both src/engine/ (the run's own
// secrets, teardown) and src/scenario/ (a step's password file) use, like src/errors.ts.
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
    if (typeof err === 'object' && err !== null && 'code' in err && err.code === 'ENOENT') return;
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
