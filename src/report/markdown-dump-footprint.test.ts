import { describe, expect, it } from 'vitest';
import { finish, passDraft } from '../test-support/report-fixture.js';
import { renderMarkdown } from './markdown.js';

const section = (md: string) => md.slice(md.indexOf("Production: the dump's footprint"), md.indexOf('## Provenance'));

describe("report.md's section on the dump's footprint", () => {
  it('says the lock wait timeout, how long the dump held its locks and its xmin, and that no session was seen waiting', () => {
    const s = section(renderMarkdown(finish(passDraft())));
    expect(s).toContain('`--lock-wait-timeout=5000` (production.lock_wait_timeout_ms)');
    expect(s).toContain("every 1.0 s while it ran (3 samples, the dump's backend pid 412)");
    expect(s).toContain('- ACCESS SHARE on 12 tables (the most in one sample) held at least 1.8 s');
    expect(s).toContain(
      '- its snapshot held the xmin horizon back at least 1.8 s (backend_xmin at most 0 transactions old)',
    );
    expect(s).toContain('No session was seen waiting on the dump (a wait shorter than 1.0 s can be missed).');
  });

  it('lists every waiter with its role, relation, mode, wait and query, and what could not be read', () => {
    const d = passDraft();
    Object.assign(d.production!.dump_footprint!, {
      waiters: [
        {
          pid: 7,
          role: 'migrator',
          relation: 'ledger.entry',
          mode: 'AccessExclusiveLock',
          waited_ms: 2767,
          blocked_by: [412],
          query: 'ALTER TABLE ledger.entry ADD COLUMN x int',
        },
        {
          pid: 8,
          role: null,
          relation: 'ledger.entry',
          mode: 'AccessShareLock',
          waited_ms: 900,
          blocked_by: [7],
          query: null,
        },
      ],
      unread: ['sampling ended before the dump did: the server went away'],
    });
    const s = section(renderMarkdown(finish(d)));
    expect(s).toContain('2 sessions waited on the dump, directly or queued behind a session that waited on it');
    expect(s).toContain(
      '| 7 | migrator | ledger.entry | AccessExclusiveLock | 2.8 s | 412 | `ALTER TABLE ledger.entry ADD COLUMN x int` |',
    );
    expect(s).toContain('| 8 | - | ledger.entry | AccessShareLock | 900 ms | 7 | - |');
    expect(s).toContain('- partial: sampling ended before the dump did: the server went away');
  });

  it("says so when no sample saw the dump's session, and leaves the section out before G2", () => {
    const d = passDraft();
    Object.assign(d.production!.dump_footprint!, {
      backend_pid: null,
      samples: 1,
      locks_held_ms: null,
      xmin_held_ms: null,
    });
    expect(section(renderMarkdown(finish(d)))).toContain(
      "- no sample saw the dump's session: it ended within about 1.0 s of its start",
    );
    d.production!.dump_footprint = null;
    expect(renderMarkdown(finish(d))).not.toContain("the dump's footprint");
  });
});
