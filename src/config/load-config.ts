// Loading a rehearsal config: validate it, resolve its paths against the config's folder, and
// resolve production's DSN by reference (an environment variable, or a file of mode 0600).
import { stat, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { GrantMatrixFile } from './grant-matrix-file.js';
import { literalSecretIssues, PinsFile, RehearsalConfig } from './rehearsal-config.js';
import { decodeUtf8 } from './text-file.js';
import { lineOfPath, loadYaml } from './yaml-file.js';

export const PINS_FILE_NAME = 'pins.yaml';

export interface ConfigPaths {
  config: string;
  dir: string;
  /** Null for a physical copy without a roles SQL. */
  roles: string | null;
  grants: string;
  grantMatrix: string;
  scenarios: string;
  watchedTables: string;
  sut: string;
  pins: string;
  dsnFile: string | null;
}

export interface LoadedConfig {
  config: RehearsalConfig;
  paths: ConfigPaths;
}

export async function loadConfig(file: string): Promise<LoadedConfig> {
  const configPath = resolve(file);
  const config = await loadYaml(configPath, RehearsalConfig, 'config', literalSecretIssues);
  const dir = dirname(configPath);
  const at = (p: string) => resolve(dir, p);
  return {
    config,
    paths: {
      config: configPath,
      dir,
      roles: config.artefacts.roles === undefined ? null : at(config.artefacts.roles),
      grants: at(config.artefacts.grants),
      grantMatrix: at(config.artefacts.grant_matrix),
      scenarios: at(config.artefacts.scenarios),
      watchedTables: at(config.artefacts.watched_tables),
      sut: at(config.sut.path),
      pins: join(dir, PINS_FILE_NAME),
      dsnFile: config.production.dsn_file ? at(config.production.dsn_file) : null,
    },
  };
}

/** A secret file must have mode 0600 (the mode is checked, not the owner: CI runs as root). */
export async function readSecretFile(path: string, what: string, origin?: string): Promise<string> {
  const at = origin ? `${origin}: ` : '';
  let mode: number;
  try {
    mode = (await stat(path)).mode & 0o777;
  } catch (err) {
    throw new UsageError(`${at}cannot read the ${what} \`${path}\``, {
      cause: err,
      hint: 'check production.dsn_file in the config',
    });
  }
  if (mode !== 0o600) {
    throw new UsageError(
      `${at}the ${what} \`${path}\` has mode ${mode.toString(8).padStart(4, '0')}, expected 0600: a secret readable by others is refused`,
      {
        hint: `chmod 600 '${path}'`,
      },
    );
  }
  return decodeUtf8(await readFile(path), path, what).trim();
}

/** Production's DSN, from the variable or the 0600 file the config names. */
export async function resolveProductionDsn(
  loaded: LoadedConfig,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  const p = loaded.config.production;
  if (p.dsn_env) {
    const v = env[p.dsn_env];
    if (!v)
      throw new UsageError(`production.dsn_env names \`${p.dsn_env}\`, which is not set`, {
        hint: `export ${p.dsn_env}=postgres://USER:PASSWORD@HOST:PORT/DB`,
      });
    return v;
  }
  const line = lineOfPath(await readFile(loaded.paths.config, 'utf8'), ['production', 'dsn_file']);
  return readSecretFile(
    loaded.paths.dsnFile!,
    'production DSN file',
    `${loaded.paths.config}${line ? `:${line}` : ''}: production.dsn_file`,
  );
}

export async function loadGrantMatrix(path: string): Promise<GrantMatrixFile> {
  return loadYaml(path, GrantMatrixFile, 'grant matrix');
}

/** The pins file, or null when there is none yet. */
export async function loadPins(path: string): Promise<PinsFile | null> {
  try {
    await stat(path);
  } catch {
    return null;
  }
  return loadYaml(path, PinsFile, 'pins file');
}

export interface DsnParts {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

/** Split a postgres:// DSN; a DSN that cannot be read is a usage error that never echoes it (it holds a password). */
export function parseDsn(dsn: string, what: string): DsnParts {
  let url: URL;
  try {
    url = new URL(dsn);
  } catch {
    throw new UsageError(`${what} is not a postgres:// URL`, {
      hint: 'write it as postgres://USER:PASSWORD@HOST:PORT/DATABASE (percent-encode reserved characters)',
    });
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:')
    throw new UsageError(`${what} must start with postgres:// (got ${url.protocol}//)`);
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!url.hostname || !url.username || !database)
    throw new UsageError(`${what} must name a host, a user and a database`);
  return {
    host: url.hostname,
    port: url.port ? Number(url.port) : 5432,
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    database,
  };
}
