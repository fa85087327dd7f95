// The report of a run, derived from its record and context once the verdict is decided: the
// verdict's own failure leads, provenance and the runner section come from what the gates saw.
import { Report as ReportSchema, type Report } from '../config/index.js';
import {
  defaultRunnerImage,
  DRY_RUN_DB_ALIAS,
  DRY_RUN_DB_PORT,
  runnerNames,
  SUT_MOUNT,
  TOOL_ROLE,
} from '../engine/index.js';
import { compareReports } from '../report/index.js';
import type { toolProvenance } from './provenance.js';
import type { RunContext } from './run-context.js';
import { outcomeOrder } from './run-plan.js';
import { toReport } from './run-record.js';
import { decideVerdict, type Decision } from './verdict.js';

export interface Closing {
  ended: Date;
  tool: Awaited<ReturnType<typeof toolProvenance>>;
  interruptedIn: string | null;
  prior: { report: Report; path: string; sha256: string } | null;
}

/** Decide the verdict from the record alone, lead with its failure, and build the validated report. */
export function buildReport(ctx: RunContext, closing: Closing): { report: Report; decision: Decision } {
  const { rec, config, paths } = ctx;
  const order = outcomeOrder(
    ctx.plan,
    rec.scenarios.map((s) => s.id),
  );
  const decision = decideVerdict({
    outcomes: rec.outcomes(order),
    productionUnchanged: rec.sections.production?.unchanged ?? null,
    teardownComplete: rec.sections.teardown?.complete ?? null,
    interruptedIn: closing.interruptedIn,
  });
  rec.leadWith(decision.decidedBy);
  if (decision.verdict !== 'PASS' && !rec.failure) {
    rec.fail({
      gate: decision.decidedBy ?? 'G8',
      scenario: null,
      classification: decision.classification ?? 'tool',
      message: 'production could not be proved unchanged',
      command: null,
      exit_code: null,
      stderr_tail: null,
      sql_rows: null,
      exception: null,
      stack: null,
    });
  }
  const { ended, tool } = closing;
  const env = rec.sections.env;
  if (env && ctx.plan.copy === 'physical') env.marker_sessions = markerSessions(ctx);
  const report = ReportSchema.parse(
    toReport(rec, {
      verdict: decision.verdict,
      exitCode: decision.exitCode,
      endedAt: ended,
      acceptedCommit: config.sut.accepted_commit,
      config: { path: paths.config, sha256: rec.artefacts.find((a) => a.kind === 'config')?.sha256 ?? '' },
      provenance: {
        tool_version: tool.version,
        build_sha: tool.buildSha,
        image_id: ctx.imageId,
        pg_dump_version: ctx.pgDump?.version ?? null,
        pg_dump_where: ctx.pgDump?.where ?? null,
        squawk_version: rec.sections.lint?.version ?? null,
        dry_run_server_version: rec.sections.env?.server_version ?? null,
        production_server_version: rec.sections.production?.server_version ?? null,
        started_at: rec.startedAt.toISOString(),
        ended_at: ended.toISOString(),
      },
      sutRunner: sutRunnerSection(ctx),
      progress: null,
    }),
  );
  const { prior } = closing;
  if (!prior) return { report, decision };
  const progress = compareReports(prior.report, report, prior.path, prior.sha256);
  return { report: ReportSchema.parse({ ...report, progress }), decision };
}

/** The fresh sessions of a physical copy's run that proved the marker: this run's on the dry-run server, none on production. */
function markerSessions(ctx: RunContext): { dry_run: number; production: number } {
  return {
    dry_run: ctx.dryRun?.target(TOOL_ROLE).marker?.proved.sessions ?? 0,
    production: ctx.production.marker?.proved.sessions ?? 0,
  };
}

/** How the system under test ran: on the host, or in containers on the run's internal network. */
function sutRunnerSection(ctx: RunContext): Report['sut_runner'] {
  const { paths, config, plan, install } = ctx;
  if (!plan.container)
    return {
      mode: 'host',
      path: paths.sut,
      dsn_env: config.sut.dsn_env,
      install:
        "none: pg-rehearse installs nothing; each step runs from the checkout at the accepted commit with an environment holding only PATH, HOME, LANG, its role's DSN and the step's own variables",
      installed_on_host: false,
      image: null,
      image_id: null,
      install_command: null,
      install_exit_code: null,
      network: null,
      mounts: [],
    };
  const names = runnerNames(ctx.names.container);
  return {
    mode: 'container',
    path: paths.sut,
    dsn_env: config.sut.dsn_env,
    install: install
      ? `\`${install.argv.join(' ')}\` ran in an ephemeral install-phase container (no database credentials) into the labelled volume ${names.installVolume}, removed with the run; nothing was installed on the host`
      : 'none: no install step configured; nothing was installed on the host',
    installed_on_host: false,
    image: plan.container.image ?? defaultRunnerImage(),
    image_id: ctx.runnerImageId,
    install_command: install?.argv ?? null,
    install_exit_code: install?.exitCode ?? null,
    network: `${names.internalNetwork} (internal, no default route, no host address; the dry-run server as ${DRY_RUN_DB_ALIAS}:${DRY_RUN_DB_PORT})`,
    mounts: [
      `${paths.sut} at the accepted commit -> ${SUT_MOUNT} (read-only)`,
      `${names.installVolume} -> ${SUT_MOUNT}/${plan.container.installOutput} (read-only in steps)`,
      `tmpfs -> /tmp (HOME)`,
    ],
  };
}
