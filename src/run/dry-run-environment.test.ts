// Opening a run on a state folder that fills up while it opens: the run's folder is not left behind.
import { execa } from 'execa';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DiskError } from '../errors.js';
import { openRun } from './dry-run-environment.js';

const folders: string[] = [];

afterAll(async () => {
  for (const d of folders) await rm(d, { recursive: true, force: true });
});

describe('openRun', () => {
  // A full file system needs a mount: root only (CI runs as root here); without it the test fails, it is not skipped.
  it('on a state folder with room for folders but not for the state file: a DiskError naming the state file, and no run folder left', async () => {
    expect(process.getuid?.(), 'mounting a tmpfs needs root: run the tests as root, as .ci/run does').toBe(0);
    const d = await mkdtemp(join(tmpdir(), 'pgr-open-run-'));
    folders.push(d);
    const root = join(d, 'state');
    await mkdir(root);
    await execa('mount', ['-t', 'tmpfs', '-o', 'size=8k', 'tmpfs', root]);
    try {
      // Folders and empty files take no blocks on a tmpfs; the state file's content does.
      await writeFile(join(root, 'filler'), Buffer.alloc(8 * 1024)).catch(() => {});
      const err = await openRun('20261202-000000-0badf00d', new Date(), root).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DiskError);
      expect((err as DiskError).message).toBe(
        `cannot write the run's state file \`${join(root, 'runs', '20261202-000000-0badf00d', 'state.json')}\`: ENOSPC (no space left on device)`,
      );
      expect((err as DiskError).kind).toBe('environment');
      expect(await readdir(join(root, 'runs'))).toEqual([]);
    } finally {
      // Lazily: the run's reaper may still hold its log open for a moment before it sees no run folder and exits.
      await execa('umount', ['-l', root]);
    }
  });
});
