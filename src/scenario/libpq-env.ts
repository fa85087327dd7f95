// libpq's own variables for a step, so psql, pgbench, sqitch and any libpq client connect with no
// wrapper: PGHOST, PGPORT, PGUSER, PGDATABASE from the role's DSN, and PGPASSFILE naming a 0600
// file that holds the password (never an environment variable a child could print with `env`, and
// never argv). The file lives for the step only: it is shredded when the step ends.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shredFile, writeSecretFile } from '../secret-files.js';

export interface LibpqConnection {
  host: string;
  port: string;
  user: string;
  database: string;
  password: string;
}

/** The parts of a postgres:// DSN as libpq takes them; null when it is not one. */
export function libpqConnection(dsn: string): LibpqConnection | null {
  let url: URL;
  try {
    url = new URL(dsn);
  } catch {
    return null;
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') return null;
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port || '5432',
    user: decodeURIComponent(url.username),
    database: decodeURIComponent(url.pathname.replace(/^\//, '')),
    password: decodeURIComponent(url.password),
  };
}

/** PGHOST, PGPORT, PGUSER, PGDATABASE, and PGPASSFILE naming `passFile`. */
export function libpqVariables(c: LibpqConnection, passFile: string): Record<string, string> {
  return { PGHOST: c.host, PGPORT: c.port, PGUSER: c.user, PGDATABASE: c.database, PGPASSFILE: passFile };
}

/** The line of a password file for this server and user, any database (`:` and `\` escaped as libpq reads them). */
function passFileLine(c: LibpqConnection): string {
  const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/:/g, '\\:');
  return `${esc(c.host)}:${esc(c.port)}:*:${esc(c.user)}:${esc(c.password)}\n`;
}

/** Where a step's password file goes: the run's 0700 folder (each file recorded as a secret of the run first), else a fresh 0700 folder. */
export interface PassFileHome {
  dir: string;
  /** Records the file in the run's journal before it is written, so teardown shreds it if the tool dies mid-step. */
  record: (path: string) => Promise<void>;
}

interface PassFile {
  path: string;
  /** Shreds the file (and removes the folder made for it); idempotent. */
  remove: () => Promise<void>;
}

/** Write a 0600 password file holding `c`'s password. */
export async function writePassFile(c: LibpqConnection, home: PassFileHome | undefined): Promise<PassFile> {
  const dir = home?.dir ?? (await mkdtemp(join(tmpdir(), 'pg-rehearse-step-')));
  const path = join(dir, `step-${randomUUID()}.pgpass`);
  let removed = false;
  const remove = async () => {
    if (removed) return;
    removed = true;
    await shredFile(path);
    if (!home) await rm(dir, { recursive: true, force: true });
  };
  try {
    await home?.record(path);
    await writeSecretFile(path, passFileLine(c));
  } catch (err) {
    await remove().catch(() => {});
    throw err;
  }
  return { path, remove };
}
