// After a step, its locks against the scenario's lock budgets (config `locks:`): a budget it
// exceeded fails the scenario as the system under test's (after the environment's health was
// checked, as every failure of the system is). The rewrites and invalid indexes come from the
// step's watch; the time an exclusive lock was held from the statement log up to the step's end
// (a marker statement of the tool's, waited for in the log, proves every line before it is there)
// and from the sampler. Evidence a budget needs that could not be read is not a pass: the
// scenario is INCONCLUSIVE, saying what was missing.
import { randomUUID } from 'node:crypto';
import { hasLockBudgets, type LocksConfig } from '../../config/index.js';
import { containerLog, TOOL_ROLE } from '../../engine/index.js';
import { messageOf } from '../../errors.js';
import {
  blockedReads,
  breachMessage,
  lockBudgetBreaches,
  parseAuditLog,
  parseServerLog,
  redact,
  redactStatement,
  withHolders,
  type LockBudgetBreach,
  type LockEvidence,
} from '../../evidence/index.js';
import { queryRows } from '../../pg/index.js';
import { listCut } from '../../plural.js';
import { GateFailure } from '../gate-failure.js';
import { relationsIn } from '../locks-section.js';
import { need, type RunContext } from '../run-context.js';
import type { StepWindow } from '../trace-gate.js';
import { blame } from './blame.js';

const LOG_WAIT_MS = 5000;

/** Throw the scenario's failure when the step exceeded a budget, or when a budget could not be judged. */
export async function checkStepLockBudgets(ctx: RunContext, step: StepWindow, budgets: LocksConfig): Promise<void> {
  if (!hasLockBudgets(budgets)) return;
  const unjudged = (why: string) =>
    blame(ctx, new GateFailure('environment', `step "${step.name}": the lock budgets could not be judged: ${why}`));
  const leftovers = step.locks?.leftovers ?? null;
  const needsCatalog = budgets.forbid_rewrite !== undefined || budgets.forbid_invalid_indexes === true;
  if (needsCatalog && !leftovers)
    throw await unjudged(step.locks?.unread.join('; ') || 'the relation state was not read');
  if (budgets.max_blocked_read_ms !== undefined && (!step.locks?.probed || probeFailed(step)))
    throw await unjudged(step.locks?.unread.join('; ') || 'the read probe did not run');
  let relations: LockEvidence[] = [];
  if (budgets.max_exclusive_ms !== undefined || budgets.max_blocked_read_ms !== undefined) {
    try {
      relations = await stepRelations(ctx, step);
    } catch (err) {
      throw await unjudged(`the statement log was not read: ${redact(messageOf(err), ctx.secrets)}`);
    }
  }
  const breaches = lockBudgetBreaches(budgets, {
    relations,
    rewrites: leftovers?.rewrites ?? [],
    invalidIndexes: leftovers?.invalidIndexes ?? [],
    blockedReads: withHolders(blockedReads(step.locks?.probed ?? []), relations),
  });
  if (breaches.length > 0) throw await blame(ctx, budgetFailure(ctx, step.name, breaches));
}

const probeFailed = (step: StepWindow) => step.locks?.unread.some((u) => u.startsWith('the read probe')) ?? false;

function budgetFailure(ctx: RunContext, stepName: string, breaches: LockBudgetBreach[]): GateFailure {
  const cut = (t: string | null) => (t === null ? null : redactStatement(t, ctx.secrets).replace(/\s+/g, ' ').trim());
  const lines = breaches.map((b) => breachMessage(b, cut(b.statement)));
  const first = breaches[0]!;
  return new GateFailure('sut', `step "${stepName}" exceeded its lock budget: ${listCut(lines, 3)}`, {
    lock_budget: {
      budget: first.budget,
      limit: first.limit,
      step: stepName,
      relation: first.relation,
      mode: first.mode,
      held_ms: first.held_ms,
      bytes: first.bytes,
      statement: cut(first.statement),
      source: first.source,
      breaches: breaches.length,
    },
  });
}

/** What the system's statements of the step locked, and for how long, once the log holds all of them. */
async function stepRelations(ctx: RunContext, step: StepWindow): Promise<LockEvidence[]> {
  const dry = need(ctx.dryRun, "G3's dry-run server");
  const containerId = dry.started.env.containerId;
  const mark = `pg-rehearse log mark ${randomUUID()}`;
  await queryRows(dry.target(TOOL_ROLE), `select '${mark}' as mark`);
  const until = Date.now() + LOG_WAIT_MS;
  let log = await containerLog(ctx.docker, containerId, step.from);
  while (!log.includes(mark)) {
    if (Date.now() > until) throw new Error(`the tool's marker did not reach the log in ${LOG_WAIT_MS / 1000} s`);
    await new Promise((r) => setTimeout(r, 50));
    log = await containerLog(ctx.docker, containerId, step.from);
  }
  const known = Object.keys(ctx.countersPrev?.counters ?? {});
  return relationsIn(parseServerLog(log), step, {
    knownTables: known,
    sampled: step.locks?.sampled ?? [],
    toolRole: TOOL_ROLE,
    audit: ctx.plan.sessionAudit ? parseAuditLog(log) : null,
  });
}
