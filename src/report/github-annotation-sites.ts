// Where in the repository a failure points, read from the report alone: the system under test's
// exception at its file:line, the scenario file at the failed expectation, pins.yaml at a
// mismatched pin, each hardcode finding at its line. Paths are absolute here; the annotation
// builder makes them relative to GITHUB_WORKSPACE.
import { dirname, join, resolve } from 'node:path';
import { lineOfPath, PINS_FILE_NAME, type Report } from '../config/index.js';

export interface Site {
  /** Absolute; null when the failure names no file. */
  file: string | null;
  line: number | null;
  col: number | null;
  title: string;
  message: string;
}

/** Reads a file's text for the line of a key in it; null when it cannot be read. */
export type ReadText = (path: string) => string | null;

const LOCATION = /^(.*?):(\d+)(?::(\d+))?$/;

/** The system under test's exception, at its location (relative to the SUT's checkout). */
export function exceptionSite(r: Report, at: string): Site | null {
  const e = r.failure?.exception;
  if (!e) return null;
  const m = e.location ? LOCATION.exec(e.location) : null;
  const file = m ? m[1]! : e.location;
  return {
    file: file ? resolve(r.sut_runner.path, file) : null,
    line: m ? Number(m[2]) : null,
    col: m?.[3] ? Number(m[3]) : null,
    title: `${at}: ${e.name}`,
    message: `${e.name}: ${e.message}`,
  };
}

/** The key of a scenario file a failed check was written under (`steps.0.expect.exit_code`, `deltas.t`). */
export function keyPathOfCheck(step: number, what: string): (string | number)[] {
  const expect = ['steps', step, 'expect'];
  if (what === 'exit code') return [...expect, 'exit_code'];
  if (what.startsWith('stdout matches ')) return [...expect, 'stdout'];
  if (what.startsWith('stderr matches ')) return [...expect, 'stderr'];
  if (what.startsWith('names error ')) return [...expect, 'error'];
  if (what.startsWith('sql: ')) return [...expect, 'sql'];
  if (what.startsWith('delta ')) return ['deltas', what.slice('delta '.length)];
  return ['steps', step];
}

/** The failing scenario's file, at the failed expectation (else its failing step, else its id). */
export function scenarioSite(r: Report, read: ReadText, title: string): Site | null {
  const f = r.failure;
  const s = f?.scenario ? r.scenarios.find((x) => x.id === f.scenario) : undefined;
  if (!f || !s) return null;
  const stepIndex = s.steps.findIndex((st) => st.checks.some((c) => !c.ok));
  const failedDelta = s.deltas.find((d) => !d.ok);
  const path =
    stepIndex >= 0
      ? keyPathOfCheck(stepIndex, s.steps[stepIndex]!.checks.find((c) => !c.ok)!.what)
      : failedDelta
        ? keyPathOfCheck(0, failedDelta.what)
        : s.steps.length > 0
          ? ['steps', s.steps.length - 1]
          : ['id'];
  const text = read(s.file);
  return { file: s.file, line: text === null ? null : lineOfPath(text, path), col: null, title, message: f.message };
}

/** Each artefact that differs from its pin (or has none), at its line of pins.yaml beside the config. */
export function pinSites(r: Report, read: ReadText): Site[] {
  const pins = join(dirname(r.config.path), PINS_FILE_NAME);
  const bad = r.artefacts.filter((a) => !a.ok);
  const text = bad.length > 0 ? read(pins) : null;
  return bad.map((a) => ({
    file: pins,
    line: text === null ? null : lineOfPath(text, ['artefacts', a.path]),
    col: null,
    title: 'G0: pin mismatch',
    message: a.pinned
      ? `${a.path} (${a.kind}) has sha256 ${a.sha256}, pinned ${a.pinned}`
      : `${a.path} (${a.kind}) has no pin (sha256 ${a.sha256}): run \`rehearse pin\` and have it reviewed`,
  }));
}

/** Each hardcoded value the change under review added, at its line. */
export function hardcodeSites(r: Report): Site[] {
  const git = r.git;
  return (git?.hardcode?.findings ?? []).map((h) => ({
    file: resolve(git!.path, h.file),
    line: h.line,
    col: null,
    title: `G1: hardcode finding (${h.pattern})`,
    message: `${h.pattern}: ${h.text}`,
  }));
}

/** With `lint: fail`, each squawk finding in a file of the change, at its line (the trace's have no file: the failure names them). */
export function lintSites(r: Report): Site[] {
  const lint = r.lint;
  if (!lint || lint.mode !== 'fail' || !r.git) return [];
  const top = r.git.path;
  return lint.findings
    .filter((f) => f.source === 'file' && f.file !== null)
    .map((f) => ({
      file: resolve(top, f.file!),
      line: f.line,
      col: null,
      title: `G6: squawk ${f.rule}`,
      message: `${f.rule}: ${f.message}`,
    }));
}
