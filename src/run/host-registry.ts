// How this machine reaches its package registry, read at run time (never written into the code):
// npm's configured registry, and the extra CA bundle Node is told to trust. The install
// container gets both, so an install works wherever the host's own npm does.
import { existsSync } from 'node:fs';
import { execa } from 'execa';

export async function hostRegistry(
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ url: string | null; caFile: string | null }> {
  const r = await execa('npm', ['config', 'get', 'registry'], { reject: false, timeout: 15_000 });
  const url = r.exitCode === 0 && /^https?:\/\//.test(r.stdout.trim()) ? r.stdout.trim() : null;
  const ca = env.NODE_EXTRA_CA_CERTS && existsSync(env.NODE_EXTRA_CA_CERTS) ? env.NODE_EXTRA_CA_CERTS : null;
  return { url, caFile: ca };
}
