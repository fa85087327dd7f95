import { describe, expect, it } from 'vitest';
import { DumpError, DumpLockWaitError } from '../pg/index.js';
import { lockWaitFailure } from './dump-footprint.js';

const timedOut = (query: string) =>
  new DumpError(
    'shop',
    1,
    [
      'pg_dump: error: query failed: ERROR:  canceling statement due to statement timeout',
      `pg_dump: detail: Query was: ${query}`,
    ],
    'x',
  );
const blocker = { pid: 9, role: 'migrator', query: "ALTER ROLE app PASSWORD 's3cret-pw'", query_cut: false };

describe('lockWaitFailure', () => {
  it("names the table pg_dump named, and who held it, the holder's query redacted", () => {
    const err = lockWaitFailure(
      timedOut('LOCK TABLE public.b IN ACCESS SHARE MODE'),
      5000,
      {
        own_waits: [{ relation: 'public.b', mode: 'AccessShareLock', blockers: [blocker] }],
      },
      ['s3cret-pw'],
    );
    expect(err).toBeInstanceOf(DumpLockWaitError);
    expect(err!.tables).toEqual(['public.b']);
    expect(err!.message).toContain("(held by pid 9, role migrator: `ALTER ROLE app PASSWORD '[REDACTED]'`)");
    expect(err!.message).not.toContain('s3cret-pw');
  });

  it('names the one table the sampler saw it wait for when one LOCK TABLE named several, else all of them', () => {
    const several = timedOut('LOCK TABLE public.a, public.b, public.c IN ACCESS SHARE MODE');
    const seen = { own_waits: [{ relation: 'public.b', mode: 'AccessShareLock', blockers: [] }] };
    expect(lockWaitFailure(several, 5000, seen, [])!.tables).toEqual(['public.b']);
    const unseen = lockWaitFailure(several, 5000, { own_waits: [] }, [])!;
    expect(unseen.tables).toEqual(['public.a', 'public.b', 'public.c']);
    expect(unseen.message).toContain(
      'ACCESS SHARE on one of the tables public.a, public.b, public.c: another session holds a lock that conflicts with it;',
    );
  });

  it("keeps pg_dump's name when the sampler saw a wait on another table, and is null for any other error", () => {
    const other = { own_waits: [{ relation: 'public.z', mode: 'AccessShareLock', blockers: [blocker] }] };
    expect(
      lockWaitFailure(timedOut('LOCK TABLE public.a, public.b IN ACCESS SHARE MODE'), 5000, other, [])!.message,
    ).not.toContain('held by');
    expect(lockWaitFailure(timedOut('LOCK TABLE public."B" IN ACCESS SHARE MODE'), 5000, other, [])!.tables).toEqual([
      'public."B"',
    ]);
    const same = { own_waits: [{ relation: 'public.B', mode: 'AccessShareLock', blockers: [] }] };
    expect(lockWaitFailure(timedOut('LOCK TABLE public."B" IN ACCESS SHARE MODE'), 5000, same, [])!.tables).toEqual([
      'public.B',
    ]);
    expect(lockWaitFailure(new DumpError('shop', 1, ['pg_dump: error: FATAL: no'], 'x'), 5000, other, [])).toBeNull();
    expect(lockWaitFailure(new Error('other'), 5000, other, [])).toBeNull();
  });
});
