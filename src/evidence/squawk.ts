// squawk (npm squawk-cli) run as a child process: its binary comes from the platform package npm
// installs beside it (no download at install). Each SQL text is written to its own 0600 file in a
// 0700 temporary folder, so no statement (nor a secret in one) is ever in argv, and a text squawk
// cannot parse hides no finding of another (squawk skips the rules of a file with a syntax error).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { lintFileName, parseSquawkOutput, squawkVersionOf, type SquawkFinding } from './squawk-output.js';

/** squawk could not run: `missing` (no binary, or it does not start) or `failed` (a crash, refused options, unreadable output). */
export class SquawkError extends Error {
  readonly code = 'E_SQUAWK';
  constructor(
    readonly kind: 'missing' | 'failed',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SquawkError';
  }
}

export interface SquawkOptions {
  /** The PostgreSQL version the SQL is for (`15.18`). */
  pgVersion: string;
  exclude: readonly string[];
  assumeInTransaction: boolean;
  /** The binary to run; the installed platform package's when omitted. */
  binary?: string;
}

const TIMEOUT_MS = 120_000;

/** The path of squawk's binary from squawk-cli's platform package; a SquawkError when it is not installed. */
export function squawkBinary(): string {
  const require = createRequire(import.meta.url);
  try {
    const mod: unknown = require('squawk-cli/js/index.js');
    const get = (mod as { getBinaryPath?: unknown }).getBinaryPath;
    if (typeof get !== 'function') throw new Error('squawk-cli exports no getBinaryPath');
    return String(get());
  } catch (err) {
    throw new SquawkError(
      'missing',
      `squawk's binary is not installed (npm package squawk-cli and its platform package): ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`,
      { cause: err },
    );
  }
}

const tail = (s: string) => s.trim().split('\n').slice(-3).join(' | ').slice(0, 300);

/** squawk's version (`2.66.0`), from `--version`. */
export async function squawkVersion(binary: string = squawkBinary()): Promise<string> {
  const r = await execa(binary, ['--version'], { reject: false, timeout: TIMEOUT_MS, stdin: 'ignore' });
  if (r.failed && r.exitCode === undefined)
    throw new SquawkError('missing', `squawk (${binary}) does not start: ${r.shortMessage}`, { cause: r });
  const version = r.exitCode === 0 ? squawkVersionOf(r.stdout) : null;
  if (version === null)
    throw new SquawkError('failed', `squawk --version exited ${r.exitCode}: ${tail(r.stdout || r.stderr)}`);
  return version;
}

/** Lint each text as its own file; the findings of each, by index. */
export async function runSquawk(texts: readonly string[], opts: SquawkOptions): Promise<SquawkFinding[][]> {
  if (texts.length === 0) return [];
  const binary = opts.binary ?? squawkBinary();
  const dir = await mkdtemp(join(tmpdir(), 'pg-rehearse-squawk-'));
  try {
    // An empty config of our own: a .squawk.toml of a parent folder must not change what is linted.
    await writeFile(join(dir, 'squawk.toml'), '', { mode: 0o600 });
    for (const [i, text] of texts.entries()) await writeFile(join(dir, lintFileName(i)), text, { mode: 0o600 });
    const args = [
      '--reporter',
      'json',
      '--config',
      'squawk.toml',
      `--pg-version=${opts.pgVersion}`,
      opts.assumeInTransaction ? '--assume-in-transaction' : '--no-assume-in-transaction',
      ...(opts.exclude.length > 0 ? [`--exclude=${opts.exclude.join(',')}`] : []),
      ...texts.map((_, i) => lintFileName(i)),
    ];
    const r = await execa(binary, args, {
      cwd: dir,
      reject: false,
      timeout: TIMEOUT_MS,
      stdin: 'ignore',
      maxBuffer: 256 * 1024 * 1024,
    });
    if (r.failed && r.exitCode === undefined)
      throw new SquawkError(r.timedOut ? 'failed' : 'missing', `squawk (${binary}) did not run: ${r.shortMessage}`, {
        cause: r,
      });
    // 0: nothing found, 1: findings; anything else (2: refused options, 101: a panic) is squawk's failure.
    const findings = r.exitCode === 0 || r.exitCode === 1 ? parseSquawkOutput(r.stdout, texts.length) : null;
    if (findings === null)
      throw new SquawkError(
        'failed',
        `squawk exited ${r.exitCode} without a readable report: ${tail(r.stderr || r.stdout)}`,
      );
    return findings;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
