// The built command line as a user runs it: `node bin/rehearse.js ARGS`, its exit code and all it
// printed (stdout and stderr together, uncoloured).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../engine/index.js';

export const REHEARSE_BIN = join(PACKAGE_ROOT, 'bin', 'rehearse.js');

/** `rehearse ARGS` with `env` added to this process's environment: exit code and all output. */
export async function rehearseCli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [REHEARSE_BIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1', ...env },
  });
  let output = '';
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  return { code, output };
}
