// Whether a folder the tool must write (the state folder, --out) can be written: created level by
// level (a recursive mkdir on a read-only file system reports ENOENT, hiding EROFS), then a small
// probe file written, synced and removed, so a full disk shows before anything is created.
import { randomBytes } from 'node:crypto';
import { mkdir, open, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { errnoOf } from '../errors.js';

export type WritableProbe = { ok: true } | { ok: false; path: string; errno: string; error: unknown };

const PROBE_BYTES = Buffer.alloc(4096, 0x2e);

/** Create `dir` (and its missing parents, with `mode`) and prove it writable; never throws for the file system's answer. */
export async function probeWritable(dir: string, mode = 0o700): Promise<WritableProbe> {
  const missing: string[] = [];
  for (let p = dir; ; p = dirname(p)) {
    try {
      const s = await stat(p);
      if (!s.isDirectory()) return { ok: false, path: p, errno: p === dir ? 'EEXIST' : 'ENOTDIR', error: null };
      break;
    } catch (err) {
      if (errnoOf(err) !== 'ENOENT' || dirname(p) === p)
        return { ok: false, path: p, errno: errnoOf(err) || 'EIO', error: err };
      missing.unshift(p);
    }
  }
  for (const p of missing) {
    try {
      await mkdir(p, { mode });
    } catch (err) {
      if (errnoOf(err) !== 'EEXIST') return { ok: false, path: p, errno: errnoOf(err) || 'EIO', error: err };
    }
  }
  // Unique per call: runs of one process (and of several) may probe the same folder at once.
  const probe = join(dir, `.pg-rehearse-write-probe-${process.pid}-${randomBytes(6).toString('hex')}`);
  try {
    const handle = await open(probe, 'wx', 0o600);
    try {
      await handle.write(PROBE_BYTES);
      await handle.sync();
    } finally {
      await handle.close();
    }
    return { ok: true };
  } catch (err) {
    return { ok: false, path: dir, errno: errnoOf(err) || 'EIO', error: err };
  } finally {
    await rm(probe, { force: true });
  }
}
