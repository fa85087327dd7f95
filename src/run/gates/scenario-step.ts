// One step of a scenario: run it (on the host or in a runner container), record what it did,
// check its expectations, then its SQL assertions on the dry-run server.
import type { ScenarioRecord } from '../../config/index.js';
import { TOOL_ROLE } from '../../engine/index.js';
import { InterruptedError, messageOf } from '../../errors.js';
import { redact } from '../../evidence/index.js';
import { PgQueryError, queryRows } from '../../pg/index.js';
import type { LoadedScenario } from '../../config/index.js';
import { checkRows, checkStep, exceptionOf, type StepRun } from '../../scenario/index.js';
import { classOfAssertionError, GateFailure } from '../gate-failure.js';
import { need, type RunContext } from '../run-context.js';
import type { StepWindow } from '../trace-gate.js';
import { blame } from './blame.js';
import { stepFailureMessage } from './step-failure.js';
import { watchStepLocks } from './step-locks.js';
import { STDERR_TAIL_LINES, tail } from './text-tail.js';

type Step = LoadedScenario['scenario']['steps'][number];
type StepRecord = ScenarioRecord['steps'][number];

/** Run one step and check it; a failed check throws the step's failure (after environment before blame). */
export async function runScenarioStep(
  ctx: RunContext,
  id: string,
  step: Step,
  r: ScenarioRecord,
  window: StepWindow,
  /** The tables the read probe reads while the step runs; null: no probe. */
  probe: readonly string[] | null = null,
): Promise<void> {
  const runner = need(ctx.stepRunner, "G3's step runner");
  const dry = need(ctx.dryRun, "G3's dry-run server");
  ctx.progress.event({ type: 'step_start', scenario: id, step: step.name, argv: step.run });
  const watch = await watchStepLocks(dry, ctx.signal, probe);
  const ran = await runner
    .run(step, { dsnEnvVar: ctx.config.sut.dsn_env, target: dry.target, signal: ctx.signal })
    .finally(async () => {
      window.to = Date.now();
      window.locks = await watch.stop();
    });
  ctx.progress.event({
    type: 'step_end',
    scenario: id,
    step: step.name,
    exit_code: ran.exitCode,
    timed_out: ran.timedOut,
    ms: ran.ms,
  });
  ctx.scanPlaces.push(
    { place: `${id} ${step.name} stdout`, text: ran.stdout },
    { place: `${id} ${step.name} stderr`, text: ran.stderr },
  );
  // An interrupted step says nothing about the system under test.
  ctx.signal.throwIfAborted();
  if (ran.canceled) throw new InterruptedError('cancel');
  const record: StepRecord = {
    name: step.name,
    argv: ran.argv,
    cwd: step.cwd,
    role: step.role,
    exit_code: ran.exitCode,
    timed_out: ran.timedOut,
    timeout_ms: step.timeout_ms,
    ms: ran.ms,
    checks: checkStep(step.expect, ran, { redact: (t) => redact(t, ctx.secrets) }),
    stdout_tail: tail(redact(ran.stdout, ctx.secrets), 10),
    stderr_tail: tail(redact(ran.stderr, ctx.secrets), STDERR_TAIL_LINES),
  };
  r.steps.push(record);
  const failed = record.checks.find((c) => !c.ok);
  if (failed) {
    const exception = exceptionOf(ran.stderr, runner.sutRoot, { cwd: step.cwd, stdout: ran.stdout, argv: ran.argv });
    const readOnly = runner.failureNote(ran);
    throw await blame(
      ctx,
      new GateFailure(
        'sut',
        stepFailureMessage(record, failed, exception, readOnly ? redact(readOnly, ctx.secrets) : null),
        {
          command: ran.argv,
          exit_code: ran.exitCode,
          stderr_tail: record.stderr_tail,
          exception: exception
            ? { name: exception.name, message: redact(exception.message, ctx.secrets), location: exception.location }
            : null,
        },
      ),
    );
  }
  for (const assertion of step.expect.sql) await checkAssertion(ctx, step, assertion, ran, record);
}

type Ran = StepRun;

/** An SQL assertion of the step, read by the tool's role: one that does not run is the pack's or the environment's. */
async function checkAssertion(
  ctx: RunContext,
  step: Step,
  assertion: Step['expect']['sql'][number],
  ran: Ran,
  record: StepRecord,
): Promise<void> {
  let rows: Record<string, unknown>[];
  try {
    rows = await queryRows(need(ctx.dryRun, "G3's dry-run server").target(TOOL_ROLE), assertion.query);
  } catch (err) {
    const sqlState = err instanceof PgQueryError ? err.sqlState : null;
    throw await blame(
      ctx,
      new GateFailure(
        classOfAssertionError(sqlState),
        `step "${step.name}": the SQL assertion \`${assertion.query}\` did not run${sqlState ? ` (SQLSTATE ${sqlState})` : ''}: ${redact(messageOf(err), ctx.secrets)}`,
        { command: ran.argv, exit_code: ran.exitCode },
      ),
    );
  }
  const check = checkRows(assertion.rows, rows);
  record.checks.push({ ...check, what: `sql: ${assertion.query}` });
  if (!check.ok)
    throw await blame(
      ctx,
      new GateFailure('sut', `step "${step.name}": the SQL assertion \`${assertion.query}\` did not match`, {
        command: ran.argv,
        exit_code: ran.exitCode,
        sql_rows: rows.slice(0, 5),
        sql_rows_total: rows.length,
        stderr_tail: record.stderr_tail,
      }),
    );
}
