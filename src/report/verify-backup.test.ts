import { describe, expect, it } from 'vitest';
import { finish, passDraft } from '../test-support/report-fixture.js';
import { logicalBackupCheck, notKeptCheck, physicalBackupChecks, type ReportBackup } from './verify-backup.js';
import { verifyExitCode, verifyLabel, verifySummary } from './verify.js';

const SHA = 'e'.repeat(64);
const FOLDER = '/root/.local/state/pg-rehearse/backups/20261202-005349-0257a5d1/data';
const MANIFEST = `${FOLDER}/backup_manifest`;

/** The fixture report's backup as a physical copy records it. */
function physical(kept: boolean): ReportBackup {
  const draft = passDraft();
  const backup = {
    ...draft.backup!,
    kind: 'physical' as const,
    format: 'physical' as const,
    path: FOLDER,
    kept,
    sha256: SHA,
    content_sha256: SHA,
    manifest_sha256: SHA,
    verified: true,
  };
  return finish({ ...draft, backup }).backup!;
}

const verified = { ran: true as const, ok: true, output: 'backup successfully verified' };

describe('physicalBackupChecks', () => {
  it('matches when the manifest hashes as recorded and pg_verifybackup passes', () => {
    const checks = physicalBackupChecks(physical(true), {
      folder: true,
      manifestPath: MANIFEST,
      manifestSha256: SHA,
      verify: verified,
    });
    expect(checks).toEqual([
      { what: `backup_manifest sha256 of the kept backup ${FOLDER}`, ok: true, detail: SHA },
      { what: `pg_verifybackup on the kept backup ${FOLDER}`, ok: true, detail: 'backup successfully verified' },
    ]);
    expect(verifyExitCode(checks)).toBe(0);
  });

  it('names the folder and the file pg_verifybackup found changed, and exits 1', () => {
    const output = [
      'pg_verifybackup: error: "base/5/2619" has size 122881 on disk but size 122880 in the manifest',
      'pg_verifybackup: error: checksum mismatch for file "base/5/2619"',
    ].join('\n');
    const checks = physicalBackupChecks(physical(true), {
      folder: true,
      manifestPath: MANIFEST,
      manifestSha256: SHA,
      verify: { ran: true, ok: false, output },
    });
    expect(checks[1]).toEqual({
      what: `pg_verifybackup on the kept backup ${FOLDER}`,
      ok: false,
      detail: `FAILED: ${output.split('\n').join('; ')}`,
    });
    expect(verifyLabel(checks[1]!)).toBe('MISMATCH');
    expect(verifyExitCode(checks)).toBe(1);
  });

  it("tells a changed manifest by its sha256, naming the manifest's path, and exits 1", () => {
    const now = 'f'.repeat(64);
    const checks = physicalBackupChecks(physical(true), {
      folder: true,
      manifestPath: MANIFEST,
      manifestSha256: now,
      verify: verified,
    });
    expect(checks[0]).toMatchObject({ ok: false });
    expect(checks[0]!.detail).toBe(
      `sha256 MISMATCH: the report records ${SHA}, ${MANIFEST} hashes to ${now} now: the manifest was changed after the run`,
    );
    expect(verifyExitCode(checks)).toBe(1);
  });

  it('says a kept folder that is gone cannot be read, as one mismatch', () => {
    const checks = physicalBackupChecks(physical(true), {
      folder: false,
      manifestPath: MANIFEST,
      manifestSha256: null,
      verify: null,
    });
    expect(checks).toHaveLength(1);
    expect(checks[0]).toMatchObject({ what: `kept backup ${FOLDER}`, ok: false });
    expect(checks[0]!.detail).toMatch(/^cannot be read any more: .* is not a folder now/);
    expect(verifyExitCode(checks)).toBe(1);
  });

  it('says pg_verifybackup could not run, which is not a mismatch: exit 3 unless something else does not match', () => {
    const checks = physicalBackupChecks(physical(true), {
      folder: true,
      manifestPath: MANIFEST,
      manifestSha256: SHA,
      verify: { ran: false, why: 'pg_verifybackup could not be run; tried pg_verifybackup (not found)' },
    });
    expect(checks[1]).toMatchObject({
      ok: false,
      unchecked: 'cannot_run',
      detail: expect.stringMatching(/^could not run: /),
    });
    expect(verifyLabel(checks[1]!)).toBe('CANNOT CHECK');
    expect(verifyExitCode(checks)).toBe(3);
    expect(verifySummary(checks)).toBe('the 1 check matches; 1 check could not be made here');
    expect(verifyExitCode([...checks, { what: 'x', ok: false, detail: 'MISMATCH' }])).toBe(1);
  });
});

describe('notKeptCheck', () => {
  it('says plainly that a base backup removed at teardown cannot be re-verified, and is no mismatch', () => {
    const c = notKeptCheck(physical(false));
    expect(c).toMatchObject({ what: `backup ${FOLDER}`, ok: true, unchecked: 'not_kept' });
    expect(c.detail).toMatch(/^the base backup cannot be re-verified: it was removed at teardown/);
    expect(c.detail).toMatch(/re-run with --keep-backup$/);
    expect(verifyLabel(c)).toBe('not kept');
    const schema = { what: 'report.json against its schema', ok: true, detail: 'schema_version 1, PASS' };
    expect(verifyExitCode([schema, c])).toBe(0);
    expect(verifySummary([schema, c])).toBe('the 1 check matches; the backup was not kept, so it was not re-verified');
  });

  it("names a logical copy's dump", () => {
    expect(notKeptCheck(passDraft().backup!).detail).toMatch(/^the dump cannot be re-verified/);
  });
});

describe('logicalBackupCheck', () => {
  it("compares a kept dump's sha256 with the report's", () => {
    const b = passDraft().backup!;
    expect(logicalBackupCheck(b, b.sha256)).toMatchObject({ ok: true });
    expect(logicalBackupCheck(b, null)).toMatchObject({ ok: false, detail: expect.stringMatching(/cannot be read/) });
  });
});

describe('verifySummary', () => {
  it('counts the checks made, in words', () => {
    const ok = { what: 'a', ok: true, detail: '' };
    const bad = { what: 'b', ok: false, detail: '' };
    expect(verifySummary([ok, ok])).toBe('all 2 checks match');
    expect(verifySummary([ok, bad])).toBe('1 of 2 checks does not match');
    expect(verifySummary([bad, bad, ok])).toBe('2 of 3 checks do not match');
  });
});
