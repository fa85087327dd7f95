// The real squawk binary of squawk-cli (installed from the npm package, no download), on real SQL.
import { chmod, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSquawk, squawkBinary, squawkVersion, SquawkError } from './squawk.js';

const opts = { pgVersion: '15', exclude: [], assumeInTransaction: false };
const rules = (found: { rule: string }[] | undefined) => (found ?? []).map((f) => f.rule).sort();

describe('squawk', () => {
  it('is the version pinned in package.json', async () => {
    const require = createRequire(import.meta.url);
    const pinned = (require('../../package.json') as { dependencies: Record<string, string> }).dependencies[
      'squawk-cli'
    ];
    expect(pinned).toMatch(/^\d+\.\d+\.\d+$/);
    expect(await squawkVersion()).toBe(pinned);
  });

  it('finds a required column added without a default, and an index built without CONCURRENTLY', async () => {
    const found = await runSquawk(
      [
        'ALTER TABLE ledger.entry ADD COLUMN note text NOT NULL',
        'CREATE INDEX entry_note ON ledger.entry (note)',
        // PostgreSQL 11 and later add a column with a constant default without a rewrite: squawk says nothing.
        'ALTER TABLE ledger.entry ADD COLUMN c bigint DEFAULT 1',
      ],
      { ...opts, exclude: ['require-lock-timeout', 'require-statement-timeout'] },
    );
    expect(rules(found[0])).toEqual(['adding-required-field', 'prefer-robust-stmts']);
    expect(rules(found[1])).toEqual(['prefer-robust-stmts', 'require-concurrent-index-creation']);
    expect(found[2]?.filter((f) => f.rule !== 'prefer-robust-stmts')).toEqual([]);
    expect(found[1]?.[0]).toMatchObject({ line: 0, level: 'Warning' });
  });

  it('sees the SET lock_timeout before a statement of the same text, and leaves out excluded rules', async () => {
    const found = await runSquawk(
      [
        "SET lock_timeout = '1s';\nSET statement_timeout = '5s';\nCREATE INDEX CONCURRENTLY IF NOT EXISTS i ON t (c);",
        'CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON t (c);',
      ],
      opts,
    );
    expect(rules(found[0])).toEqual([]);
    expect(rules(found[1])).toEqual(['require-lock-timeout', 'require-statement-timeout']);
    const excluded = await runSquawk(['CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON t (c);'], {
      ...opts,
      exclude: ['require-lock-timeout', 'require-statement-timeout'],
    });
    expect(excluded).toEqual([[]]);
  });

  it('reports a text it cannot parse as a syntax error of that text alone', async () => {
    const found = await runSquawk(['SELEC garbage (;', 'CREATE INDEX i ON t (c);'], opts);
    expect(new Set(rules(found[0]))).toEqual(new Set(['syntax-error']));
    expect(rules(found[1])).toContain('require-concurrent-index-creation');
  });

  it('runs nothing for no text', async () => {
    expect(await runSquawk([], { ...opts, binary: '/nonexistent/squawk' })).toEqual([]);
  });
});

describe('squawk that cannot run', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'squawk-test-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('is `missing` when its binary is absent, `failed` when it refuses an option', async () => {
    const missing = runSquawk(['SELECT 1'], { ...opts, binary: join(dir, 'no-squawk') });
    await expect(missing).rejects.toBeInstanceOf(SquawkError);
    await expect(missing).rejects.toMatchObject({ kind: 'missing' });
    const refused = runSquawk(['SELECT 1'], { ...opts, exclude: ['no-such-rule'] });
    await expect(refused).rejects.toMatchObject({ kind: 'failed', message: /exited 2.*no-such-rule/ });
    await expect(squawkVersion(join(dir, 'no-squawk'))).rejects.toMatchObject({ kind: 'missing' });
  });

  it('is `failed` when it crashes without a report', async () => {
    const crash = join(dir, 'crash.sh');
    await writeFile(crash, "#!/bin/sh\necho 'thread main panicked' >&2\nexit 101\n");
    await chmod(crash, 0o700);
    await expect(runSquawk(['SELECT 1'], { ...opts, binary: crash })).rejects.toMatchObject({
      kind: 'failed',
      message: /exited 101.*panicked/,
    });
  });

  it('gets no SQL in its argv, only file names, and its files are 0600 and gone afterwards', async () => {
    const spy = join(dir, 'spy.sh');
    const seen = join(dir, 'seen');
    await writeFile(
      spy,
      `#!/bin/sh\nprintf '%s\\n' "$@" > ${seen}\nstat -c '%a %n' *.sql "$(pwd)" >> ${seen}\npwd >> ${seen}\necho '[]'\n`,
    );
    await chmod(spy, 0o700);
    expect(squawkBinary()).toMatch(/squawk$/);
    expect(await runSquawk(["ALTER ROLE app PASSWORD 's3cret-value'"], { ...opts, binary: spy })).toEqual([[]]);
    const lines = (await readFile(seen, 'utf8')).split('\n');
    expect(lines.join('\n')).not.toContain('s3cret-value');
    expect(lines).toContain('0001.sql');
    expect(lines).toContain('600 0001.sql');
    const folder = lines.filter(Boolean).at(-1) ?? '';
    expect(lines.some((l) => l.startsWith('700 '))).toBe(true);
    expect((await readdir(tmpdir())).includes(folder.split('/').at(-1) ?? '')).toBe(false);
  });
});
