// The host's PostgreSQL client tools (psql, pg_dump, pg_restore) and their versions.
import { execa } from 'execa';

export const CLIENT_TOOLS = ['psql', 'pg_dump', 'pg_restore'] as const;
export type ClientTool = (typeof CLIENT_TOOLS)[number];

export interface ToolVersion {
  tool: ClientTool;
  /** e.g. "15.14", or null when the tool is missing. */
  version: string | null;
  major: number | null;
  error: string | null;
}

/** `pg_dump (PostgreSQL) 15.14 (Debian 15.14-0+deb12u1)` -> "15.14". */
export function parseToolVersion(output: string): { version: string; major: number } | null {
  const m = /\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?/.exec(output);
  if (!m) return null;
  return { version: m[2] === undefined ? m[1]! : `${m[1]}.${m[2]}`, major: Number(m[1]) };
}

export async function clientToolVersion(tool: ClientTool): Promise<ToolVersion> {
  try {
    const { stdout } = await execa(tool, ['--version'], { timeout: 10_000 });
    const parsed = parseToolVersion(stdout);
    if (!parsed) return { tool, version: null, major: null, error: `unrecognised version output: ${stdout.trim()}` };
    return { tool, ...parsed, error: null };
  } catch (err) {
    const code = typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : '';
    return { tool, version: null, major: null, error: code === 'ENOENT' ? 'not found on PATH' : String(err) };
  }
}
