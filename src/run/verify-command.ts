// `rehearse verify REPORT [--expect-sha SHA]`: exit 0 when everything still matches, 1 on a
// mismatch, 2 when the report (or its sha) cannot be read.
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { sha256File, sha256Text } from '../evidence/index.js';
import { checkFileSha, checkSchema, checkSha, parseShaFile, type VerifyCheck } from '../report/verify.js';
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

  if (report.backup?.kept)
    checks.push(
      checkFileSha(
        `backup ${report.backup.path}`,
        report.backup.sha256,
        await sha256File(report.backup.path).catch(() => null),
      ),
    );
  const configDir = dirname(report.config.path);
  for (const a of report.artefacts) {
    checks.push(
      checkFileSha(`artefact ${a.path}`, a.sha256, await sha256File(resolve(configDir, a.path)).catch(() => null)),
    );
  }
  return checks;
}

export async function verifyCommand(
  reportPath: string,
  expectSha: string | undefined,
  progress: Progress,
): Promise<number> {
  if (expectSha !== undefined && !/^[0-9a-f]{64}$/.test(expectSha))
    throw new UsageError(`Expected \`--expect-sha\` to be a sha256 in hex, got \`${expectSha}\``);
  const checks = await verifyReport(reportPath, expectSha);
  for (const c of checks) progress.data(`${c.ok ? 'ok      ' : 'MISMATCH'} ${c.what}: ${c.detail}`);
  const bad = checks.filter((c) => !c.ok).length;
  progress.note(bad === 0 ? `all ${checks.length} checks match` : `${bad} of ${checks.length} checks do not match`);
  return bad === 0 ? 0 : 1;
}
