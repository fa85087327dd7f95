// The locks of DDL a DO block runs by EXECUTE, which the statement log cannot name (it logs the DO
// block's text) and pgaudit's session audit does: on a real server started and audited as a run does.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOOL_ROLE } from '../engine/index.js';
import { parseAuditLog, parseServerLog } from '../evidence/index.js';
import { enableSessionAudit, LOG_SETTINGS, PGAUDIT_SERVER_SETTINGS } from '../pg/index.js';
import { connect } from '../pg/target.js';
import { containerLogs } from '../test-support/docker.js';
import { throwawayServer, type ThrowawayServer } from '../test-support/throwaway-server.js';
import { locksSection } from './locks-section.js';
import type { ScenarioWindow } from './trace-gate.js';

let server: ThrowawayServer | null = null;
let from = 0;

beforeAll(async () => {
  server = await throwawayServer({
    prefix: 'pgr-locks-audit',
    database: 'shop',
    settings: { ...LOG_SETTINGS, ...PGAUDIT_SERVER_SETTINGS },
  });
  const sql = connect(server.target, 'pg-rehearse test');
  await sql
    .unsafe(
      `CREATE ROLE shop_migrator LOGIN PASSWORD 'migrator-pw';
       CREATE TABLE public.device (id int PRIMARY KEY, serial text NOT NULL);
       INSERT INTO public.device SELECT i, 'D' || i FROM generate_series(1, 500) i;
       ALTER TABLE public.device OWNER TO shop_migrator;`,
    )
    .finally(() => sql.end());
  await enableSessionAudit(server.target, ['shop_migrator']);
  from = Date.now();
  const migrator = connect({ ...server.target, user: 'shop_migrator', password: 'migrator-pw' }, 'migrator');
  try {
    await migrator.unsafe('BEGIN');
    await migrator.unsafe(`DO $$ BEGIN EXECUTE 'ALTER TABLE public.device ALTER COLUMN id TYPE bigint'; END $$`);
    await new Promise((r) => setTimeout(r, 400));
    await migrator.unsafe('COMMIT');
  } finally {
    await migrator.end();
  }
});

afterAll(async () => {
  await server?.close();
});

const window = (): ScenarioWindow => ({
  id: 'migrate',
  from: from - 1000,
  to: Date.now() + 1000,
  policy: { forbidden_verbs: [], allow: [], forbid: [] },
  budgets: {},
  steps: [],
  writes: null,
});

describe('locksSection with the session audit', () => {
  it('gives the ACCESS EXCLUSIVE lock of an ALTER TABLE run by EXECUTE in a DO block, held to its COMMIT', async () => {
    const log = await containerLogs(server!.containerId);
    const statements = parseServerLog(log);
    const locks = await locksSection(statements, [window()], TOOL_ROLE, parseAuditLog(log));
    const device = locks.scenarios[0]!.relations.filter((r) => r.relation === 'public.device');
    expect(device).toEqual([
      {
        relation: 'public.device',
        mode: 'ACCESS EXCLUSIVE',
        held_ms: expect.any(Number),
        statement: '(inside a function, DO block or trigger) ALTER TABLE public.device ALTER COLUMN id TYPE bigint',
        source: 'inferred',
        // No read probe ran in this window.
        blocked_read_ms: null,
      },
    ]);
    expect(device[0]!.held_ms).toBeGreaterThanOrEqual(390);
    expect(device[0]!.held_ms).toBeLessThan(3000);
    expect(locks.source).toMatch(/pgaudit session audit/);
    // The statement log alone sees a DO block, whose text names no table it locks.
    const alone = await locksSection(statements, [window()], TOOL_ROLE);
    expect(alone.scenarios[0]!.relations.filter((r) => r.relation === 'public.device')).toEqual([]);
    expect(alone.source).not.toMatch(/pgaudit/);
  });
});
