// Every fresh session to a target that carries a marker proves it first, on a real server started
// with the marker setting (as a physical copy is): the in-process client, a psql read and a psql
// script run each go on when the marker holds and stop, naming what they reached, when it does not.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { throwawayServer, type ThrowawayServer } from '../test-support/throwaway-server.js';
import { MARKER_SETTING } from './copy-identity.js';
import { queryRows, withConnection } from './identity.js';
import { psqlJson } from './psql-read.js';
import { watchPsql } from './psql-watch.js';
import { runSqlFile } from './restore.js';
import { MarkerMismatchError, newSessionMarker, SessionReopenedError } from './session-marker.js';
import type { PgTarget } from './target.js';

const RUN_ID = '20261202-160000-5e55a0e1';
let server: ThrowawayServer | null = null;
let work = '';

beforeAll(async () => {
  server = await throwawayServer({ prefix: 'pgr-marker', database: 'shop', settings: { [MARKER_SETTING]: RUN_ID } });
  work = await mkdtemp(join(tmpdir(), 'pgr-marker-'));
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
  await server?.close();
});

const withMarker = (expect: string | null): PgTarget => ({ ...server!.target, marker: newSessionMarker(expect) });
const read = { applicationName: 'pg-rehearse test read', timeoutMs: 20_000 };

describe('the session marker of a physical copy', () => {
  it('lets each kind of session on when the server carries this run id, and counts each', async () => {
    const target = withMarker(RUN_ID);
    expect(await queryRows(target, 'select 1 as one')).toEqual([{ one: 1 }]);
    expect(await psqlJson<number>(target, 'select 41 + 1;', read)).toBe(42);
    const file = join(work, 'ok.sql');
    await writeFile(file, 'create table t (id int);\n');
    await runSqlFile(target, file);
    // queryRows's session, the psql read's (counted at its first output), runSqlFile's preceding session.
    expect(target.marker!.proved.sessions).toBe(3);
  });

  it('stops a session meant for production that reached a server with the marker, before its work', async () => {
    const target = withMarker(null);
    const err = await queryRows(target, 'create table never (id int)').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MarkerMismatchError);
    expect((err as Error).message).toContain(
      `found ${MARKER_SETTING} = \`${RUN_ID}\`: it reached a dry-run copy, not production`,
    );
    const readErr = await psqlJson(target, 'select 1;', read).catch((e: unknown) => e);
    expect(readErr).toBeInstanceOf(MarkerMismatchError);
    expect((readErr as Error).message).toContain(`found ${MARKER_SETTING} = \`${RUN_ID}\`: it reached a dry-run copy`);
    const watch = watchPsql(target, 'select 1 \\watch 0.1\n', {
      applicationName: 'pg-rehearse test watch',
      from: { stream: 'stdout' },
      onRecord: () => true,
    });
    await expect(watch.started).rejects.toBeInstanceOf(MarkerMismatchError);
    expect((await watch.stop()).records).toBe(0);
    const file = join(work, 'never.sql');
    await writeFile(file, 'create table never_either (id int);\n');
    await expect(runSqlFile(target, file)).rejects.toBeInstanceOf(MarkerMismatchError);
    expect(
      await queryRows(server!.target, "select to_regclass('never')::text as a, to_regclass('never_either')::text as b"),
    ).toEqual([{ a: null, b: null }]);
    expect(target.marker!.proved.sessions).toBe(0);
  });

  it('stops a checked session that was reopened while in use (its later statements proved nothing)', async () => {
    const target = withMarker(RUN_ID);
    const err = await withConnection(target, 'reopened', async (sql) => {
      // The server ends the session; the client opens a new one for the next statement, unchecked.
      await sql`select pg_terminate_backend(pg_backend_pid())`.catch(() => {});
      // The client answers the next statement with the session's end, then opens a new session for the one after.
      await sql`select 1`.catch(() => {});
      return sql`select 1 as one`;
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SessionReopenedError);
    expect((err as Error).message).toMatch(/was reopened while in use \(backend \d+, then \d+\)/);
  });

  it('stops a session meant for the dry-run server that found another run id', async () => {
    const target = withMarker('20261202-160000-00000000');
    await expect(queryRows(target, 'select 1')).rejects.toThrow(
      `found ${MARKER_SETTING} = \`${RUN_ID}\`, not this run's \`20261202-160000-00000000\``,
    );
    await expect(psqlJson(target, 'select 1;', read)).rejects.toThrow(
      `found ${MARKER_SETTING} = \`${RUN_ID}\`, not this run's \`20261202-160000-00000000\``,
    );
  });
});
