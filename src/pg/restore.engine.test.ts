// Loading SQL and setting role passwords on a real server: psql stops at the first error and the
// error names the file; a single transaction leaves nothing behind; a role whose password was set
// as a SCRAM verifier logs in over TCP with the clear password, which never reaches the server's log.
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InterruptedError } from '../errors.js';
import { containerLogs, eventually } from '../test-support/docker.js';
import { throwawayServer, type ThrowawayServer } from '../test-support/throwaway-server.js';
import { queryRows } from './identity.js';
import { runSqlFile, setRolePasswords, SqlFileError } from './restore.js';
import { clientProcessEnv, connect, dsnFor, type PgTarget } from './target.js';

let throwaway: ThrowawayServer | null = null;
let containerId: string;
let server: PgTarget;
let work: string;

beforeAll(async () => {
  throwaway = await throwawayServer({ prefix: 'pgr-restore', database: 'rehearse' });
  containerId = throwaway.containerId;
  server = throwaway.target;
  const sql = connect(server, 'pg-rehearse test');
  try {
    await sql.unsafe(`alter system set log_statement = 'all'`);
    await sql.unsafe('select pg_reload_conf()');
  } finally {
    await sql.end();
  }
  work = await mkdtemp(join(tmpdir(), 'pgr-restore-'));
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
  await throwaway?.close();
});

async function sqlFile(name: string, text: string): Promise<string> {
  const path = join(work, name);
  await writeFile(path, text);
  return path;
}

describe('runSqlFile', () => {
  it('runs a file with psql meta-commands and variables, counting its bytes', async () => {
    const file = await sqlFile(
      'ok.sql',
      `create table greeting (v text);\ncopy greeting (v) from stdin;\nhello\n\\.\ninsert into greeting values (:'extra');\n`,
    );
    const progress: number[] = [];
    const out = await runSqlFile(server, file, {
      variables: { extra: "it's fine" },
      onProgress: (b) => progress.push(b),
    });
    expect(out.bytes).toBe((await stat(file)).size);
    expect(progress.at(-1)).toBe(out.bytes);
    expect(await queryRows(server, 'select v from greeting order by v')).toEqual([{ v: 'hello' }, { v: "it's fine" }]);
  });

  it('stops at the first error with a SqlFileError naming the file and the ERROR line; a single transaction leaves nothing', async () => {
    const file = await sqlFile(
      'bad.sql',
      'create table half_done (id int);\nselect * from no_such_table;\ncreate table never_reached (id int);\n',
    );
    const err = await runSqlFile(server, file, { singleTransaction: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SqlFileError);
    const e = err as SqlFileError;
    expect(e.file).toBe(file);
    expect(e.exitCode).toBe(3);
    expect(e.message).toContain(
      `running \`${file}\` failed (psql exit 3): psql:${file}:2: ERROR:  relation "no_such_table" does not exist`,
    );
    expect(e.stderrTail.some((l) => l.includes('no_such_table'))).toBe(true);
    expect(
      await queryRows(
        server,
        `select count(*)::int as n from pg_class where relname in ('half_done', 'never_reached')`,
      ),
    ).toEqual([{ n: 0 }]);
  });

  it('stops psql when the run is interrupted', async () => {
    const file = await sqlFile('slow.sql', 'select pg_sleep(5);\n');
    const controller = new AbortController();
    const t0 = Date.now();
    const pending = runSqlFile(server, file, { signal: controller.signal }).catch((e: unknown) => e);
    setTimeout(() => controller.abort(new InterruptedError('SIGTERM')), 300);
    const err = await pending;
    expect(err).toBeInstanceOf(InterruptedError);
    expect(Date.now() - t0).toBeLessThan(4_000);
  });

  it('reports a file that cannot be read as a SqlFileError without running psql', async () => {
    await expect(runSqlFile(server, join(work, 'absent.sql'))).rejects.toMatchObject({
      code: 'E_SQL_FILE',
      exitCode: null,
    });
  });
});

describe('setRolePasswords', () => {
  const passwords = { cutter_app: 'App@pw:/?#&+=%!1', cutter_readonly: 'Ro#pw&+=%!@:/?2' };

  it('lets each role log in over TCP with its clear password (postgres.js, the DSN, libpq), and refuses a wrong one', async () => {
    await runSqlFile(server, 'sql/roles.sql', { singleTransaction: true });
    await setRolePasswords(server, passwords);
    for (const [role, password] of Object.entries(passwords)) {
      const target = { ...server, user: role, password };
      expect(await queryRows(target, 'select current_user as who')).toEqual([{ who: role }]);
      const viaDsn = postgres(dsnFor(target), { max: 1, onnotice: () => {} });
      try {
        expect(await viaDsn`select current_user as who, inet_server_addr() is not null as tcp`).toEqual([
          { who: role, tcp: true },
        ]);
      } finally {
        await viaDsn.end();
      }
      const psql = await execa('psql', ['-X', '-A', '-t', '--no-password', '-c', 'select current_user'], {
        env: clientProcessEnv(target, 'pg-rehearse test'),
        extendEnv: false,
      });
      expect(psql.stdout.trim()).toBe(role);
    }
    await expect(
      queryRows({ ...server, user: 'cutter_app', password: 'not-the-password' }, 'select 1'),
    ).rejects.toMatchObject({ sqlState: '28P01' });
    const [stored] = await queryRows(server, `select rolpassword from pg_authid where rolname = 'cutter_app'`);
    expect(String(stored!.rolpassword)).toMatch(/^SCRAM-SHA-256\$4096:/);
  });

  it('never lets the clear password reach the server log, though every statement is logged', async () => {
    const logs = await eventually(
      () => containerLogs(containerId),
      (l) => l.includes('alter role "cutter_readonly" password'),
    );
    expect(logs).toMatch(/statement: alter role "cutter_app" password 'SCRAM-SHA-256\$4096:/);
    for (const password of Object.values(passwords)) {
      for (const form of [password, encodeURIComponent(password), Buffer.from(password).toString('base64')])
        expect(logs).not.toContain(form);
    }
  });
});
