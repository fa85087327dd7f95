// `rehearse verify`: what in a finished report can still be checked, and whether it matches:
// the report against its schema and its own sha256, the kept backup, every artefact.
import { Report } from '../config/index.js';
import { listCut } from '../plural.js';

export interface VerifyCheck {
  what: string;
  ok: boolean;
  detail: string;
}

/** The report's text against its schema; the parsed report when valid. */
export function checkSchema(text: string): { check: VerifyCheck; report: Report | null } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { check: { what: 'report.json is JSON', ok: false, detail: String(err) }, report: null };
  }
  const parsed = Report.safeParse(value);
  if (!parsed.success) {
    const first = listCut(
      parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
      3,
    );
    return { check: { what: 'report.json against its schema', ok: false, detail: first }, report: null };
  }
  return {
    check: {
      what: 'report.json against its schema',
      ok: true,
      detail: `schema_version ${parsed.data.schema_version}, ${parsed.data.execution_status}`,
    },
    report: parsed.data,
  };
}

/** The sha256 of the report's bytes against an expected one (the sha file beside it, or one a reviewer kept). */
export function checkSha(what: string, actual: string, expected: string): VerifyCheck {
  return expected === actual
    ? { what, ok: true, detail: actual }
    : {
        what,
        ok: false,
        detail: `sha256 MISMATCH: expected ${expected}, the report's bytes hash to ${actual}: the report was changed after it was written`,
      };
}

/** `<sha>  report.json` -> sha, or null when the file does not hold one. */
export function parseShaFile(text: string): string | null {
  const m = /^([0-9a-f]{64})\b/.exec(text.trim());
  return m ? m[1]! : null;
}

export function checkFileSha(what: string, recorded: string, actual: string | null): VerifyCheck {
  if (actual === null) return { what, ok: false, detail: `cannot be read any more (recorded ${recorded})` };
  return actual === recorded
    ? { what, ok: true, detail: actual }
    : { what, ok: false, detail: `sha256 MISMATCH: recorded ${recorded}, now ${actual}` };
}
