// psql's error lines as the psql on this machine prints them today, against a real server: the
// fixtures psql-15-*.stderr were captured the same way, and this keeps them honest.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { throwawayServer, type ThrowawayServer } from '../test-support/throwaway-server.js';
import { exceptionOf } from './failure-site.js';

let throwaway: ThrowawayServer | null = null;
let checkout: string;

beforeAll(async () => {
  throwaway = await throwawayServer({ prefix: 'pgr-psqlerr', database: 'shop' });
  checkout = await mkdtemp(join(tmpdir(), 'pgr-psqlerr-'));
  await mkdir(join(checkout, 'sql'));
  await writeFile(
    join(checkout, 'sql', '001-device.sql'),
    'CREATE TABLE public.device (id int PRIMARY KEY, firmware text);\nINSERT INTO public.device VALUES (1, NULL);\n',
  );
  await writeFile(
    join(checkout, 'sql', '003-broken.sql'),
    "-- 003\nUPDATE public.device SET firmware = 'fw-2.1' WHERE id = 1;\nUPDATE public.device SET colour = 'red' WHERE id = 1;\n",
  );
}, 120_000);

afterAll(async () => {
  await throwaway?.close();
  if (checkout) await rm(checkout, { recursive: true, force: true });
});

/** psql in the checkout, connected by libpq's variables as a step is; its stderr. */
function psql(args: string[]): Promise<string> {
  const t = throwaway!.target;
  const env = {
    PATH: process.env.PATH ?? '',
    PGHOST: t.host,
    PGPORT: String(t.port),
    PGUSER: t.user,
    PGPASSWORD: t.password,
    PGDATABASE: t.database,
  };
  return new Promise((resolve) => {
    execFile('psql', ['-X', '-v', 'ON_ERROR_STOP=1', ...args], { cwd: checkout, env }, (_err, _out, stderr) =>
      resolve(stderr),
    );
  });
}

describe("psql's error output, live", () => {
  it('names the ERROR at the file and line of the statement, and its SQLSTATE in verbose mode', async () => {
    expect(await psql(['-q', '-f', 'sql/001-device.sql'])).toBe('');
    expect(exceptionOf(await psql(['-f', 'sql/003-broken.sql']), checkout)).toEqual({
      name: 'ERROR',
      message: 'column "colour" of relation "device" does not exist',
      location: 'sql/003-broken.sql:3',
    });
    expect(exceptionOf(await psql(['-v', 'VERBOSITY=verbose', '-f', 'sql/003-broken.sql']), checkout)).toEqual({
      name: 'ERROR 42703 undefined_column',
      message: 'column "colour" of relation "device" does not exist',
      location: 'sql/003-broken.sql:3',
    });
  }, 60_000);
});
