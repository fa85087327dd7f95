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
