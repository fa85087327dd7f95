// The tool's own version and build sha: recorded in every report, never pinned.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { PACKAGE_ROOT } from '../engine/index.js';

export interface ToolInfo {
  version: string;
  buildSha: string | null;
}

let cached: ToolInfo | null = null;

export async function toolProvenance(): Promise<ToolInfo> {
  if (cached) return cached;
  const pkg = JSON.parse(await readFile(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string };
  // A checkout knows its commit; an installed package may not (null then, never a guess).
  const git = await execa('git', ['-C', PACKAGE_ROOT, 'rev-parse', 'HEAD'], { reject: false });
  const dirty = await execa('git', ['-C', PACKAGE_ROOT, 'status', '--porcelain', '--', 'src'], { reject: false });
  const sha = git.exitCode === 0 ? git.stdout.trim() : null;
  cached = {
    version: pkg.version,
    buildSha: sha && dirty.exitCode === 0 && dirty.stdout.trim() !== '' ? `${sha}+dirty` : sha,
  };
  return cached;
}
