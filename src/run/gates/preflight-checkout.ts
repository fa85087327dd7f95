// G1's look at the system under test's checkout: HEAD at the accepted commit, clean, and no
// hardcoded values added by the change under review (base_commit..accepted_commit).
import {
  addedLines,
  changeDiff,
  DEFAULT_HARDCODE_PATTERNS,
  findHardcodes,
  gitState,
  redact,
} from '../../evidence/index.js';
import { GateFailure } from '../gate-failure.js';
import type { RunContext } from '../run-context.js';
import { listCut } from '../../plural.js';

export async function checkoutPreflight(ctx: RunContext): Promise<void> {
  const { config, paths, rec } = ctx;
  const git = await gitState(paths.sut, config.sut.accepted_commit);
  rec.sections.git = { ...git, hardcode: null };
  if (!git.head_matches)
    throw new GateFailure(
      'artefact',
      `the system under test's HEAD is ${git.head ?? 'unknown'}, not the accepted commit ${config.sut.accepted_commit}`,
    );
  if (!git.clean)
    throw new GateFailure('artefact', `the system under test's checkout is not clean: ${listCut(git.dirty, 5)}`);
  const base = config.sut.base_commit;
  if (!base) return;
  const patterns = [...DEFAULT_HARDCODE_PATTERNS, ...config.sut.hardcode.patterns];
  const lines = addedLines(await changeDiff(paths.sut, base, config.sut.accepted_commit));
  const findings = findHardcodes(lines, patterns, config.sut.hardcode.allow).map((f) => ({
    file: f.file,
    line: f.line,
    pattern: f.pattern,
    text: redact(f.text.trim(), ctx.secrets).slice(0, 200),
  }));
  rec.sections.git.hardcode = {
    base_commit: base,
    patterns: patterns.map((p) => p.name),
    lines_scanned: lines.length,
    findings,
  };
  if (findings.length > 0)
    throw new GateFailure(
      'artefact',
      `the change under review (${base.slice(0, 12)}..${config.sut.accepted_commit.slice(0, 12)}) adds hardcoded values: ${listCut(
        findings.map((f) => `${f.file}:${f.line} ${f.pattern}`),
        10,
      )}`,
    );
}
