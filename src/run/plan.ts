// `rehearse plan`: what a run would do, from the same inputs and checks as `run`'s first gate; creates nothing.
import { plural } from '../plural.js';
import {
  describeRule,
  hasLockBudgets,
  scenarioLocksConfig,
  scenarioPolicy,
  type LocksConfig,
  type SqlPolicy,
  type RehearsalConfig,
} from '../config/index.js';
import { defaultImage, environmentNames } from '../engine/index.js';
import { comparePins, hashArtefacts, type PinnedArtefact } from '../evidence/index.js';
import { artefactFiles, loadInputs } from './inputs.js';
import { lintPlanLine } from './lint-section.js';
import { describeOrder, planRun } from './run-plan.js';
import type { Progress } from './progress.js';

export async function planCommand(configFile: string, progress: Progress): Promise<number> {
  const inputs = await loadInputs(configFile);
  const production = inputs.production!;
  const { config, paths } = inputs.loaded;
  const names = environmentNames(config.environment.name);
  const artefacts: PinnedArtefact[] = comparePins(
    await hashArtefacts(artefactFiles(inputs), paths.dir),
    inputs.pins?.artefacts ?? null,
  );
  const say = progress.data;
  say(`rehearsal: ${config.name}`);
  say(
    `production: ${production.user}@${production.host}:${production.port}/${production.database}${config.production.container ? ` (container ${config.production.container})` : ''}, ${copyLine(config)}`,
  );
  say(`protected environments: ${config.protected_envs.join(', ') || 'none'}`);
  say(
    `dry-run environment: container ${names.container}, network ${names.network}, image ${config.environment.image ?? defaultImage()}`,
  );
  say(
    `system under test: ${paths.sut} at ${config.sut.accepted_commit} (${config.sut.runner} runner, DSN in $${config.sut.dsn_env}, libpq's PGHOST, PGPORT, PGUSER, PGDATABASE and PGPASSFILE)`,
  );
  say(`roles with per-run passwords: ${inputs.roles.join(', ')}`);
  const plan = planRun(config);
  say(`gates: ${plan.gates.map((g) => `${g.id} ${g.name}`).join(', ')}`);
  say(`order: ${describeOrder(plan)}${plan.dump.streamedIntoRestore ? ' (with --cache: G2, G3, G4 in turn)' : ''}`);
  say(
    `scenarios (${inputs.pack.length}): ${inputs.pack.map((s) => `${s.scenario.id}${s.scenario.negative ? ' (negative)' : ''}`).join(', ')}`,
  );
  say(`watched tables (${inputs.watched.length}): ${inputs.watched.join(', ')}`);
  // The policy in force for each scenario's statements (a key it gives replaces the run's), and for any outside them.
  say('sql policy:');
  for (const line of policyLines('the run (outside every scenario)', scenarioPolicy(config, {}))) say(`  ${line}`);
  for (const s of inputs.pack) {
    const own = [
      s.scenario.forbidden_verbs && 'forbidden_verbs',
      s.scenario.sql_policy?.allow && 'allow',
      s.scenario.sql_policy?.forbid && 'forbid',
    ].filter(Boolean);
    for (const line of policyLines(
      `${s.scenario.id}${own.length > 0 ? ` (its own ${own.join(', ')})` : " (the run's)"}`,
      scenarioPolicy(config, s.scenario),
    ))
      say(`  ${line}`);
  }
  for (const line of budgetLines(config.locks, inputs.pack)) say(line);
  say(lintPlanLine(config.lint, config.sut.base_commit));
  say(`artefacts (pins: ${inputs.pins ? paths.pins : 'MISSING'}):`);
  for (const a of artefacts)
    say(
      `  ${a.ok ? 'ok     ' : 'MISMATCH'} ${a.path} ${a.sha256}${a.ok ? '' : ` (pinned ${a.pinned ?? 'none'})`}${a.real_path ? ` -> ${a.real_path}` : ''}`,
    );
  const bad = artefacts.filter((a) => !a.ok).length;
  if (bad > 0) {
    progress.note(
      `a run would FAIL at G0: ${plural(bad, 'artefact')} ${bad === 1 ? 'differs' : 'differ'} from its pin${bad === 1 ? '' : 's'}; review them, then \`rehearse pin --config ${configFile}\``,
    );
    return 1;
  }
  progress.note('a run would pass G0; nothing was created');
  return 0;
}

/** The lock budgets in force: the run's, then each scenario that gives its own (a key it gives replaces the run's). */
export function budgetLines(
  run: LocksConfig,
  pack: readonly { scenario: { id: string; locks?: LocksConfig } }[],
): string[] {
  const own = pack.filter((s) => s.scenario.locks !== undefined);
  return [
    `lock budgets: ${describeBudgets(run)}`,
    ...own.map((s) => `  ${s.scenario.id} (its own): ${describeBudgets(scenarioLocksConfig(run, s.scenario.locks))}`),
  ];
}

function describeBudgets(b: LocksConfig): string {
  if (!hasLockBudgets(b)) return 'none (the lock evidence is reported; nothing fails on it)';
  return [
    b.max_exclusive_ms !== undefined && `max_exclusive_ms ${b.max_exclusive_ms}`,
    b.forbid_rewrite && `forbid_rewrite ${b.forbid_rewrite.join(', ')}`,
    b.forbid_invalid_indexes && 'forbid_invalid_indexes',
  ]
    .filter(Boolean)
    .join('; ');
}

/** A policy as `rehearse plan` prints it: the forbidden verbs, then each allow and forbid rule. */
export function policyLines(who: string, p: SqlPolicy): string[] {
  return [
    `${who}: forbidden verbs ${p.forbidden_verbs.join(', ') || 'none'}`,
    ...p.allow.map((r, i) => `    allow[${i}]: ${describeRule(r)}`),
    ...p.forbid.map((r, i) => `    forbid[${i}]: ${describeRule(r)}`),
  ];
}

/** How production is copied, as `rehearse plan` says it. */
function copyLine(config: RehearsalConfig): string {
  const p = config.production;
  if (p.copy === 'logical')
    return `logical copy (pg_dump), dump format ${p.dump_format}, lock wait timeout ${p.lock_wait_timeout_ms} ms`;
  const ph = p.physical;
  return `physical copy (pg_basebackup of the whole cluster over a replication connection), ${ph.checkpoint} checkpoint, ${ph.max_rate ? `--max-rate ${ph.max_rate}` : 'no rate limit'}, manifest checksums ${ph.manifest_checksums}, verified with pg_verifybackup before the copy starts`;
}
