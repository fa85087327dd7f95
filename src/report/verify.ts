// `rehearse verify`: what in a finished report can still be checked, and whether it matches:
// the report against its schema and its own sha256, the kept backup, every artefact.
import { Report } from '../config/index.js';
import { listCut, plural } from '../plural.js';

export interface VerifyCheck {
  what: string;
  /** It still matches; false is a mismatch (exit 1) unless `unchecked` says nothing could be compared. */
  ok: boolean;
  detail: string;
  /**
   * Nothing could be compared: `not_kept` (the backup was removed at teardown: not a failure of
   * verify, `ok` is true), `cannot_run` (the tool that checks it could not run here: exit 3).
   */
  unchecked?: 'not_kept' | 'cannot_run';
}

/** The line's label: what verify found for the check. */
export function verifyLabel(c: VerifyCheck): string {
  if (c.unchecked === 'not_kept') return 'not kept';
  if (c.unchecked === 'cannot_run') return 'CANNOT CHECK';
  return c.ok ? 'ok' : 'MISMATCH';
}

/** `rehearse verify`'s exit: 1 when anything does not match; else 3 when a check could not run; else 0. */
export function verifyExitCode(checks: readonly VerifyCheck[]): 0 | 1 | 3 {
  if (checks.some((c) => !c.ok && c.unchecked === undefined)) return 1;
  if (checks.some((c) => c.unchecked === 'cannot_run')) return 3;
  return 0;
}

/** The closing line: how many checks were made and matched, and what could not be checked. */
export function verifySummary(checks: readonly VerifyCheck[]): string {
  const made = checks.filter((c) => c.unchecked === undefined);
  const bad = made.filter((c) => !c.ok).length;
  const cannot = checks.filter((c) => c.unchecked === 'cannot_run').length;
  const notKept = checks.some((c) => c.unchecked === 'not_kept');
  const of = plural(made.length, 'check');
  const said = [
    bad > 0
      ? `${bad} of ${of} ${bad === 1 ? 'does' : 'do'} not match`
      : made.length === 1
        ? 'the 1 check matches'
        : `all ${of} match`,
  ];
  if (cannot > 0) said.push(`${plural(cannot, 'check')} could not be made here`);
  if (notKept) said.push('the backup was not kept, so it was not re-verified');
  return said.join('; ');
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
