import { describe, expect, it } from 'vitest';
import { RehearsalConfig } from '../config/index.js';
import { FAST_RESTORE_SETTINGS, LOG_SETTINGS, PGAUDIT_SERVER_SETTINGS } from '../pg/index.js';
import { describeOrder, mayStart, outcomeOrder, planRun, type RunPlan } from './run-plan.js';

const config = (over: {
  format?: 'plain' | 'custom' | 'directory';
  cache?: boolean;
  runner?: 'host' | 'container';
  image?: string;
  fastRestore?: boolean;
  keepBackup?: boolean;
}) =>
  RehearsalConfig.parse({
    name: 'plan',
    production: { dsn_env: 'PROD_DSN', dump_format: over.format ?? 'plain' },
    environment: {
      name: 'pgr-plan',
      ...(over.image ? { image: over.image } : {}),
      ...(over.fastRestore === undefined ? {} : { fast_restore: over.fastRestore }),
    },
    artefacts: { roles: 'r.sql', grants: 'g.sql', grant_matrix: 'm.yaml', scenarios: 's', watched_tables: 'w.txt' },
    sut: {
      path: 'sut',
      accepted_commit: 'a'.repeat(40),
      runner: over.runner ?? 'host',
      ...(over.runner === 'container' ? { container: { install: ['npm', 'ci'] } } : {}),
    },
    cache: over.cache ?? false,
    keep_backup: over.keepBackup ?? false,
  });

const order = (p: RunPlan) => p.steps.map((s) => (s.kind === 'gate' ? s.gate.id : 'S*')).join(' ');

describe('planRun', () => {
  for (const format of ['plain', 'custom', 'directory'] as const)
    for (const cache of [false, true])
      for (const runner of ['host', 'container'] as const)
        it(`${format} dump, cache ${cache ? 'on' : 'off'}, ${runner} runner`, () => {
          const plan = planRun(config({ format, cache, runner }));
          const streamed = format === 'plain' && !cache;
          expect(plan.dump).toEqual({ format, streamedIntoRestore: streamed });
          expect(plan.cache).toBe(cache);
          expect(plan.runner).toBe(runner);
          expect(order(plan)).toBe(streamed ? 'G0 G1 G3 G4 G5 S* G6 G7 G8' : 'G0 G1 G2 G3 G4 G5 S* G6 G7 G8');
          expect(plan.container).toEqual(
            runner === 'container'
              ? { image: null, install: ['npm', 'ci'], installOutput: 'node_modules', installTimeoutMs: 600_000 }
              : null,
          );
          // The report's gate table: every gate, in numeric order, whatever the run order.
          expect(plan.gates.map((g) => g.id)).toEqual(['G0', 'G1', 'G2', 'G3', 'G4', 'G5', 'G6', 'G7', 'G8']);
          expect(plan.gates.filter((g) => g.closing).map((g) => g.id)).toEqual(['G6', 'G7', 'G8']);
          expect(plan.keepBackup).toBe(false);
        });

  it('takes --cache and --keep-backup as well as the config keys', () => {
    const flags = planRun(config({}), { cache: true, keepBackup: true });
    expect(flags.cache).toBe(true);
    expect(flags.dump.streamedIntoRestore).toBe(false);
    expect(flags.keepBackup).toBe(true);
    expect(planRun(config({ keepBackup: true })).keepBackup).toBe(true);
  });

  it('chooses the server settings: logging always, pgaudit for the local image, the fast restore unless turned off', () => {
    expect(planRun(config({})).serverSettings).toEqual({
      ...LOG_SETTINGS,
      ...PGAUDIT_SERVER_SETTINGS,
      ...FAST_RESTORE_SETTINGS,
    });
    const own = planRun(config({ image: 'postgres:15', fastRestore: false }));
    expect(own.sessionAudit).toBe(false);
    expect(own.serverSettings).toEqual(LOG_SETTINGS);
  });

  it('orders outcomes G0..G5, the scenarios, G6..G8; after a stop only the closing gates start', () => {
    const plan = planRun(config({}));
    expect(outcomeOrder(plan, ['S1', 'S2'])).toEqual([
      'G0',
      'G1',
      'G2',
      'G3',
      'G4',
      'G5',
      'S1',
      'S2',
      'G6',
      'G7',
      'G8',
    ]);
    expect(mayStart(plan, 'G5', false)).toBe(true);
    expect(mayStart(plan, 'G5', true)).toBe(false);
    expect(mayStart(plan, 'S1', true)).toBe(false);
    for (const g of ['G6', 'G7', 'G8']) expect(mayStart(plan, g, true)).toBe(true);
  });

  it('describes the order for people', () => {
    expect(describeOrder(planRun(config({})))).toBe(
      'G0, G1, G3, G4 (G2 inside it: the dump streams into the restore), G5, S1..Sn, G6, G7, G8',
    );
    expect(describeOrder(planRun(config({ format: 'custom' })))).toBe('G0, G1, G2, G3, G4, G5, S1..Sn, G6, G7, G8');
  });
});
