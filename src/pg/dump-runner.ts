// Where the backup's pg_dump runs: a pg_dump reads servers of its own major and older, never newer.
import { ToolError } from '../errors.js';

/** Where pg_dump should run: never older than the server it dumps. */
export type DumpRunner =
  | { where: 'host'; reason: string }
  | { where: 'container-exec'; reason: string }
  | { where: 'container-image'; major: number; reason: string };

/**
 * The host's pg_dump when its major is at least the server's (pg_dump reads older servers, never
 * newer ones); else production's own container when it is one (its pg_dump matches its server);
 * else a container of an image of the server's major on the host network. A missing host pg_dump
 * (null) counts as too old: a mismatch is a decision, never a crash.
 */
export function chooseDumpRunner(input: {
  hostClientMajor: number | null;
  serverMajor: number;
  productionIsContainer: boolean;
}): DumpRunner {
  const { hostClientMajor, serverMajor, productionIsContainer } = input;
  if (hostClientMajor !== null && hostClientMajor >= serverMajor) {
    return {
      where: 'host',
      reason: `the host's pg_dump ${hostClientMajor} can dump a PostgreSQL ${serverMajor} server`,
    };
  }
  const why =
    hostClientMajor === null
      ? 'no pg_dump on the host'
      : `the host's pg_dump ${hostClientMajor} is older than the server (${serverMajor})`;
  if (productionIsContainer)
    return { where: 'container-exec', reason: `${why}: run the pg_dump inside production's own container` };
  return {
    where: 'container-image',
    major: serverMajor,
    reason: `${why}: run pg_dump ${serverMajor} from an image on the host network`,
  };
}

/** The major version from server_version_num: 150020 -> 15, 90624 -> 9 (9.6: before 10 the major had two parts). */
export function parseServerMajor(serverVersionNum: number | string): number {
  const n = Number(serverVersionNum);
  if (!Number.isInteger(n) || n < 80000 || n >= 10_000_000) {
    throw new ToolError(
      `Expected \`server_version_num\` to be an integer like 150020, got \`${String(serverVersionNum)}\``,
    );
  }
  return Math.floor(n / 10_000);
}
