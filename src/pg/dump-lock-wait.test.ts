import { describe, expect, it } from 'vitest';
import { DumpError } from './dump-error.js';
import { DumpLockWaitError, lockWaitTimeoutTables } from './dump-lock-wait.js';

describe('lockWaitTimeoutTables', () => {
  it("reads the table of the LOCK TABLE pg_dump 15's lock wait timeout cancelled", () => {
    const tail = [
      'pg_dump: error: query failed: ERROR:  canceling statement due to statement timeout',
      'pg_dump: detail: Query was: LOCK TABLE public.ledger IN ACCESS SHARE MODE',
    ];
    expect(lockWaitTimeoutTables(tail)).toEqual(['public.ledger']);
  });

  it("reads an older pg_dump's `query was:` line, and several tables of one LOCK TABLE, a comma inside quotes kept", () => {
    const tail = [
      'pg_dump: error: query failed: ERROR:  canceling statement due to lock timeout',
      'pg_dump: error: query was: LOCK TABLE ONLY public.a, "odd, name"."b c" IN ACCESS SHARE MODE',
    ];
    expect(lockWaitTimeoutTables(tail)).toEqual(['public.a', '"odd, name"."b c"']);
  });

  it('is null for any other failure of pg_dump, a statement timeout elsewhere included', () => {
    expect(lockWaitTimeoutTables(['pg_dump: error: connection to server failed: FATAL:  no such database'])).toBeNull();
    expect(
      lockWaitTimeoutTables([
        'pg_dump: error: Dumping the contents of table "x" failed: PQgetResult() failed.',
        'pg_dump: detail: Error message from server: ERROR:  canceling statement due to statement timeout',
        'pg_dump: detail: Command was: COPY public.x (id) TO stdout;',
      ]),
    ).toBeNull();
  });
});

describe('DumpLockWaitError', () => {
  it('is a DumpError (the environment failed us) naming the table, the timeout and who held it', () => {
    const dump = new DumpError(
      'shop',
      1,
      ['pg_dump: detail: Query was: LOCK TABLE public.b IN ACCESS SHARE MODE'],
      'x',
    );
    const err = new DumpLockWaitError(dump, ['public.b'], 5000, 'held by pid 7, role app: `ALTER TABLE b ...`');
    expect(err).toBeInstanceOf(DumpError);
    expect(err.kind).toBe('environment');
    expect(err.stderrTail).toEqual(dump.stderrTail);
    expect(err.message).toBe(
      'pg_dump of database `shop` gave up after its lock wait timeout of 5000 ms waiting for ACCESS SHARE on table public.b: another session holds a lock that conflicts with it (held by pid 7, role app: `ALTER TABLE b ...`); the dump gave up rather than queue behind it, where every later reader of the table would have queued behind the dump; nothing of the partial dump was kept',
    );
  });
});
