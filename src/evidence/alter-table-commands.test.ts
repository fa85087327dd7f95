import { describe, expect, it } from 'vitest';
import { alterTableEffects } from './alter-table-commands.js';
import { isTree, type Tree } from './parse-tree.js';
import { parse } from './sql-parser.js';

async function alterTable(sql: string): Promise<Tree> {
  const stmt: unknown = (await parse(sql)).stmts?.[0]?.stmt;
  if (!isTree(stmt) || !isTree(stmt.AlterTableStmt)) throw new Error(`not an ALTER TABLE: ${sql}`);
  return stmt.AlterTableStmt;
}

describe('alterTableEffects', () => {
  it('gives each sub-command that drops or rewrites, in order', async () => {
    const node = await alterTable(
      'ALTER TABLE t DROP COLUMN a, ALTER COLUMN b TYPE bigint, ADD COLUMN c int, DROP CONSTRAINT k, SET LOGGED',
    );
    expect(alterTableEffects(node)).toEqual(['drop', 'rewrite', 'drop', 'rewrite']);
  });

  it('counts a stored generated column as a rewrite and a plain one as nothing', async () => {
    expect(
      alterTableEffects(await alterTable('ALTER TABLE t ADD COLUMN g int GENERATED ALWAYS AS (a * 2) STORED')),
    ).toEqual(['rewrite']);
    expect(alterTableEffects(await alterTable('ALTER TABLE t ADD COLUMN g int DEFAULT 0'))).toEqual([]);
  });

  it('gives nothing for sub-commands that neither drop nor rewrite', async () => {
    expect(alterTableEffects(await alterTable('ALTER TABLE t ALTER COLUMN a SET NOT NULL, OWNER TO x'))).toEqual([]);
  });
});
