// The tool's reads that run beside a step of the system under test (the lock sampler, the relation
// state before and after) go through a psql child, not the in-process SQL client: a server killed
// under a step then ends a child, which is told as a failed read, and nothing can throw inside this
// process outside a promise. Each read's session keeps its statements and errors out of the
// server's log (the trace reads that log), set at connection start (PGOPTIONS): the tool's role is
// a superuser. The query answers one JSON value per line.
import { createInterface } from 'node:readline';
import { execa, type ResultPromise } from 'execa';
import { messageOf } from '../errors.js';
import { psqlMarkerMismatch, psqlMarkerPrelude } from './session-marker.js';
import { clientProcessEnv, type PgTarget } from './target.js';
import { StderrTail } from './tool-process.js';

/** Startup settings of a tool session whose statements stay out of the server's log. */
export const UNLOGGED_SESSION =
  '-c log_statement=none -c log_min_duration_statement=-1 -c log_min_error_statement=panic -c log_min_messages=panic';

export interface PsqlReadOptions {
  applicationName: string;
  /** More startup settings, e.g. `-c lock_timeout=2s`. */
  settings?: string;
  /**
   * Keep the session's statements and errors out of the server's log (the default). False on a
   * server whose log is not the tool's (production): those settings need a superuser there.
   */
  unlogged?: boolean;
  /** The child is killed after this long. */
  timeoutMs: number;
  signal?: AbortSignal;
  /** Which stderr lines the failure's message may quote (all by default). */
  keepStderr?: (line: string) => boolean;
}

const PSQL_ARGS = ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-f', '-'];

/** Start psql on `script` (read from its stdin), its stdout as lines; the caller awaits or kills it. */
export function startPsql(
  target: PgTarget,
  script: string,
  opts: PsqlReadOptions,
): { child: ResultPromise; stderr: StderrTail } {
  const child = execa('psql', PSQL_ARGS, {
    env: clientProcessEnv(target, opts.applicationName, {
      PGOPTIONS: [opts.unlogged === false ? '' : UNLOGGED_SESSION, opts.settings ?? ''].join(' ').trim(),
    }),
    extendEnv: false,
    input: psqlMarkerPrelude(target) + script,
    buffer: { stdout: false, stderr: false },
    stdout: 'pipe',
    stderr: 'pipe',
    reject: false,
    timeout: opts.timeoutMs,
    forceKillAfterDelay: 1000,
    ...(opts.signal ? { cancelSignal: opts.signal } : {}),
  });
  // The prelude prints nothing: the read's first output is a session that proved the marker.
  const { marker } = target;
  if (marker) child.stdout?.once('data', () => (marker.proved.sessions += 1));
  const stderr = new StderrTail(10);
  const keep = opts.keepStderr;
  if (keep) createInterface({ input: child.stderr! }).on('line', (l) => keep(l) && stderr.push(`${l}\n`));
  else child.stderr?.on('data', (c: Buffer) => stderr.push(c));
  return { child, stderr };
}

/** Why a psql child ended without its answer: its first error line, else how it ended. */
export function psqlFailure(
  ended: { exitCode?: number; signal?: string; timedOut: boolean; isCanceled: boolean; failed: boolean },
  stderr: StderrTail,
  timeoutMs: number,
): string {
  const lines = stderr.finish();
  if (ended.timedOut) return `no answer in ${timeoutMs / 1000} s`;
  if (ended.isCanceled) return 'the run was stopped';
  const said = stderr.firstError ?? lines.find((l) => l.trim() !== '');
  const how = ended.signal ? `psql was stopped by ${ended.signal}` : `psql exited ${ended.exitCode ?? '?'}`;
  return said ? `${said.trim()} (${how})` : how;
}

/** A psql read's failure as an error: a session that reached the wrong server (its marker prelude refused) is a MarkerMismatchError. */
export function psqlError(target: PgTarget, failure: string): Error {
  return psqlMarkerMismatch(target, failure) ?? new Error(failure);
}

/** Run `script` once and parse the one JSON line it prints; a failure rejects with what psql said. */
export async function psqlJson<T>(target: PgTarget, script: string, opts: PsqlReadOptions): Promise<T> {
  const { child, stderr } = startPsql(target, script, opts);
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  const ended = await child;
  if (ended.failed) throw psqlError(target, psqlFailure(ended, stderr, opts.timeoutMs));
  const line = out.split('\n').find((l) => l.trim() !== '');
  if (line === undefined) throw new Error('psql printed no answer');
  try {
    return JSON.parse(line) as T;
  } catch (err) {
    throw new Error(`psql printed an answer that is not JSON: ${messageOf(err)}`);
  }
}
