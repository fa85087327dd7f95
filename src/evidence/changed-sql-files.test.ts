import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changedSqlFiles } from './changed-sql-files.js';

let repo = '';
const git = async (...args: string[]) =>
  (
    await execa('git', ['-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@example.org', ...args], {
      env: { GIT_CONFIG_GLOBAL: '/dev/null' },
    })
  ).stdout;
const commit = async (msg: string) => {
  await git('add', '-A');
  await git('commit', '-q', '-m', msg);
  return git('rev-parse', 'HEAD');
};

describe('the SQL files of the change under review', () => {
  let base = '';
  let accepted = '';
  beforeAll(async () => {
    repo = await mkdtemp(join(tmpdir(), 'changed-sql-'));
    await git('init', '-q');
    await mkdir(join(repo, 'migrations'));
    await writeFile(join(repo, 'migrations', '001_init.sql'), 'CREATE TABLE t (id bigint);\n');
    await writeFile(join(repo, 'migrations', '002_keep.sql'), 'SELECT 1;\n');
    await writeFile(join(repo, 'migrations', 'gone.sql'), 'SELECT 2;\n');
    await writeFile(join(repo, 'old-name.sql'), 'CREATE TABLE moved (id bigint);\n');
    base = await commit('base');
    await writeFile(
      join(repo, 'migrations', '001_init.sql'),
      'CREATE TABLE t (id bigint);\nCREATE INDEX i ON t (id);\n',
    );
    await writeFile(join(repo, 'migrations', '003_new.sql'), 'ALTER TABLE t ADD COLUMN c int NOT NULL;\n');
    await writeFile(join(repo, 'notes.md'), 'CREATE TABLE not_sql ();\n');
    await rm(join(repo, 'migrations', 'gone.sql'));
    await git('mv', 'old-name.sql', 'migrations/004_moved.sql');
    accepted = await commit('accepted');
    // The work tree after the accepted commit is not what is linted.
    await writeFile(join(repo, 'migrations', '003_new.sql'), 'DROP TABLE t;\n');
  });
  afterAll(async () => {
    await rm(repo, { recursive: true, force: true });
  });

  it('are the added, modified and renamed *.sql files, as committed at the accepted commit', async () => {
    const files = await changedSqlFiles(repo, base, accepted);
    expect(files.sort((a, b) => a.path.localeCompare(b.path))).toEqual([
      { path: 'migrations/001_init.sql', text: 'CREATE TABLE t (id bigint);\nCREATE INDEX i ON t (id);' },
      { path: 'migrations/003_new.sql', text: 'ALTER TABLE t ADD COLUMN c int NOT NULL;' },
      { path: 'migrations/004_moved.sql', text: 'CREATE TABLE moved (id bigint);' },
    ]);
  });
});
