// `rehearse verify REPORT [--expect-sha SHA]`: exit 0 when everything still matches, 1 on a
// mismatch, 2 when the report (or its sha) cannot be read, 3 when pg_verifybackup cannot run to
// re-verify a kept base backup.
import { readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { EnvironmentError, UsageError } from '../errors.js';
import { sha256File, sha256Text } from '../evidence/index.js';
import { BACKUP_MANIFEST_FILE, verifyBackup } from '../pg/index.js';
import {
  logicalBackupCheck,
  notKeptCheck,
  physicalBackupChecks,
  type PhysicalBackupRead,
  type ReportBackup,
  type VerifyBackupRun,
} from '../report/verify-backup.js';
import {
  checkFileSha,
  checkSchema,
  checkSha,
  parseShaFile,
  verifyExitCode,
  verifyLabel,
  verifySummary,
  type VerifyCheck,
} from '../report/verify.js';
import type { Progress } from './progress.js';

export async function verifyReport(reportPath: string, expectSha: string | undefined): Promise<VerifyCheck[]> {
  let text: string;
  try {
    text = await readFile(reportPath, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read the report \`${reportPath}\``, {
      cause: err,
      hint: 'give the path of a report.json a run wrote',
    });
  }
  const checks: VerifyCheck[] = [];
  const actual = sha256Text(text);
  const shaFile = await readFile(`${reportPath}.sha256`, 'utf8').then(parseShaFile, () => null);
  if (expectSha === undefined && shaFile === null) {
    throw new UsageError(
      `no sha256 to check \`${reportPath}\` against: ${reportPath}.sha256 is missing or unreadable`,
      { hint: 'pass --expect-sha with the sha256 the run printed' },
    );
  }
  if (expectSha !== undefined)
    checks.push(checkSha('report sha256 = --expect-sha (the sha the run printed)', actual, expectSha));
  if (shaFile !== null) checks.push(checkSha('report sha256 = report.json.sha256 beside it', actual, shaFile));

  const { check, report } = checkSchema(text);
  checks.push(check);
  if (!report) return checks;

  if (report.backup) checks.push(...(await backupChecks(report.backup)));
  const configDir = dirname(report.config.path);
  for (const a of report.artefacts) {
    checks.push(
      checkFileSha(`artefact ${a.path}`, a.sha256, await sha256File(resolve(configDir, a.path)).catch(() => null)),
    );
  }
  return checks;
}

/** The report's backup: hashed again (a dump), verified again (a base backup), or said to be gone. */
async function backupChecks(backup: ReportBackup): Promise<VerifyCheck[]> {
  if (!backup.kept) return [notKeptCheck(backup)];
  if (backup.kind === 'logical') return [logicalBackupCheck(backup, await sha256File(backup.path).catch(() => null))];
  return physicalBackupChecks(backup, await readPhysicalBackup(backup.path));
}

/** The kept base backup folder: its manifest's sha256 now, and pg_verifybackup on it again. */
async function readPhysicalBackup(folder: string): Promise<PhysicalBackupRead> {
  const manifestPath = join(folder, BACKUP_MANIFEST_FILE);
  const isFolder = await stat(folder).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isFolder) return { folder: false, manifestPath, manifestSha256: null, verify: null };
  const manifestSha256 = await sha256File(manifestPath).catch(() => null);
  const verify = await verifyBackup(folder).then(
    (r): VerifyBackupRun => ({ ran: true, ok: r.ok, output: r.output }),
    (err: unknown): VerifyBackupRun => {
      // pg_verifybackup missing or not startable: nothing was compared, which is not a mismatch.
      if (err instanceof EnvironmentError)
        return { ran: false, why: err.hint ? `${err.message}; what to do: ${err.hint}` : err.message };
      throw err;
    },
  );
  return { folder: true, manifestPath, manifestSha256, verify };
}

export async function verifyCommand(
  reportPath: string,
  expectSha: string | undefined,
  progress: Progress,
): Promise<number> {
  if (expectSha !== undefined && !/^[0-9a-f]{64}$/.test(expectSha))
    throw new UsageError(`Expected \`--expect-sha\` to be a sha256 in hex, got \`${expectSha}\``);
  const checks = await verifyReport(reportPath, expectSha);
  for (const c of checks) progress.data(`${verifyLabel(c).padEnd(8)} ${c.what}: ${c.detail}`);
  progress.note(verifySummary(checks));
  return verifyExitCode(checks);
}
