// `rehearse verify` on a report's backup: a logical dump kept with --keep-backup is hashed again;
// a kept physical backup (a plain-format base backup folder) is checked with pg_verifybackup again
// and its backup_manifest's sha256 is compared with the report's; a backup removed at teardown
// cannot be re-verified, which is said plainly and is not a mismatch. Pure: what was read comes in.
import type { Report } from '../config/index.js';
import { checkFileSha, type VerifyCheck } from './verify.js';

export type ReportBackup = NonNullable<Report['backup']>;

/** pg_verifybackup's result on the folder, or why it could not run. */
export type VerifyBackupRun = { ran: true; ok: boolean; output: string } | { ran: false; why: string };

/** What was read of a kept physical backup: null fields where the folder or its manifest is gone. */
export interface PhysicalBackupRead {
  /** The recorded path is a folder. */
  folder: boolean;
  /** The folder's backup_manifest, and its sha256 now (null when it cannot be read). */
  manifestPath: string;
  manifestSha256: string | null;
  /** Null when the folder is gone (nothing to verify). */
  verify: VerifyBackupRun | null;
}

/** A backup removed at teardown: nothing to re-verify, and the report is no less intact for it. */
export function notKeptCheck(backup: ReportBackup): VerifyCheck {
  if (backup.physical?.transfer === 'stream')
    return {
      what: `backup ${backup.path}`,
      ok: true,
      unchecked: 'not_kept',
      detail: `the base backup cannot be re-verified: it was streamed into the dry-run container and never written on this machine, and went with the container at teardown (the image's pg_verifybackup checked it there before the server started: backup.physical.verify); this says nothing against the report itself; to keep a base backup that can be re-verified, set \`production.physical.transfer: folder\` and re-run with --keep-backup`,
    };
  const kind = backup.kind === 'physical' ? 'base backup' : 'dump';
  return {
    what: `backup ${backup.path}`,
    ok: true,
    unchecked: 'not_kept',
    detail: `the ${kind} cannot be re-verified: it was removed at teardown (the run was not given --keep-backup); this says nothing against the report itself; to re-verify a backup, re-run with --keep-backup`,
  };
}

export function logicalBackupCheck(backup: ReportBackup, sha256Now: string | null): VerifyCheck {
  return checkFileSha(`backup ${backup.path}`, backup.sha256, sha256Now);
}

/** A kept base backup: its folder, its manifest's sha256 against the report's, pg_verifybackup's verdict. */
export function physicalBackupChecks(backup: ReportBackup, read: PhysicalBackupRead): VerifyCheck[] {
  const folder = backup.path;
  if (!read.folder)
    return [
      {
        what: `kept backup ${folder}`,
        ok: false,
        detail: `cannot be read any more: the report says the base backup was kept (--keep-backup), but ${folder} is not a folder now (removed or moved since the run)`,
      },
    ];
  return [manifestCheck(backup, read), verifyCheck(backup, read.verify)];
}

function manifestCheck(backup: ReportBackup, read: PhysicalBackupRead): VerifyCheck {
  const { manifestPath, manifestSha256: now } = read;
  const what = `backup_manifest sha256 of the kept backup ${backup.path}`;
  const recorded = backup.manifest_sha256;
  if (recorded === null)
    return { what, ok: false, detail: 'the report records no manifest_sha256 for this physical backup' };
  if (now === null)
    return {
      what,
      ok: false,
      detail: `${manifestPath} cannot be read any more (the report records ${recorded})`,
    };
  return now === recorded
    ? { what, ok: true, detail: now }
    : {
        what,
        ok: false,
        detail: `sha256 MISMATCH: the report records ${recorded}, ${manifestPath} hashes to ${now} now: the manifest was changed after the run`,
      };
}

/** At most this many of pg_verifybackup's lines in the detail: its first lines name the first problems. */
const FIRST_LINES = 5;

function verifyCheck(backup: ReportBackup, run: VerifyBackupRun | null): VerifyCheck {
  const what = `pg_verifybackup on the kept backup ${backup.path}`;
  if (run === null) return { what, ok: false, detail: 'nothing to verify: the folder is gone' };
  if (!run.ran) return { what, ok: false, unchecked: 'cannot_run', detail: `could not run: ${run.why}` };
  const lines = run.output.split('\n').filter((l) => l.trim() !== '');
  if (run.ok) return { what, ok: true, detail: lines.at(-1) ?? 'exit 0' };
  const more = lines.length > FIRST_LINES ? `; and ${lines.length - FIRST_LINES} more lines` : '';
  const before = backup.verified === false ? ' (the run found it damaged too)' : '';
  return {
    what,
    ok: false,
    detail: `FAILED${before}: ${lines.slice(0, FIRST_LINES).join('; ') || 'it exited non-zero and said nothing'}${more}`,
  };
}
