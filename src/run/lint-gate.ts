// G6's lint: squawk over the DDL of the trace and the SQL files of the change, written into the
// record's `lint` section before G6 decides, so the report has it whatever G6's verdict.
import { TOOL_ROLE } from '../engine/index.js';
import {
  changedSqlFiles,
  parseAuditLog,
  parseServerLog,
  runSquawk,
  squawkBinary,
  squawkVersion,
  traceLintInputs,
} from '../evidence/index.js';
import type { Lint } from '../config/index.js';
import { lintSection, pgVersionFor, type SquawkRunner } from './lint-section.js';
import type { RunContext } from './run-context.js';

/** The squawk-cli installed with pg-rehearse; its binary is looked up once per call, so a missing one is squawk's error. */
const installedSquawk: SquawkRunner = {
  version: () => squawkVersion(squawkBinary()),
  lint: (texts, opts) => runSquawk(texts, opts),
};

/** The run's lint section, or null with `lint: off`. */
export async function lintOfRun(ctx: RunContext, serverLog: string, squawk = installedSquawk): Promise<Lint | null> {
  const config = ctx.config.lint;
  if (config.mode === 'off') return null;
  const records = ctx.plan.sessionAudit ? parseAuditLog(serverLog) : [];
  const base = ctx.config.sut.base_commit;
  return lintSection(
    {
      config: { ...config, mode: config.mode },
      pgVersion: pgVersionFor(ctx.rec.sections.env?.server_version),
      trace: await traceLintInputs(parseServerLog(serverLog), records, TOOL_ROLE),
      windows: ctx.windows,
      files: base ? await changedSqlFiles(ctx.paths.sut, base, ctx.config.sut.accepted_commit) : null,
      secrets: ctx.secrets,
    },
    squawk,
  );
}
