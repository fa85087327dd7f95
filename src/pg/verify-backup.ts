// pg_verifybackup on a plain-format base backup: every file against the backup_manifest's sizes
// and checksums, and the WAL the backup needs (parsed with the pg_waldump beside it). Debian puts
// it under /usr/lib/postgresql/<major>/bin, not on PATH: the one of pg_basebackup's major is used.
import { access, constants } from 'node:fs/promises';
import { execa } from 'execa';
import { EnvironmentError } from '../errors.js';
import { toolVersionOf } from './base-backup.js';
import { throwIfInterrupted, interruptedBy } from './tool-process.js';

export interface VerifyBackupResult {
  /** pg_verifybackup exited 0: the backup matches its manifest and its WAL parses. */
  ok: boolean;
  /** What it printed (stdout and stderr, in order), trimmed and bounded. */
  output: string;
  /** pg_verifybackup's version, e.g. "15.18"; null when `--version` gave none. */
  version: string | null;
  argv: string[];
}

/** At most this much of pg_verifybackup's output is kept: its first lines name the first problems. */
const MAX_OUTPUT = 16 * 1024;

/** Where pg_verifybackup is looked for: beside pg_basebackup's major under Debian's layout, then PATH. */
export function verifyBackupCandidates(pgBasebackupMajor: number | null): string[] {
  return [
    ...(pgBasebackupMajor === null ? [] : [`/usr/lib/postgresql/${pgBasebackupMajor}/bin/pg_verifybackup`]),
    'pg_verifybackup',
  ];
}

/** The first candidate that runs (`--version` exits 0); a missing binary is an EnvironmentError naming every path tried. */
async function findVerifyBackup(): Promise<{ binary: string; version: string | null }> {
  const basebackup = await toolVersionOf('pg_basebackup');
  const candidates = verifyBackupCandidates(basebackup.ok ? basebackup.major : null);
  const tried: string[] = [];
  for (const binary of candidates) {
    if (
      binary.includes('/') &&
      !(await access(binary, constants.X_OK).then(
        () => true,
        () => false,
      ))
    ) {
      tried.push(`${binary} (not there)`);
      continue;
    }
    const v = await toolVersionOf(binary);
    if (v.ok) return { binary, version: v.major === null ? null : v.version };
    tried.push(`${binary} (${v.why})`);
  }
  throw new EnvironmentError('E_VERIFY_BACKUP_MISSING', `pg_verifybackup could not be run; tried ${tried.join(', ')}`, {
    hint: "install the PostgreSQL server binaries of production's major version (Debian: postgresql-<major>, which puts pg_verifybackup under /usr/lib/postgresql/<major>/bin), or put pg_verifybackup on PATH",
  });
}

/** This process's environment without LC_ALL, which would override the English messages asked for. */
function messageEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== 'LC_ALL') env[k] = v;
  return env;
}

/** Run pg_verifybackup on `dataDir`; problems it reports are `ok: false`, only a binary that cannot run throws. */
export async function verifyBackup(dataDir: string, signal?: AbortSignal): Promise<VerifyBackupResult> {
  throwIfInterrupted(signal);
  const { binary, version } = await findVerifyBackup();
  const args = [dataDir];
  const child = execa(binary, args, {
    env: { ...messageEnv(), LC_MESSAGES: 'C' },
    extendEnv: false,
    stdin: 'ignore',
    all: true,
    buffer: false,
    reject: false,
    ...(signal ? { cancelSignal: signal } : {}),
    forceKillAfterDelay: 5_000,
  });
  let output = '';
  let dropped = 0;
  child.all?.on('data', (c: Buffer) => {
    const room = MAX_OUTPUT - output.length;
    if (room > 0) output += c.toString().slice(0, room);
    dropped += Math.max(0, c.length - Math.max(room, 0));
  });
  const result = await child;
  if (signal?.aborted) throw interruptedBy(signal);
  if (result.exitCode === undefined && result.signal === undefined)
    throw new EnvironmentError('E_VERIFY_BACKUP', `\`${binary}\` could not be started: ${result.shortMessage ?? ''}`, {
      cause: result.cause,
    });
  const said = output.trim() + (dropped > 0 ? `\n[${dropped} more bytes of output left out]` : '');
  const ended = result.signal ? `${said}\n[pg_verifybackup was stopped by ${result.signal}]`.trim() : said;
  return { ok: result.exitCode === 0, output: ended, version, argv: [binary, ...args] };
}
