// The config and plan of a physical copy: what it needs and refuses, the gate order, the settings
// that isolate the copy, and the prepare script and SQL its first start runs.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { RehearsalConfig } from '../config/index.js';
import { COPY_DATA_DIR, physicalPrepareScript, PREPARE_DONE, VERIFY_FAILED, verifyOfLog } from '../engine/index.js';
import { copyPrepareSql, physicalCopySettings, QUIET_SINGLE_USER_SETTINGS } from '../pg/index.js';
import { describeOrder, planRun } from './run-plan.js';

const base = {
  name: 'physical',
  environment: { name: 'pgr-physical' },
  sut: { path: 'sut', accepted_commit: 'a'.repeat(40) },
};
const artefacts = { grants: 'g.sql', grant_matrix: 'm.yaml', scenarios: 's', watched_tables: 'w.txt' };
const parse = (production: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  RehearsalConfig.safeParse({ ...base, production: { dsn_env: 'PROD_DSN', ...production }, artefacts, ...extra });

describe('the config of a copy mode', () => {
  it('is logical by default, which needs the roles SQL', () => {
    const r = parse({});
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]).toMatchObject({ path: ['artefacts', 'roles'] });
    expect(r.error?.issues[0]?.message).toContain('production.copy: physical');
  });

  it('takes a physical copy without the roles SQL, with its defaults', () => {
    const r = parse({ copy: 'physical' });
    expect(r.success).toBe(true);
    expect(r.data?.production.physical).toEqual({
      checkpoint: 'fast',
      manifest_checksums: 'CRC32C',
      transfer: 'stream',
    });
  });

  it('refuses a physical copy with the cache, and a malformed rate', () => {
    expect(parse({ copy: 'physical' }, { cache: true }).error?.issues[0]).toMatchObject({ path: ['cache'] });
    expect(parse({ copy: 'physical', physical: { max_rate: '50 MB' } }).error?.issues[0]?.path).toEqual([
      'production',
      'physical',
      'max_rate',
    ]);
    expect(parse({ copy: 'physical', physical: { max_rate: '50M', checkpoint: 'spread' } }).success).toBe(true);
  });
});

describe('the plan of a physical copy', () => {
  const config = parse({ copy: 'physical' }).data!;

  it('streams the base backup into the created container by default (G2 inside G3) and refuses --cache', () => {
    const plan = planRun(config);
    expect(plan.copy).toBe('physical');
    expect(plan.dump.streamedIntoRestore).toBe(false);
    expect(plan.streamedIntoContainer).toBe(true);
    expect(describeOrder(plan)).toBe(
      'G0, G1, G3 (G2 inside it: the base backup streams into the created container), G4, G5, S1..Sn, G6, G7, G8',
    );
    expect(() => planRun(config, { cache: true })).toThrow(/a physical copy is not cached/);
  });

  it('refuses --keep-backup with a streamed copy, naming the folder transfer that can keep one', () => {
    expect(() => planRun(config, { keepBackup: true })).toThrow(
      /never on this machine, so there is nothing to keep; set `production.physical.transfer: folder`/,
    );
    const kept = parse({ copy: 'physical', physical: { transfer: 'folder' } }, { keep_backup: true }).data!;
    expect(() => planRun(kept)).not.toThrow();
  });

  it('takes G2, G3 and G4 in turn with the folder transfer', () => {
    const plan = planRun(parse({ copy: 'physical', physical: { transfer: 'folder' } }).data!);
    expect(plan.streamedIntoContainer).toBe(false);
    expect(describeOrder(plan)).toBe('G0, G1, G2, G3, G4, G5, S1..Sn, G6, G7, G8');
  });

  it("starts the copy with production's archiving, replication, preloads and configuration overridden, the tool's logging and pgaudit on top", () => {
    const s = planRun(config).serverSettings;
    expect(s).toMatchObject({
      archive_mode: 'off',
      archive_command: '',
      restore_command: '',
      primary_conninfo: '',
      max_logical_replication_workers: '0',
      logging_collector: 'off',
      hba_file: `${COPY_DATA_DIR}/pg_hba.conf`,
      log_statement: 'all',
      shared_preload_libraries: 'pgaudit',
    });
    // A logical copy's server has none of the overrides.
    const logical = planRun(
      RehearsalConfig.parse({ ...base, production: { dsn_env: 'P' }, artefacts: { ...artefacts, roles: 'r.sql' } }),
    );
    expect(logical.serverSettings).not.toHaveProperty('archive_mode');
  });
});

describe("the copy's first start", () => {
  const script = physicalPrepareScript({
    singleUser: { ...physicalCopySettings(COPY_DATA_DIR), ...QUIET_SINGLE_USER_SETTINGS },
    server: { archive_command: '', log_line_prefix: "%m [%p] it's " },
  });

  it('is a bash script bash accepts', () => {
    expect(() => execFileSync('bash', ['-n'], { input: script })).not.toThrow();
  });

  it("sets production's configuration aside, runs the single-user step quietly, then the real server with every setting", () => {
    expect(script).toContain('rm -f "$D/standby.signal" "$D/recovery.signal"');
    expect(script).toContain('mv "$D/$f" "$D/production.$f"');
    expect(script).toMatch(/postgres --single -j -D "\$D" .*-c 'log_statement=none'.* 'template1' </);
    expect(script).toContain(PREPARE_DONE);
    expect(script).toContain(
      `exec docker-entrypoint.sh postgres -c 'archive_command=' -c 'log_line_prefix=%m [%p] it'\\''s '`,
    );
  });

  it('fails on any ERROR of the single-user step, which goes on after one', () => {
    expect(script).toMatch(/grep -E .*ERROR\|FATAL\|PANIC/);
  });
});

describe("a streamed copy's verify step", () => {
  const spec = { singleUser: {}, server: {} };
  const streamed = physicalPrepareScript({ ...spec, verify: true });

  it('runs the image pg_verifybackup as the server user before any file of production is set aside', () => {
    expect(() => execFileSync('bash', ['-n'], { input: streamed })).not.toThrow();
    const verify = streamed.indexOf('runuser -u postgres -- pg_verifybackup "$D"');
    expect(verify).toBeGreaterThan(streamed.indexOf('chown -R postgres:postgres'));
    expect(verify).toBeLessThan(streamed.indexOf('mv "$D/$f"'));
    expect(streamed).toContain(VERIFY_FAILED);
    expect(physicalPrepareScript(spec)).not.toContain('pg_verifybackup');
  });

  it('is read back from the log: its version, its words, and a failure told as one', () => {
    const ok = [
      'pg-rehearse: pg_verifybackup --version: pg_verifybackup (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)',
      'pg-rehearse: pg_verifybackup: backup successfully verified',
    ].join('\n');
    expect(verifyOfLog(`LOG: x\n${ok}\n`)).toEqual({
      version: '15.18',
      ok: true,
      output: 'backup successfully verified',
    });
    const bad = [
      'pg-rehearse: pg_verifybackup --version: pg_verifybackup (PostgreSQL) 15.18',
      'pg-rehearse: pg_verifybackup: pg_verifybackup: error: checksum mismatch for file "base/1/1259"',
      VERIFY_FAILED,
    ].join('\n');
    expect(verifyOfLog(bad)).toMatchObject({ ok: false, output: expect.stringContaining('checksum mismatch') });
    expect(verifyOfLog('LOG: database system is ready')).toBeNull();
  });
});

describe('the SQL of the single-user step', () => {
  const sql = copyPrepareSql('rehearse_tool', "pa'ss@:/%word");

  it("holds the tool's password only as a SCRAM verifier", () => {
    expect(sql).not.toContain("pa'ss@:/%word");
    expect(sql).not.toContain("pa''ss");
    expect(sql).toMatch(/PASSWORD 'SCRAM-SHA-256\$4096:/);
  });

  it('ends each statement with a semicolon and an empty line (postgres --single -j), and none inside a DO body', () => {
    const statements = sql.split(';\n\n').filter((s) => s.trim());
    expect(statements).toHaveLength(3);
    expect(statements[1]).toContain('ALTER ROLE %I PASSWORD NULL');
    expect(statements[2]).toBe('UPDATE pg_subscription SET subenabled = false, subslotname = NULL');
  });
});
