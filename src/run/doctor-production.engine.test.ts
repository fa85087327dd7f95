// `rehearse doctor --config` for a physical copy against a real production: a throwaway server
// whose pg_hba.conf has `replication` lines for two roles (as fixtures/production/allow-replication.sh
// gives the demo's production one for all), and three login roles: one without REPLICATION, one
// with it and a line, one with it and no line. Doctor names what is missing, in G1's words.
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_ROOT } from '../engine/index.js';
import { connect, dsnFor, type PgTarget } from '../pg/index.js';
import { throwawayServer, type ThrowawayServer } from '../test-support/throwaway-server.js';
import { rehearseCli } from '../test-support/rehearse-cli.js';
import { replicationChecks } from './doctor-production.js';

const CONFIG = join(PACKAGE_ROOT, 'fixtures', 'demo', 'rehearse-physical.yaml');
const ROLES = { noAttribute: 'doctor_norepl', allowed: 'doctor_repl', noLine: 'doctor_repl_noline' } as const;

let server: ThrowawayServer | null = null;
let initDir: string;
let work: string;
const targets = {} as Record<keyof typeof ROLES, PgTarget>;

beforeAll(async () => {
  initDir = await mkdtemp(join(tmpdir(), 'pgr-doctor-init-'));
  await chmod(initDir, 0o755);
  const lines = [ROLES.noAttribute, ROLES.allowed].map((r) => `host replication ${r} all scram-sha-256\\n`).join('');
  const init = join(initDir, '00-replication.sh');
  // Sourced by the image's entrypoint after initdb, before the real server reads pg_hba.conf.
  await writeFile(init, `printf '${lines}' >> "$PGDATA/pg_hba.conf"\n`);
  await chmod(init, 0o644);
  work = await mkdtemp(join(tmpdir(), 'pgr-doctor-'));
  await chmod(work, 0o700);
  server = await throwawayServer({ prefix: 'pgr-doctor', database: 'ledger', initDir });
  const admin = server.target;
  const sql = connect(admin, 'pg-rehearse test roles');
  try {
    for (const [key, role] of Object.entries(ROLES) as [keyof typeof ROLES, string][]) {
      const password = randomBytes(12).toString('hex');
      const attribute = key === 'noAttribute' ? 'NOREPLICATION' : 'REPLICATION';
      await sql.unsafe(`create role ${role} login ${attribute} password '${password}'`);
      targets[key] = { ...admin, user: role, password };
    }
  } finally {
    await sql.end();
  }
});

afterAll(async () => {
  const closing = server?.close();
  await Promise.allSettled([closing]);
  if (work) await rm(work, { recursive: true, force: true });
  if (initDir) await rm(initDir, { recursive: true, force: true });
  await closing;
});

/** Sets production's wal_keep_size and reloads it, as the user G1 sends to ALTER SYSTEM would. */
async function setWalKeepSize(value: string): Promise<void> {
  if (!server) throw new Error('the throwaway production did not start');
  const admin = server.target;
  const sql = connect(admin, 'pg-rehearse test wal_keep_size');
  try {
    await sql.unsafe(`alter system set wal_keep_size = '${value}'`);
    await sql.unsafe('select pg_reload_conf()');
  } finally {
    await sql.end();
  }
  // The postmaster reads the file on its SIGHUP, after pg_reload_conf() returns: wait until a new session sees it.
  for (let tries = 0; tries < 50; tries += 1) {
    const probe = connect(admin, 'pg-rehearse test wal_keep_size');
    try {
      const [row] = await probe.unsafe<{ seen: string }[]>(
        `select pg_size_bytes(current_setting('wal_keep_size')) = pg_size_bytes('${value}') as seen`,
      );
      if (String(row!.seen) === 'true') return;
    } finally {
      await probe.end();
    }
    await new Promise((done) => setTimeout(done, 100));
  }
  throw new Error(`production's wal_keep_size did not become ${value} after a reload`);
}

/** The demo's physical config with production's DSN in an environment variable; `rehearse doctor --config` on it. */
async function doctor(t: PgTarget): Promise<{ code: number | null; output: string }> {
  const text = (await readFile(CONFIG, 'utf8')).replace(/^ {2}dsn_file: .*$/m, '  dsn_env: DOCTOR_PRODUCTION_DSN');
  const config = join(work, `${t.user}.yaml`);
  await writeFile(config, text);
  return rehearseCli(['doctor', '--config', config], { DOCTOR_PRODUCTION_DSN: dsnFor(t) });
}

describe('rehearse doctor --config for a physical copy', () => {
  it('names the missing REPLICATION attribute with the ALTER ROLE to run, finds the pg_hba line, and exits 3', async () => {
    const r = await doctor(targets.noAttribute);
    expect(r.code, r.output).toBe(3);
    const who = `${ROLES.noAttribute}@${targets.noAttribute.host}:${targets.noAttribute.port}`;
    expect(r.output).toContain(
      `FAIL production REPLICATION attribute: production's user ${ROLES.noAttribute} has neither REPLICATION nor SUPERUSER, which a physical copy needs\n     what to do: \`ALTER ROLE ${ROLES.noAttribute} REPLICATION\` on production, or \`production.copy: logical\``,
    );
    expect(r.output).toMatch(
      new RegExp(
        `ok {3}production pg_hba replication line: pg_hba\\.conf let a replication connection of ${who} in; the server then refused it for the missing attribute: FATAL: must be superuser or replication role`,
      ),
    );
    expect(r.output).not.toContain(targets.noAttribute.password);
  });

  it('is ready when the role has REPLICATION, pg_hba.conf a replication line and wal_keep_size room: exit 0', async () => {
    await setWalKeepSize('64MB');
    let r: { code: number | null; output: string };
    try {
      r = await doctor(targets.allowed);
    } finally {
      await setWalKeepSize('0');
    }
    expect(r.code, r.output).toBe(0);
    expect(r.output).toMatch(
      /ok {3}production wal_keep_size \(a streamed copy\): wal_keep_size 64 MB on \S+ covers the WAL a streamed copy fetches at its end/,
    );
    expect(r.output).toContain(
      `ok   production REPLICATION attribute: production's user ${ROLES.allowed} has REPLICATION or SUPERUSER`,
    );
    expect(r.output).toMatch(
      /ok {3}production pg_hba replication line: production let a replication connection of \S+ in \(IDENTIFY_SYSTEM: system identifier \d+, timeline 1\)/,
    );
    expect(r.output).not.toMatch(/^FAIL/m);
  });

  it("names the missing pg_hba line, with the server's words and the line to add, when the role may replicate", async () => {
    const checks = await replicationChecks(targets.noLine, 'production.dsn_env (DOCTOR_PRODUCTION_DSN)');
    const who = `${ROLES.noLine}@${targets.noLine.host}:${targets.noLine.port}`;
    expect(checks).toEqual([
      {
        name: 'production REPLICATION attribute',
        ok: true,
        detail: `production's user ${ROLES.noLine} has REPLICATION or SUPERUSER`,
        fix: null,
      },
      {
        name: 'production pg_hba replication line',
        ok: false,
        detail: expect.stringMatching(
          new RegExp(
            `^production refuses a replication connection of ${who}: FATAL: no pg_hba\\.conf entry for replication connection`,
          ),
        ),
        fix: `add a \`host replication ${ROLES.noLine} <this machine's address> scram-sha-256\` line to production's pg_hba.conf and reload it, or \`production.copy: logical\``,
      },
    ]);
  });

  it("says, for a streamed copy, that wal_keep_size 0 does not cover its WAL, with G1's words and what to do", async () => {
    const checks = await replicationChecks(targets.allowed, 'production.dsn_file', { maxRate: null });
    expect(checks.map((c) => [c.name, c.ok])).toEqual([
      ['production REPLICATION attribute', true],
      ['production pg_hba replication line', true],
      ['production wal_keep_size (a streamed copy)', false],
    ]);
    expect(checks[2]!.detail).toMatch(
      /^production's wal_keep_size \(0 MB on .*\) may not cover the WAL it writes while a streamed copy runs \(about 16 MB: /,
    );
    expect(checks[2]!.fix).toContain("ALTER SYSTEM SET wal_keep_size = '16MB'");
    expect(checks[2]!.fix).toContain('production.physical.transfer: folder');
  });

  it('says production cannot be reached as one failed check, with what to do', async () => {
    const checks = await replicationChecks({ ...targets.allowed, password: 'wrong' }, 'production.dsn_file');
    expect(checks).toEqual([
      {
        name: 'production',
        ok: false,
        detail: expect.stringMatching(/refused the password .*: the replication preflight could not run$/),
        fix: expect.stringContaining('production.dsn_file'),
      },
    ]);
  });
});
