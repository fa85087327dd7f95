// The failure node-pg-migrate printed, and the migration it was running. The format is node-pg-migrate
// 9's, captured from a real `node-pg-migrate up` (fixtures/stderr/node-pg-migrate-9-up.*; the code is its
// src/db.ts, src/migration.ts and bin/node-pg-migrate.ts):
//   stdout: `> Migrating files:`, `> - NAME` each, then `### MIGRATION NAME (UP) ###` as each one starts;
//   stderr: `Error executing:`, the SQL it sent with a `^^^^` line under the line the server pointed at,
//           the server's message; then the error the CLI caught, printed by node as `error: MESSAGE`, its
//           stack and its fields (`code: '42703',`).
// NAME is the file's name without its extension, in the migrations folder (`-m`/`--migrations-dir`,
// `migrations` by default, relative to the step's cwd).
import { posix } from 'node:path';
import { serverErrorName } from './sqlstate.js';

export interface MigrationToolError {
  name: string;
  message: string;
  /** The migration, `migrations/1700000000000_stamp-firmware` (no extension: node-pg-migrate prints none). */
  migration: string | null;
}

const STARTED = /^### MIGRATION (.+) \((?:UP|DOWN)\) ###$/;
const CAUGHT = /^error: (.*)$/;
const CODE = /^\s+code: '([0-9A-Z]{5})',?$/;
const MARKER = /^\s*\^\^\^\^/;

/** The migrations folder the command line gives, or node-pg-migrate's default. */
function migrationsDir(argv: readonly string[]): string {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if ((a === '-m' || a === '--migrations-dir') && argv[i + 1] !== undefined) return argv[i + 1]!;
    if (a.startsWith('--migrations-dir=')) return a.slice('--migrations-dir='.length);
  }
  return 'migrations';
}

export function nodePgMigrateErrorOf(
  stderr: readonly string[],
  stdout: readonly string[],
  argv: readonly string[],
): MigrationToolError | null {
  const at = stderr.indexOf('Error executing:');
  if (at < 0) return null;
  const caught = stderr.findIndex((l, i) => i > at && CAUGHT.test(l));
  if (caught < 0) return null;
  let code: string | null = null;
  for (const l of stderr.slice(caught + 1)) {
    const c = CODE.exec(l);
    if (c) code = c[1]!;
    if (c || l === '}') break;
  }
  // The line of the SQL the server pointed at: the one above the marker.
  const marker = stderr.findIndex((l, i) => i > at && i < caught && MARKER.test(l));
  const started = stdout.flatMap((l) => STARTED.exec(l)?.[1] ?? []).at(-1) ?? null;
  const text = CAUGHT.exec(stderr[caught]!)![1]!;
  const where =
    marker > at + 1 ? ` (line ${marker - at - 1} of the SQL it sent${started ? ` for ${started}` : ''})` : '';
  return {
    name: serverErrorName('ERROR', code),
    message: `${text}${where}`,
    migration: started === null ? null : posix.join(migrationsDir(argv), started),
  };
}
