// G6 trace: the statements of the system under test, from the dry-run server's log (copied
// before teardown), against each scenario's SQL policy; the writes the counters saw, explained.
// The leak scan, which runs last over everything, is part of this gate too (see leak.ts).
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { scenarioPolicy } from '../../config/index.js';
import { containerLog, TOOL_ROLE } from '../../engine/index.js';
import { diskErrorOf } from '../../errors.js';
import { parseAuditLog, parseServerLog, redact, redactStatement } from '../../evidence/index.js';
import type { Locks } from '../../config/index.js';
import { locksSection } from '../locks-section.js';
import { lintOfRun } from '../lint-gate.js';
import { lintFailure } from '../lint-section.js';
import type { RunContext } from '../run-context.js';
import { analyseTrace, traceFailure, unreadWritesFailure } from '../trace-gate.js';

export async function traceGate(ctx: RunContext): Promise<Record<string, unknown>> {
  const server = ctx.dryRun?.started;
  if (!server) return { skipped: 'no dry-run server was started' };
  const serverLog = await containerLog(ctx.docker, server.env.containerId);
  // The raw log holds the tool's own ALTER ROLE ... PASSWORD '<verifier>': literals are looked for in its redacted copy.
  ctx.scanPlaces.push({ place: 'dry-run server log', text: serverLog, literals: false });
  const analysis = await analyseTrace(serverLog, ctx.windows, {
    toolRole: TOOL_ROLE,
    policy: scenarioPolicy(ctx.config, {}),
    sessionAudit: ctx.plan.sessionAudit,
    redact: (t) => redact(t, ctx.secrets),
  });
  ctx.rec.sections.sql_trace = analysis.section;
  // What DO blocks, functions and triggers ran (EXECUTE included) locks too: pgaudit names it.
  const audited = ctx.plan.sessionAudit ? parseAuditLog(serverLog) : null;
  ctx.rec.sections.locks = redactLocks(
    await locksSection(parseServerLog(serverLog), ctx.windows, TOOL_ROLE, audited),
    ctx.secrets,
  );
  const copied = await writeRedacted(join(ctx.outDir, 'dry-run-server.log'), serverLog, ctx.secrets);
  ctx.scanPlaces.push({ place: 'dry-run-server.log (the redacted copy written to --out)', text: copied });
  ctx.rec.sections.lint = await lintOfRun(ctx, serverLog);
  // squawk's findings come after the SQL policy's: a forbidden statement is the system's failure first.
  const failure = traceFailure(analysis) ?? unreadWritesFailure(ctx.windows) ?? lintFailure(ctx.rec.sections.lint);
  // The failure shows the first forbidden statements; the report says how many there were.
  if (failure?.details.sql_rows) failure.details.sql_rows_total = analysis.section.forbidden.length;
  if (failure) throw failure;
  return {
    statements: analysis.section.statements,
    verbs: analysis.section.verbs,
    unexplained_writes: analysis.section.writes.unexplained.length,
    lint_findings: ctx.rec.sections.lint?.findings.length ?? null,
  };
}

async function writeRedacted(path: string, text: string, secrets: readonly string[]): Promise<string> {
  const redacted = redact(text, [...secrets]);
  await writeFile(path, redacted, { mode: 0o600 }).catch((err: unknown) => {
    throw diskErrorOf(err, 'cannot write into --out') ?? err;
  });
  return redacted;
}

/** The statements a locks entry names, redacted and cut to 300 characters. */
function redactLocks(locks: Locks, secrets: readonly string[]): Locks {
  const cut = (t: string) => redactStatement(t, secrets);
  return {
    ...locks,
    scenarios: locks.scenarios.map((s) => ({
      ...s,
      relations: s.relations.map((r) => ({ ...r, statement: cut(r.statement) })),
      waits: s.waits.map((w) => ({ ...w, statement: cut(w.statement) })),
      blocked_reads:
        s.blocked_reads?.map((b) => ({ ...b, statement: b.statement === null ? null : cut(b.statement) })) ?? null,
    })),
  };
}
