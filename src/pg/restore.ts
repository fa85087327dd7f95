// Loading SQL into the dry-run server (G4): roles, the plain dump, grants, all through psql (a plain
// dump holds psql meta-commands: `\restrict`, `COPY ... FROM stdin`), and setting the dry run's
// role passwords as SCRAM verifiers computed here, so a clear password never reaches the server.
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { execa } from 'execa';
import { EnvironmentError, UsageError, messageOf, type RehearseErrorOptions } from '../errors.js';
import { withConnection } from './identity.js';
import { clientProcessEnv, quoteIdent, quoteLiteral, type PgTarget } from './target.js';
import { StderrTail, interruptedBy, throwIfInterrupted } from './tool-process.js';

/** psql stopped on a SQL file (or could not run it); the caller decides whose fault that is. */
export class SqlFileError extends EnvironmentError {
  constructor(
    readonly file: string,
    /** psql's exit code (3: an error in the script, 2: the connection, 1: psql itself); null when it did not run. */
    readonly exitCode: number | null,
    /** The last lines of psql's stderr, `psql:<stdin>:` rewritten to `psql:FILE:`. */
    readonly stderrTail: string[],
    firstError: string,
    options: RehearseErrorOptions = {},
  ) {
    super(
      'E_SQL_FILE',
      `running \`${file}\` failed${exitCode === null ? '' : ` (psql exit ${exitCode})`}: ${firstError}`,
      options,
    );
  }
}

export interface RunSqlFileOptions {
  /** psql --single-transaction: all or nothing. */
  singleTransaction?: boolean;
  /** Bytes of the file sent to psql so far. */
  onProgress?: (bytes: number) => void;
  signal?: AbortSignal;
  /** psql variables (`-v name=value`): they are on psql's command line, so never a secret. */
  variables?: Record<string, string>;
}

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** psql's command line for a script read from its stdin; it holds no secret (the connection comes from the environment). */
export function psqlScriptArgs(opts: Pick<RunSqlFileOptions, 'singleTransaction' | 'variables'> = {}): string[] {
  const args = ['-X', '-q', '--no-password', '-v', 'ON_ERROR_STOP=1'];
  if (opts.singleTransaction) args.push('--single-transaction');
  for (const [name, value] of Object.entries(opts.variables ?? {})) {
    if (!VARIABLE_NAME.test(name))
      throw new UsageError(`Expected a psql variable name like \`table_name\`, got \`${name}\``);
    args.push('-v', `${name}=${value}`);
  }
  args.push('-f', '-');
  return args;
}

/**
 * Run a SQL file with `psql -X -q -v ON_ERROR_STOP=1 [--single-transaction]`. The file is streamed
 * into psql's stdin (`-f -`) so that progress is counted with backpressure; psql runs in the file's
 * folder so `\ir` resolves as with `-f FILE`, and its error lines name the file.
 */
export async function runSqlFile(
  target: PgTarget,
  file: string,
  opts: RunSqlFileOptions = {},
): Promise<{ ms: number; bytes: number }> {
  const t0 = performance.now();
  throwIfInterrupted(opts.signal);
  const args = psqlScriptArgs(opts);
  // The script's lines keep their numbers (its errors name them): a checked session to the same address goes first.
  if (target.marker) await withConnection(target, 'session marker', async () => {});

  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch (err) {
    throw new SqlFileError(file, null, [], `cannot read it: ${messageOf(err)}`, { cause: err });
  }
  let bytes = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      opts.onProgress?.(bytes);
      done(null, chunk);
    },
  });
  const child = execa('psql', args, {
    cwd: dirname(file),
    env: clientProcessEnv(target, 'pg-rehearse restore'),
    extendEnv: false,
    stdout: 'ignore',
    buffer: false,
    reject: false,
    cancelSignal: opts.signal,
    forceKillAfterDelay: 5_000,
  });
  const stderr = StderrTail.of(child.stderr);
  let readError: unknown = null;
  // psql may stop reading early (ON_ERROR_STOP): a broken pipe then is its exit, not our failure.
  const feeding = pipeline(handle.createReadStream(), meter, child.stdin!).catch((err: unknown) => {
    if ((err as { code?: string }).code !== 'EPIPE' && (err as { code?: string }).code !== 'ERR_STREAM_PREMATURE_CLOSE')
      readError = err;
  });
  const result = await child;
  await feeding;
  await handle.close().catch(() => {});
  const tail = stderr.finish().map((l) => l.replaceAll('psql:<stdin>:', `psql:${file}:`));
  const firstError = stderr.firstError?.replaceAll('psql:<stdin>:', `psql:${file}:`) ?? null;

  if (opts.signal?.aborted) throw interruptedBy(opts.signal);
  if (result.exitCode === undefined && result.signal === undefined) {
    throw new SqlFileError(file, null, tail, `psql could not be started: ${result.shortMessage}`, {
      cause: result.cause,
    });
  }
  if (result.exitCode !== 0) {
    const why =
      result.exitCode === undefined
        ? `psql was killed by ${result.signal}`
        : (firstError ?? tail.at(-1) ?? 'no message');
    throw new SqlFileError(file, result.exitCode ?? null, tail, why);
  }
  if (readError !== null)
    throw new SqlFileError(file, 0, tail, `reading it failed: ${messageOf(readError)}`, { cause: readError });
  return { ms: Math.round(performance.now() - t0), bytes };
}

/**
 * PostgreSQL's SCRAM-SHA-256 verifier of a password (RFC 5802/7677):
 * `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`, base64. The password is used as
 * its UTF-8 bytes: PostgreSQL applies SASLprep first, which leaves ASCII unchanged, so anything
 * else is refused rather than risking a verifier the server would not match.
 */
export function scramVerifier(password: string, salt: Buffer = randomBytes(16), iterations = 4096): string {
  if (!/^[\x20-\x7e]+$/.test(password))
    throw new UsageError('Expected a password of printable ASCII characters (SASLprep is not applied here)');
  if (!Number.isInteger(iterations) || iterations < 1)
    throw new UsageError(`Expected \`iterations\` to be a positive integer, got \`${iterations}\``);
  const salted = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

/**
 * `ALTER ROLE ... PASSWORD '<SCRAM verifier>'` for each role, in one transaction: the server
 * stores the verifier as given, so the clear password reaches neither the server nor its log.
 */
export async function setRolePasswords(target: PgTarget, passwords: Record<string, string>): Promise<void> {
  const statements = Object.entries(passwords).map(
    ([role, password]) => `alter role ${quoteIdent(role)} password ${quoteLiteral(scramVerifier(password))}`,
  );
  if (statements.length === 0) return;
  await withConnection(target, 'set role passwords', (sql) =>
    sql.begin(async (tx) => {
      for (const statement of statements) await tx.unsafe(statement);
    }),
  );
}
