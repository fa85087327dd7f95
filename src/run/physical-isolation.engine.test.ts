// A physical copy cannot touch anything, on a production that has what could reach out: an
// archive_command that would write a marker file (in postgresql.auto.conf, so the copy would read
// it), a preload library, a physical replication slot, and a logical subscription to a second server
// (the publisher). The rehearsal is held at its one scenario while the test looks inside the live
// copy: a WAL switch archives nothing and writes no marker, no subscription worker runs, no slot is
// there, the preloads are the tool's, the namespace has no default route and the publisher is
// unreachable from it. The publisher's slot stays production's, and production's
// pg_replication_slots are the same after the run as before it.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containerDefaultRoutes } from '../engine/index.js';
import { parseDsn } from '../config/index.js';
import { connect, type PgTarget } from '../pg/index.js';
import { useDemoWorld } from '../test-support/demo-world-suite.js';
import { countLabelled, docker, eventually, execIn } from '../test-support/docker.js';
import { packOf, prepareCase } from '../test-support/rehearsal-case.js';
import { throwawayServer, type ThrowawayServer } from '../test-support/throwaway-server.js';
import { Interruption } from './interruption.js';
import { silentProgress } from './progress.js';
import { rehearse } from './rehearsal.js';

const NOTHING = { containers: 0, networks: 0, volumes: 0, total: 0 };
const ARCHIVE_MARKER_DIR = '/tmp/pgr-archived';

/** S1 of one step that says it is ready, then waits for the test to let it go. */
const pauseScenario = (dir: string) => `id: S1
title: hold the run while the test looks inside the copy
negative: false
steps:
  - name: hold
    run: [sh, -c, 'touch "${dir}/ready"; i=0; until [ -e "${dir}/go" ]; do i=$((i+1)); [ $i -lt 1200 ] || exit 9; sleep 0.1; done']
    cwd: .
    role: cutter_app
    timeout_ms: 150000
    expect:
      exit_code: 0
deltas: {}
`;

interface Slot {
  slot_name: string;
  slot_type: string;
  restart_lsn: string | null;
  active: boolean;
  temporary: boolean;
}

async function query<T extends object>(target: PgTarget, text: string): Promise<T[]> {
  const sql = connect(target, 'pg-rehearse test');
  try {
    return await sql.unsafe<T[]>(text);
  } finally {
    await sql.end();
  }
}

const slotsOf = (t: PgTarget) =>
  query<Slot>(
    t,
    'select slot_name, slot_type, restart_lsn::text, active, temporary from pg_replication_slots order by slot_name',
  );

/** psql as the copy's own superuser over its socket, inside the copy's container. */
async function inCopy(containerId: string, text: string): Promise<string> {
  const r = await execIn(containerId, [
    'runuser',
    '-u',
    'postgres',
    '--',
    'psql',
    '-X',
    '-At',
    '-d',
    'ledger',
    '-c',
    text,
  ]);
  if (r.exitCode !== 0) throw new Error(`psql in the copy failed (${r.exitCode}): ${r.output}`);
  return r.output.trim();
}

describe('a physical copy cannot touch anything (real containers)', () => {
  const demo = useDemoWorld('pgr-iso');
  let publisher: ThrowawayServer | null = null;
  let publisherNetwork = '';
  let publisherAddress = '';
  let production: PgTarget;

  beforeAll(async () => {
    production = parseDsn((await readFile(demo.world.dsnFile, 'utf8')).trim(), 'the demo production DSN');
    publisher = await throwawayServer({ prefix: 'pgr-iso-pub', database: 'pub', settings: { wal_level: 'logical' } });
    await query(
      publisher.target,
      'create table public.iso_feed (id int primary key); insert into public.iso_feed values (1); create publication pgr_iso_pub for table public.iso_feed',
    );
    const info = await docker.getContainer(publisher.containerId).inspect();
    publisherNetwork = Object.keys(info.NetworkSettings.Networks)[0] ?? '';
    publisherAddress = info.NetworkSettings.Networks[publisherNetwork]?.IPAddress ?? '';
    expect(publisherAddress).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    await docker.getNetwork(publisherNetwork).connect({ Container: demo.names.production });
    const { user, password } = publisher.target;
    // ALTER SYSTEM runs alone (no implicit transaction); production reads none of it without a restart, the copy would.
    for (const statement of [
      'alter system set archive_mode = on',
      `alter system set archive_command = 'mkdir -p ${ARCHIVE_MARKER_DIR} && touch ${ARCHIVE_MARKER_DIR}/%f'`,
      "alter system set shared_preload_libraries = 'pg_stat_statements'",
      "select pg_create_physical_replication_slot('pgr_iso_slot', true)",
      'create table public.iso_feed (id int primary key)',
    ])
      await query(production, statement);
    await query(
      production,
      `create subscription pgr_iso_sub connection 'host=${publisherAddress} port=5432 dbname=pub user=${user} password=${password}' publication pgr_iso_pub`,
    );
    const copied = await eventually(
      async () => (await query<{ n: number }>(production, 'select count(*)::int as n from public.iso_feed'))[0]!.n,
      (n) => n === 1,
      30_000,
    );
    expect(copied).toBe(1);
  }, 120_000);

  afterAll(async () => {
    if (production) await query(production, 'drop subscription if exists pgr_iso_sub').catch(() => {});
    if (publisherNetwork)
      await docker
        .getNetwork(publisherNetwork)
        .disconnect({ Container: demo.names.production, Force: true })
        .catch(() => {});
    await publisher?.close();
  });

  it('archives nothing, runs no subscription, holds no slot, reaches nothing; production and its publisher keep their slots', async () => {
    const hold = join(demo.work, 'hold');
    await mkdir(hold);
    const { dir, pack } = await packOf(demo.work, { 'S1.yaml': [null, pauseScenario(hold)] });
    const c = await prepareCase(demo.world, demo.names, dir, {
      scenarios: pack,
      extra: {
        production: { dsn_file: demo.world.dsnFile, container: demo.names.production, copy: 'physical' },
      },
    });
    const slotsBefore = await slotsOf(production);
    const [publisherSlotBefore] = await query<{ active_pid: number }>(
      publisher!.target,
      "select active_pid from pg_replication_slots where slot_name = 'pgr_iso_sub'",
    );
    expect(slotsBefore.map((s) => s.slot_name)).toEqual(['pgr_iso_slot']);

    const interruption = Interruption.install(() => {}, []);
    const running = rehearse(
      { configFile: c.config, outDir: c.out, keepBackup: false },
      { docker, progress: silentProgress, interruption },
    );
    try {
      const ready = () =>
        readFile(join(hold, 'ready')).then(
          () => true,
          () => false,
        );
      const started = await Promise.race([eventually(ready, (r) => r, 180_000, 200), running.then(() => false)]);
      expect(started, 'the rehearsal reached its held scenario').toBe(true);
      const copy = (await docker.getContainer(c.envName).inspect()).Id;
      await inCopy(copy, 'select pg_switch_wal()');
      await inCopy(copy, "select pg_logical_emit_message(false, 'pgr-iso', 'a WAL record to archive')");
      await inCopy(copy, 'select pg_switch_wal()');
      await new Promise((r) => setTimeout(r, 2000));
      expect(await inCopy(copy, 'show archive_mode')).toBe('off');
      expect(await inCopy(copy, "select archived_count || '/' || failed_count from pg_stat_archiver")).toBe('0/0');
      expect((await execIn(copy, ['test', '-e', ARCHIVE_MARKER_DIR])).exitCode).toBe(1);
      expect(await inCopy(copy, 'show shared_preload_libraries')).toBe('pgaudit');
      expect(await inCopy(copy, 'select count(*) from pg_replication_slots')).toBe('0');
      expect(
        await inCopy(copy, "select subenabled::text || '/' || coalesce(subslotname, 'none') from pg_subscription"),
      ).toBe('false/none');
      expect(await inCopy(copy, 'select count(*) from pg_stat_subscription where pid is not null')).toBe('0');
      expect(await containerDefaultRoutes(docker, copy)).toEqual([]);
      const reach = await execIn(copy, ['bash', '-c', `exec 3<>/dev/tcp/${publisherAddress}/5432`]);
      expect(reach.exitCode).not.toBe(0);
      expect(reach.output).toMatch(/Network is unreachable/);
      const [publisherSlot] = await query<{ active_pid: number }>(
        publisher!.target,
        "select active_pid from pg_replication_slots where slot_name = 'pgr_iso_sub'",
      );
      expect(publisherSlot!.active_pid).toBe(publisherSlotBefore!.active_pid);
    } finally {
      await writeFile(join(hold, 'go'), '');
    }
    const result = await running.finally(() => interruption[Symbol.dispose]());
    demo.runIds.push(result.report.run_id);
    const { report } = result;
    expect([report.execution_status, result.exitCode, report.failure?.message]).toEqual(['PASS', 0, undefined]);
    expect(report.env?.copy).toMatchObject({
      replication_slots: 0,
      subscriptions: 1,
      subscriptions_enabled: 0,
      default_routes: [],
    });
    expect(report.production?.unchanged).toBe(true);
    expect(await slotsOf(production)).toEqual(slotsBefore);
    expect(await countLabelled(report.run_id)).toEqual(NOTHING);
  }, 300_000);
});
