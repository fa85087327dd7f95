// Identity of pg-rehearse's Docker resources, in one place.

/** Every resource a run creates carries this label, valued with the run id. */
export const LABEL_RUN_ID = 'io.pg-rehearse.run-id';
/** A cached restore snapshot carries this label instead, valued with its key. */
export const LABEL_CACHE = 'io.pg-rehearse.cache';
/** What the resource is for within its run (dry-run, reaper, ...). */
export const LABEL_PURPOSE = 'io.pg-rehearse.purpose';

/** The repository part of the local PostgreSQL image's tag; the tag is `15-<recipe hash>`. */
export const LOCAL_IMAGE_REPOSITORY = 'pg-rehearse/postgres';
/** The major version the local image carries (Debian 12 packages PostgreSQL 15 only). */
export const LOCAL_IMAGE_MAJOR = 15;

/** Where the image's entrypoint reads the superuser's password from (a read-only bind of a 0600 file). */
export const PASSWORD_MOUNT_PATH = '/run/secrets/pg-rehearse-password';
export const INITDB_DIR = '/docker-entrypoint-initdb.d';

/** The tool's own superuser on every dry-run server; the system under test never has its password. */
export const TOOL_ROLE = 'rehearse_tool';

/** The repository part of the runner image's tag; the tag is `node18-<recipe hash>`. */
export const RUNNER_IMAGE_REPOSITORY = 'pg-rehearse/runner';
/** The dry-run server's name on the internal network: steps reach it as DRY_RUN_DB_ALIAS:DRY_RUN_DB_PORT. */
export const DRY_RUN_DB_ALIAS = 'dry-run-db';
export const DRY_RUN_DB_PORT = 5432;
/** Where the checkout's entries are bound (read-only) in every runner container. */
export const SUT_MOUNT = '/sut';
/** HOME of every runner container: a tmpfs, the only writable place besides the install's output. */
export const RUNNER_HOME = '/tmp';
/** A step's secret variables (its role's DSN, its own env): a read-only bind of a 0600 file, sourced before the command. */
export const SECRET_ENV_MOUNT = '/run/pg-rehearse/env';
/** Where a step container finds its password file (PGPASSFILE): a read-only bind of the 0600 file. */
export const PASS_FILE_MOUNT = '/run/pg-rehearse/pgpass';
/** Where the install container finds the host's CA bundle (NODE_EXTRA_CA_CERTS points there). */
export const INSTALL_CA_MOUNT = '/etc/pg-rehearse/registry-ca.pem';

export type RunnerPurpose =
  'sut-internal' | 'sut-netns-holder' | 'dry-run-netns' | 'sut-install-output' | 'sut-install' | 'sut-step';

/** The labels of a runner resource: the run's id and what it is for. */
export function runnerLabels(runId: string, purpose: RunnerPurpose): Record<string, string> {
  return { [LABEL_RUN_ID]: runId, [LABEL_PURPOSE]: purpose };
}
