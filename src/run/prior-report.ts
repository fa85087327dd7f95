// A prior report given with --previous (or to `compare`): accepted only when it still passes
// `rehearse verify`'s integrity checks (its schema and its own sha256); refused otherwise, exit 2.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Report } from '../config/index.js';
import { UsageError } from '../errors.js';
import { sha256Text } from '../evidence/index.js';
import { checkSchema, checkSha, parseShaFile } from '../report/verify.js';

export interface VerifiedReport {
  path: string;
  sha256: string;
  report: Report;
}

export async function loadVerifiedReport(path: string, what: string): Promise<VerifiedReport> {
  const abs = resolve(path);
  let text: string;
  try {
    text = await readFile(abs, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read the ${what} \`${path}\``, { cause: err });
  }
  const sha256 = sha256Text(text);
  const recorded = await readFile(`${abs}.sha256`, 'utf8').then(parseShaFile, () => null);
  if (recorded === null)
    throw new UsageError(`the ${what} \`${path}\` has no report.json.sha256 beside it: it cannot be verified`, {
      hint: `check it with \`rehearse verify ${path} --expect-sha SHA\``,
    });
  const sha = checkSha('sha', sha256, recorded);
  if (!sha.ok)
    throw new UsageError(`the ${what} \`${path}\` fails verify: ${sha.detail}`, {
      hint: `run \`rehearse verify ${path}\``,
    });
  const { check, report } = checkSchema(text);
  if (!report) throw new UsageError(`the ${what} \`${path}\` fails verify: ${check.detail}`);
  return { path: abs, sha256, report };
}
