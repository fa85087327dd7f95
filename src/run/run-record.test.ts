// The verdict from the records alone: each gate's failure carries its classification, the first
// non-PASS result in run order decides, and the report leads with the failure the verdict picked.
import { describe, expect, it } from 'vitest';
import { RehearsalConfig, type Failure } from '../config/index.js';
import { scanForLeaks } from './gates/leak.js';
import type { RunContext } from './run-context.js';
import { outcomeOrder, planRun } from './run-plan.js';
import { RunRecord } from './run-record.js';
import { decideVerdict } from './verdict.js';

const plan = planRun(
  RehearsalConfig.parse({
    name: 'record',
    production: { dsn_env: 'PROD_DSN' },
    environment: { name: 'pgr-record' },
    artefacts: { roles: 'r.sql', grants: 'g.sql', grant_matrix: 'm.yaml', scenarios: 's', watched_tables: 'w.txt' },
    sut: { path: 'sut', accepted_commit: 'a'.repeat(40) },
  }),
);

const failure = (gate: string, classification: Failure['classification'], message: string): Failure => ({
  gate,
  scenario: null,
  classification,
  message,
  command: null,
  exit_code: null,
  stderr_tail: null,
  sql_rows: null,
  exception: null,
  stack: null,
});

function passedUpTo(rec: RunRecord, ids: string[]): void {
  for (const id of ids) rec.gate(id).status = 'PASS';
}

const verdictOf = (rec: RunRecord, teardownComplete: boolean) =>
  decideVerdict({
    outcomes: rec.outcomes(outcomeOrder(plan, [])),
    productionUnchanged: true,
    teardownComplete,
    interruptedIn: null,
  });

describe('the verdict from the run record', () => {
  it('teardown incomplete (G7, environment), then a secret the system under test printed: FAIL at G6, sut, exit 4, the alert first', () => {
    const rec = new RunRecord('r1', 'record', new Date(0), plan.gates);
    passedUpTo(rec, ['G0', 'G1', 'G2', 'G3', 'G4', 'G5', 'G6', 'G8']);
    // G7 as the teardown gate records it.
    rec.gate('G7').status = 'INCONCLUSIVE';
    rec.alerts.push('TEARDOWN INCOMPLETE: container x could not be proved gone; run `rehearse teardown --run-id r1`');
    rec.fail(failure('G7', 'environment', 'teardown could not prove everything gone'));
    // The leak scan runs last, over what the system under test printed.
    const ctx = {
      rec,
      secrets: ['s3cret-pa55word'],
      scanPlaces: [{ place: 'S1 migrate stdout', text: 'pw=s3cret-pa55word' }],
    };
    scanForLeaks(ctx as unknown as RunContext, []);
    const decision = verdictOf(rec, false);
    expect(decision).toEqual({ verdict: 'FAIL', decidedBy: 'G6', classification: 'sut', exitCode: 4 });
    rec.leadWith(decision.decidedBy);
    expect(rec.failure).toMatchObject({ gate: 'G6', classification: 'sut' });
    expect(rec.failure!.message).toMatch(/S1 migrate stdout/);
    expect(rec.alerts[0]).toMatch(/^TEARDOWN INCOMPLETE/);
  });

  it('reads each classification from the failure its gate recorded; a non-PASS gate without one is our bug', () => {
    const rec = new RunRecord('r2', 'record', new Date(0), plan.gates);
    passedUpTo(rec, ['G0', 'G1']);
    rec.gate('G2').status = 'INCONCLUSIVE';
    expect(rec.outcomes(['G0', 'G2', 'G3'])).toEqual([
      { id: 'G0', status: 'PASS', classification: null },
      { id: 'G2', status: 'INCONCLUSIVE', classification: 'tool' },
      { id: 'G3', status: 'NOT_RUN', classification: null },
    ]);
    rec.fail(failure('G2', 'environment', 'pg_dump failed'));
    expect(rec.outcomes(['G2'])[0]!.classification).toBe('environment');
  });

  it('lists the gates in the report in numeric order, whatever order the run takes them in', () => {
    const rec = new RunRecord('r3', 'record', new Date(0), plan.gates);
    expect(plan.dump.streamedIntoRestore).toBe(true);
    expect(rec.gates.map((g) => `${g.id} ${g.name}`)).toEqual([
      'G0 inputs',
      'G1 preflight',
      'G2 backup',
      'G3 provision',
      'G4 restore',
      'G5 baseline',
      'G6 trace',
      'G7 teardown',
      'G8 post-checks',
    ]);
  });
});
