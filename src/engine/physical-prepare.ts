// The first start of a physical copy, as the container's own command: production's base backup is
// in PGDATA (sent through the engine before the container started), and nothing of production's
// that could reach out may run. The script, run as root by bash, makes PGDATA the server user's,
// removes any recovery or standby signal, sets production's configuration files aside (an empty
// postgresql.conf and the tool's pg_hba.conf replace them), then runs one `postgres --single` step
// (the backup's recovery, the tool's role and the per-run passwords, subscriptions disabled),
// and only then starts the real server through the image's entrypoint, with every setting on its
// command line (which overrides any configuration file).

/** Where the prepare script and its SQL (a 0600 file holding the per-run passwords) are bound read-only. */
export const PREPARE_SCRIPT_MOUNT = '/run/pg-rehearse/prepare.sh';
export const PREPARE_SQL_MOUNT = '/run/pg-rehearse/prepare.sql';
/** PGDATA of the local image and of the official one; the copy is sent as `data/` under its parent. */
export const COPY_DATA_DIR = '/var/lib/postgresql/data';
export const COPY_PARENT_DIR = '/var/lib/postgresql';
/** Production's configuration files in PGDATA, set aside as `production.<name>` and never read by the copy's server. */
export const SET_ASIDE_FILES = ['postgresql.conf', 'postgresql.auto.conf', 'pg_hba.conf', 'pg_ident.conf'] as const;
/** The pg_hba.conf of a physical copy: the tool's, never production's. */
export const COPY_HBA = 'local all all trust\nhost all all all scram-sha-256\n';
/** Printed by the single-user step on success; its absence in the log is a failed prepare. */
export const PREPARE_DONE = 'pg-rehearse: the copy is prepared';

export interface PrepareScriptSpec {
  /** `-c` settings of the single-user step (nothing logged there: the SQL holds passwords). */
  singleUser: Readonly<Record<string, string>>;
  /** `-c` settings of the real server. */
  server: Readonly<Record<string, string>>;
  /** The database the single-user step connects to (template1 exists in every cluster). */
  database?: string;
  /** A streamed copy: pg_verifybackup of the image checks PGDATA against its manifest before anything else. */
  verify?: boolean;
}

/** Each line of the in-container pg_verifybackup's output, and its `--version`, are logged with these. */
export const VERIFY_LINE = 'pg-rehearse: pg_verifybackup: ';
export const VERIFY_VERSION_LINE = 'pg-rehearse: pg_verifybackup --version: ';
/** Logged when it found the copy damaged (then the script exits 1, and no server starts). */
export const VERIFY_FAILED =
  'pg-rehearse: pg_verifybackup found the streamed base backup damaged; no server was started';

/**
 * The verify step of a streamed copy: before production's files are touched (a set-aside file
 * would be missing to it), as the server user, its whole output logged line by line.
 */
const VERIFY_STEP = [
  `echo ${shellQuote(VERIFY_VERSION_LINE)}"$(pg_verifybackup --version)" >&2`,
  'verified=0',
  'runuser -u postgres -- pg_verifybackup "$D" >/tmp/pg-rehearse-verify.out 2>&1 && verified=1',
  `sed "s/^/${VERIFY_LINE}/" /tmp/pg-rehearse-verify.out >&2`,
  'rm -f /tmp/pg-rehearse-verify.out',
  `[ "$verified" = 1 ] || { echo ${shellQuote(VERIFY_FAILED)} >&2; exit 1; }`,
];

/** A word quoted for bash: `'...'` with each `'` written as `'\''`. */
export function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

function settingArgs(settings: Readonly<Record<string, string>>): string {
  return Object.entries(settings)
    .map(([k, v]) => `-c ${shellQuote(`${k}=${v}`)}`)
    .join(' ');
}

/** The container's command for a physical copy's start (pure, so it is unit-tested and printed by tests). */
export function physicalPrepareScript(spec: PrepareScriptSpec): string {
  const d = COPY_DATA_DIR;
  return [
    'set -Eeuo pipefail',
    `D=${d}`,
    `[ -s "$D/PG_VERSION" ] || { echo 'pg-rehearse: no base backup in '"$D" >&2; exit 1; }`,
    'chown -R postgres:postgres "$D"',
    'chmod 700 "$D"',
    ...(spec.verify ? VERIFY_STEP : []),
    // A standby or recovery signal would make the copy replay or follow production's WAL archive.
    'rm -f "$D/standby.signal" "$D/recovery.signal" "$D/postmaster.pid" "$D/postmaster.opts"',
    // Production's configuration is kept beside, for a person to read, never read by the server.
    `for f in ${SET_ASIDE_FILES.join(' ')}; do`,
    '  if [ -e "$D/$f" ]; then mv "$D/$f" "$D/production.$f"; fi',
    'done',
    'install -o postgres -g postgres -m 600 /dev/null "$D/postgresql.conf"',
    'install -o postgres -g postgres -m 600 /dev/null "$D/pg_ident.conf"',
    `printf '%s' ${shellQuote(COPY_HBA)} | install -o postgres -g postgres -m 600 /dev/stdin "$D/pg_hba.conf"`,
    `runuser -u postgres -- postgres --single -j -D "$D" ${settingArgs(spec.singleUser)} ${shellQuote(spec.database ?? 'template1')} <${PREPARE_SQL_MOUNT} >/tmp/pg-rehearse-single.out 2>&1 || { cat /tmp/pg-rehearse-single.out >&2; exit 1; }`,
    // postgres --single goes on after a failed statement: any ERROR or FATAL line is a failed prepare.
    `if grep -E '^(ERROR|FATAL|PANIC):|\\b(ERROR|FATAL|PANIC): ' /tmp/pg-rehearse-single.out >&2; then echo 'pg-rehearse: the copy could not be prepared' >&2; exit 1; fi`,
    'rm -f /tmp/pg-rehearse-single.out',
    `echo ${shellQuote(PREPARE_DONE)} >&2`,
    `exec docker-entrypoint.sh postgres ${settingArgs(spec.server)}`,
    '',
  ].join('\n');
}

export interface InContainerVerify {
  version: string | null;
  ok: boolean;
  output: string;
}

/** What the prepare script's verify step logged, or null when it logged nothing (it did not run). */
export function verifyOfLog(log: string): InContainerVerify | null {
  const lines = log.split('\n');
  const output = lines.filter((l) => l.startsWith(VERIFY_LINE)).map((l) => l.slice(VERIFY_LINE.length));
  const versionLine = lines.find((l) => l.startsWith(VERIFY_VERSION_LINE))?.slice(VERIFY_VERSION_LINE.length);
  // `pg_verifybackup (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)` -> 15.18, as the host's verify records it.
  const version = versionLine === undefined ? null : (/\(PostgreSQL\) (\S+)/.exec(versionLine)?.[1] ?? versionLine);
  if (version === null && output.length === 0) return null;
  const failed = lines.some((l) => l.startsWith(VERIFY_FAILED));
  return {
    version,
    ok: !failed && output.some((l) => /backup successfully verified/.test(l)),
    output: output.join('\n'),
  };
}
