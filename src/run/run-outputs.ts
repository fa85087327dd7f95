// The files and streams a run writes beside report.json for a pipeline (JUnit, a GitHub step
// summary and annotations, NDJSON events). Each is built from the report: first without the
// report's sha256, so that the leak scan reads it before report.json is written, then again with
// the sha256, once report.json is on disk, and written.
import type { Report } from '../config/index.js';

export interface RunOutput {
  /** Where it goes, as the leak scan names it (e.g. "junit.xml"). */
  readonly place: string;
  /** Its whole text for this report; `sha256` is null while the leak scan reads it. */
  build(report: Report, sha256: string | null): string;
  /** Write what `build` gave, with the sha256, after report.json. */
  write(text: string): Promise<void>;
}

/** What each output would write, for the leak scan before report.json is written. */
export const scanPlacesOf = (outputs: readonly RunOutput[], report: Report) =>
  outputs.map((o) => ({ place: o.place, text: o.build(report, null) }));

/** Write every output with the report's sha256; a failure of one is returned, not thrown, so the others still go. */
export async function writeOutputs(
  outputs: readonly RunOutput[],
  report: Report,
  sha256: string,
): Promise<{ place: string; error: Error }[]> {
  const failed: { place: string; error: Error }[] = [];
  for (const o of outputs)
    await o.write(o.build(report, sha256)).catch((error: unknown) => {
      failed.push({ place: o.place, error: error instanceof Error ? error : new Error(String(error)) });
    });
  return failed;
}
