// The first real query on a dry-run server's copied or restored data, over TCP: a fresh connection
// every FIRST_QUERY_POLL_MS until one is answered. Shared by the cache hit (bench.mjs) and the
// physical copy (gate-p.mjs), which both time a server from its start to this answer.
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const ROOT = new URL('../../', import.meta.url).pathname;
const { queryRows } = await import(join(ROOT, 'dist', 'pg', 'index.js'));

export const FIRST_QUERY = 'select count(*)::bigint as n from pgbench_branches';
const FIRST_QUERY_POLL_MS = 10;

/**
 * A fresh connection and FIRST_QUERY, every FIRST_QUERY_POLL_MS until one is answered: the moment the
 * dry-run server first serves the data over TCP. Started once the login it uses can succeed (a cache
 * hit's password set, a physical copy's prepare script given it), beside startServer's readiness.
 */
export async function firstAnswer(target, signal, timeoutMs) {
  const until = Date.now() + timeoutMs;
  for (let attempt = 1; ; attempt++) {
    signal.throwIfAborted();
    try {
      const [row] = await queryRows(target, FIRST_QUERY);
      return { at: Date.now(), attempts: attempt, rows: row.n.toString() };
    } catch (err) {
      // A session that reached another server (a physical copy's marker check) is no server still starting.
      if (err.code === 'E_MARKER') throw err;
      if (Date.now() > until) throw new Error(`no answer to \`${FIRST_QUERY}\` within ${timeoutMs} ms: ${err.message}`);
    }
    await sleep(FIRST_QUERY_POLL_MS);
  }
}
