// The `::error` annotations a run prints under GitHub Actions for its failure: at most 10 (GitHub
// shows no more of a step), each at a file where there is one, as a path relative to
// GITHUB_WORKSPACE (GitHub resolves `file=` against it); a file outside the workspace gets none.
import { isAbsolute, posix, relative, sep } from 'node:path';
import type { Report } from '../config/index.js';
import {
  exceptionSite,
  hardcodeSites,
  lintSites,
  pinSites,
  scenarioSite,
  type ReadText,
  type Site,
} from './github-annotation-sites.js';
import { workflowCommand } from './github-workflow-command.js';

export const MAX_ANNOTATIONS = 10;

export interface AnnotationContext {
  /** GITHUB_WORKSPACE; null when it is not set (then no annotation names a file). */
  workspace: string | null;
  readText: ReadText;
}

export interface Annotation {
  /** Relative to the workspace, `/`-separated; null when there is no file or it is outside the workspace. */
  file: string | null;
  line: number | null;
  col: number | null;
  title: string;
  message: string;
}

/** A path relative to the workspace, or null when it is not inside it. */
export function workspacePath(file: string, workspace: string | null): string | null {
  if (workspace === null) return null;
  const rel = relative(workspace, file);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return null;
  return rel.split(sep).join(posix.sep);
}

/** The annotations of a report's failure, in the order a reader goes: the exception, the scenario, pins, hardcodes, squawk's findings in files. */
export function failureAnnotations(r: Report, ctx: AnnotationContext): Annotation[] {
  const f = r.failure;
  if (!f) return [];
  const at = f.scenario ?? f.gate;
  const title = `pg-rehearse: ${r.execution_status} at ${at} (${f.classification})`;
  const sites: Site[] = [
    ...[exceptionSite(r, at), scenarioSite(r, ctx.readText, title)].filter((s): s is Site => s !== null),
    ...pinSites(r, ctx.readText),
    ...hardcodeSites(r),
    ...lintSites(r),
  ];
  if (sites.length === 0) sites.push({ file: null, line: null, col: null, title, message: f.message });
  const placed = sites.map((s): Annotation => {
    const file = s.file === null ? null : workspacePath(s.file, ctx.workspace);
    // A line means nothing without its file.
    return { ...s, file, line: file ? s.line : null, col: file ? s.col : null };
  });
  if (placed.length <= MAX_ANNOTATIONS) return placed;
  const more = placed.length - (MAX_ANNOTATIONS - 1);
  return [
    ...placed.slice(0, MAX_ANNOTATIONS - 1),
    { file: null, line: null, col: null, title, message: `${more} more findings: see report.md` },
  ];
}

/** The annotations as workflow-command lines (each ending with a newline); empty for a PASS. */
export function annotationLines(r: Report, ctx: AnnotationContext): string {
  return failureAnnotations(r, ctx)
    .map(
      (a) =>
        workflowCommand(
          'error',
          [
            ['file', a.file ?? undefined],
            ['line', a.line ?? undefined],
            ['col', a.col ?? undefined],
            ['title', a.title],
          ],
          a.message,
        ) + '\n',
    )
    .join('');
}
