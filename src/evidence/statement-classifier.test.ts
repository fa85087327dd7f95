import { describe, expect, it } from 'vitest';
import { isStatementKind } from '../config/index.js';
import { classifyStatements, objectName, UNPARSED } from './statement-classifier.js';

const one = async (text: string) => {
  const parts = await classifyStatements(text);
  expect(parts).toHaveLength(1);
  return parts[0]!;
};
const actions = async (text: string) =>
  (await one(text)).actions.map((a) => [a.verb, a.kind, a.objects.map(objectName)]);

describe('classifyStatements', () => {
  it('names the kind of each statement: CREATE TABLE is not CREATE FUNCTION', async () => {
    const kinds = (
      await classifyStatements(
        [
          'create table pgmigrations (id int)',
          "create function s.f() returns int language sql as 'select 1'",
          'create procedure p() language sql as $$ select 1 $$',
          'create trigger t after insert on s.x for each row execute function s.f()',
          'create index on s.x (a)',
          'create schema sqitch',
          'create view v as select 1',
          'create materialized view mv as select 1',
          'create table t2 as select 1',
          'create sequence s.q',
          "create type mood as enum ('a')",
          'create domain d as int',
          'create extension pgcrypto',
          'alter table s.x add column c int',
          'alter function s.f() owner to r',
          'alter table s.x rename column a to b',
          'alter sequence s.q restart',
          'alter view v rename to w',
          'drop table a, s.b',
          'drop function s.f()',
          'drop trigger t on s.x',
          'drop schema sqitch cascade',
          'drop owned by r',
          'delete from t',
          'insert into t values (1)',
          'truncate t',
          'grant select on t to r',
          'comment on table s.x is $$x$$',
          'lock table s.x',
          'set search_path = sqitch',
        ].join('; '),
      )
    ).map((p) => p.kind);
    expect(kinds).toEqual([
      'CREATE TABLE',
      'CREATE FUNCTION',
      'CREATE PROCEDURE',
      'CREATE TRIGGER',
      'CREATE INDEX',
      'CREATE SCHEMA',
      'CREATE VIEW',
      'CREATE MATERIALIZED VIEW',
      'CREATE TABLE',
      'CREATE SEQUENCE',
      'CREATE TYPE',
      'CREATE DOMAIN',
      'CREATE EXTENSION',
      'ALTER TABLE',
      'ALTER FUNCTION',
      'ALTER TABLE',
      'ALTER SEQUENCE',
      'ALTER VIEW',
      'DROP TABLE',
      'DROP FUNCTION',
      'DROP TRIGGER',
      'DROP SCHEMA',
      'DROP OWNED',
      'DELETE',
      'INSERT',
      'TRUNCATE',
      'GRANT',
      'COMMENT',
      'LOCK',
      'SET',
    ]);
    // Every kind the classifier gives is one a rule may name.
    expect(kinds.filter((k) => !isStatementKind(k))).toEqual([]);
  });

  it('gives each class with the objects it acts on, schema-qualified where the text is', async () => {
    expect(await actions('create table pgmigrations (id int)')).toEqual([['CREATE', 'CREATE TABLE', ['pgmigrations']]]);
    expect(await actions('create table "public"."pgmigrations" (id int)')).toEqual([
      ['CREATE', 'CREATE TABLE', ['public.pgmigrations']],
    ]);
    expect(await actions('drop table a, s.b')).toEqual([['DROP', 'DROP TABLE', ['a', 's.b']]]);
    expect(await actions('drop trigger t on s.x')).toEqual([['DROP', 'DROP TRIGGER', ['s.x']]]);
    expect(await actions('create schema sqitch')).toEqual([['CREATE', 'CREATE SCHEMA', ['sqitch']]]);
    expect(await actions('grant select on all tables in schema sqitch to r')).toEqual([['GRANT', 'GRANT', ['sqitch']]]);
    expect(await actions('create index on s.x (a)')).toEqual([['CREATE', 'CREATE INDEX', ['s.x']]]);
    expect(await actions("create function s.f() returns int language sql as 'select 1'")).toEqual([
      ['CREATE', 'CREATE FUNCTION', ['s.f']],
    ]);
    expect(await actions('alter table s.x set schema t')).toEqual([['ALTER', 'ALTER TABLE', ['s.x', 't']]]);
    expect(await actions('select 1')).toEqual([['SELECT', 'SELECT', []]]);
  });

  it('is additive: ALTER TABLE ... DROP COLUMN / DROP CONSTRAINT is ALTER and DROP', async () => {
    expect((await one('alter table public.device drop column firmware')).classes).toEqual(['ALTER', 'DROP']);
    expect((await one('alter table public.device drop constraint device_serial_key')).classes).toEqual([
      'ALTER',
      'DROP',
    ]);
    expect(await actions('alter table public.device add column a int, drop column b')).toEqual([
      ['ALTER', 'ALTER TABLE', ['public.device']],
      ['DROP', 'ALTER TABLE', ['public.device']],
    ]);
    expect((await one('alter table public.device add column a int')).classes).toEqual(['ALTER']);
  });

  it('marks the statements that may rewrite their table', async () => {
    const typeChange = await one('alter table public.device alter column serial type varchar(40)');
    expect(typeChange.classes).toEqual(['ALTER']);
    expect(typeChange.rewrites.map(objectName)).toEqual(['public.device']);
    expect((await one('alter table t set unlogged')).rewrites.map(objectName)).toEqual(['t']);
    expect(
      (await one('alter table t add column g int generated always as (a * 2) stored')).rewrites.map(objectName),
    ).toEqual(['t']);
    expect((await one('vacuum full t')).rewrites.map(objectName)).toEqual(['t']);
    expect((await one('alter table t add column c int')).rewrites).toEqual([]);
    expect((await one('vacuum t')).rewrites).toEqual([]);
  });

  it('gives the writes inside a statement on their own targets', async () => {
    expect(await actions('with gone as (delete from a.x returning *) insert into b.y select * from gone')).toEqual([
      ['INSERT', 'INSERT', ['b.y']],
      ['DELETE', 'DELETE', ['a.x']],
    ]);
    expect(await actions('insert into t values (1) on conflict (id) do update set a = 2')).toEqual([
      ['INSERT', 'INSERT', ['t']],
      ['UPDATE', 'INSERT', ['t']],
    ]);
    expect(await actions('copy s.t from stdin')).toEqual([
      ['COPY', 'COPY', ['s.t']],
      ['INSERT', 'COPY', ['s.t']],
    ]);
    expect(await actions('merge into t using u on t.a = u.a when matched then delete')).toEqual([
      ['MERGE', 'MERGE', ['t']],
      ['DELETE', 'MERGE', ['t']],
    ]);
    expect(await actions('DO $$ BEGIN DELETE FROM ledger.cut WHERE false; END $$')).toEqual([
      ['DO', 'DO', []],
      ['DELETE', 'DELETE', ['ledger.cut']],
    ]);
  });

  it('gives UNPARSED for a part the parser cannot read', async () => {
    expect((await classifyStatements('select 1; selec 2')).map((p) => p.kind)).toEqual(['SELECT', UNPARSED]);
  });
});
