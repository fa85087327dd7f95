import { describe, expect, it } from 'vitest';
import { parseYaml, RehearsalConfig, Scenario, scenarioPolicy, verbPolicy, type SqlPolicy } from '../config/index.js';
import { policyBreaches, resolverOf } from './sql-policy.js';
import { classifyStatements } from './statement-classifier.js';

const DEFAULT = ['DELETE', 'TRUNCATE', 'DROP', 'ALTER', 'GRANT', 'REVOKE', 'CREATE', 'COPY'];
// A migration tool's bookkeeping allowed, and nothing else of what the default list forbids.
const migrations: SqlPolicy = {
  forbidden_verbs: DEFAULT,
  allow: [
    { kinds: ['CREATE TABLE'], tables: ['public.pgmigrations'] },
    { verbs: ['INSERT', 'DELETE'], tables: ['public.pgmigrations'] },
    { schemas: ['sqitch'] },
  ],
  forbid: [],
};

const breaches = async (text: string, policy: SqlPolicy, known: string[] = []) =>
  policyBreaches(
    (await classifyStatements(text)).flatMap((p) => p.actions),
    policy,
    resolverOf(known),
  ).map((b) => `${b.verb} ${b.kind} [${b.objects.join(', ')}] ${b.rule}`);

describe('the SQL policy', () => {
  it("allows a migration tool's bookkeeping table, and nothing more", async () => {
    expect(await breaches('create table public.pgmigrations (id int)', migrations)).toEqual([]);
    expect(await breaches('delete from public.pgmigrations where name = $1', migrations)).toEqual([]);
    expect(await breaches('delete from public.payment', migrations)).toEqual([
      'DELETE DELETE [public.payment] forbidden_verbs',
    ]);
    expect(await breaches('create table public.other (id int)', migrations)).toEqual([
      'CREATE CREATE TABLE [public.other] forbidden_verbs',
    ]);
    // CREATE TABLE on pgmigrations is allowed; CREATE INDEX on it is another kind.
    expect(await breaches('create index on public.pgmigrations (name)', migrations)).toEqual([
      'CREATE CREATE INDEX [public.pgmigrations] forbidden_verbs',
    ]);
  });

  it('resolves an unqualified name only when exactly one known table has it', async () => {
    expect(await breaches('delete from pgmigrations', migrations, ['public.pgmigrations', 'public.payment'])).toEqual(
      [],
    );
    expect(
      await breaches('delete from pgmigrations', migrations, ['public.pgmigrations', 'audit.pgmigrations']),
    ).toEqual(['DELETE DELETE [pgmigrations] forbidden_verbs']);
    expect(await breaches('delete from pgmigrations', migrations)).toEqual([
      'DELETE DELETE [pgmigrations] forbidden_verbs',
    ]);
  });

  it('allows everything in a schema, the schema itself included, and checks each object of a statement', async () => {
    expect(
      await breaches(
        'create schema sqitch; create table sqitch.changes (id int); insert into sqitch.changes values (1); delete from sqitch.changes',
        migrations,
      ),
    ).toEqual([]);
    expect(await breaches('drop table sqitch.a, public.b', migrations)).toEqual([
      'DROP DROP TABLE [public.b] forbidden_verbs',
    ]);
  });

  it('catches an ALTER TABLE ... DROP COLUMN by either rule: the ALTER and the DROP', async () => {
    const onlyDrop = verbPolicy(['DROP']);
    expect(await breaches('alter table public.device drop column firmware', onlyDrop)).toEqual([
      'DROP ALTER TABLE [public.device] forbidden_verbs',
    ]);
    expect(await breaches('alter table public.device drop column firmware', verbPolicy(['ALTER']))).toEqual([
      'ALTER ALTER TABLE [public.device] forbidden_verbs',
    ]);
    expect(await breaches('alter table public.device add column firmware text', onlyDrop)).toEqual([]);
  });

  it('lets a forbid rule win over an allow rule and over forbidden_verbs', async () => {
    const p: SqlPolicy = {
      forbidden_verbs: [],
      allow: [{ schemas: ['sqitch'] }],
      forbid: [{ kinds: ['CREATE FUNCTION', 'CREATE TRIGGER'] }],
    };
    expect(await breaches('create table public.t (a int)', p)).toEqual([]);
    expect(await breaches("create function sqitch.f() returns int language sql as 'select 1'", p)).toEqual([
      'CREATE CREATE FUNCTION [sqitch.f] sql_policy.forbid[0]',
    ]);
  });

  it('scopes a forbid rule to whatever an unqualified name could be: when in doubt, forbid', async () => {
    const p: SqlPolicy = {
      forbidden_verbs: [],
      allow: [],
      forbid: [{ verbs: ['DELETE'], tables: ['public.payment'] }],
    };
    expect(await breaches('delete from payment', p)).toEqual(['DELETE DELETE [payment] sql_policy.forbid[0]']);
    expect(await breaches('delete from payment', p, ['shop.payment'])).toEqual([]);
    expect(await breaches('delete from public.rental', p)).toEqual([]);
  });

  it('a scenario replaces each key of the run it gives, and keeps the others', () => {
    const config = parseYaml(
      `name: x
production: { dsn_env: P }
environment: { name: e }
artefacts: { roles: r, grants: g, grant_matrix: m, scenarios: s, watched_tables: w }
sut: { path: p, accepted_commit: ${'a'.repeat(40)} }
forbidden_verbs: [DELETE, CREATE]
sql_policy:
  allow:
    - { kinds: [CREATE TABLE], tables: [public.pgmigrations] }
`,
      'c.yaml',
      RehearsalConfig,
    );
    const scenario = (extra: string) =>
      parseYaml(`id: S1\ntitle: t\nsteps: [{ name: a, run: [x], role: r }]\n${extra}`, 'S1.yaml', Scenario);
    expect(scenarioPolicy(config, scenario(''))).toEqual({
      forbidden_verbs: ['DELETE', 'CREATE'],
      allow: config.sql_policy.allow,
      forbid: [],
    });
    expect(scenarioPolicy(config, scenario('forbidden_verbs: [TRUNCATE]'))).toEqual({
      forbidden_verbs: ['TRUNCATE'],
      allow: config.sql_policy.allow,
      forbid: [],
    });
    expect(scenarioPolicy(config, scenario('sql_policy: { allow: [] , forbid: [{ verbs: [UPDATE] }] }'))).toEqual({
      forbidden_verbs: ['DELETE', 'CREATE'],
      allow: [],
      forbid: [{ verbs: ['UPDATE'] }],
    });
  });

  it('refuses a rule that names nothing, an unknown kind or a table without its schema, with file and line', () => {
    const scenario = (extra: string) => () =>
      parseYaml(`id: S1\ntitle: t\nsteps: [{ name: a, run: [x], role: r }]\n${extra}`, 'S1.yaml', Scenario);
    expect(scenario('sql_policy:\n  allow:\n    - {}\n')).toThrow(
      /S1\.yaml:6: sql_policy\.allow\[0\]: a rule names at least one of verbs, kinds, schemas, tables/,
    );
    expect(scenario('sql_policy:\n  forbid:\n    - { kinds: [CREATE TABEL] }\n')).toThrow(
      /S1\.yaml:6: sql_policy\.forbid\[0\]\.kinds\[0\]: `CREATE TABEL` is not a statement kind/,
    );
    expect(scenario('sql_policy:\n  allow:\n    - { tables: [pgmigrations] }\n')).toThrow(
      /S1\.yaml:6: sql_policy\.allow\[0\]\.tables\[0\]: a table as `schema\.table`/,
    );
    expect(scenario('sql_policy:\n  allow:\n    - { on: [x] }\n')).toThrow(
      /S1\.yaml:6: sql_policy\.allow\[0\]\.on: unknown key `on`/,
    );
  });
});
