// The leak scan, part of G6, runs last: over everything the run and the system under test printed
// and wrote, then over the report files as they will be written. A secret the system under test
// printed fails the run (`sut`); one in our own report is our bug (`tool`): redaction failed.
import { leakMessage, leakScan, type LeakScanResult, type ScanPlace } from '../../evidence/index.js';
import type { RunContext } from '../run-context.js';

/** Scan what the run saw; a hit fails G6. */
export function scanForLeaks(ctx: RunContext, consoleLines: readonly string[]): LeakScanResult {
  ctx.scanPlaces.push({ place: 'pg-rehearse console output', text: consoleLines.join('\n') });
  const result = leakScan(ctx.secrets, ctx.scanPlaces, ctx.secretOwners);
  ctx.rec.sections.leak_scan = result;
  if (result.hits > 0)
    leakFailure(
      ctx,
      result.places.filter((p) => p.hits > 0),
      'sut',
    );
  return result;
}

/** Scan the files the run writes (report.json and report.md), adding to the first scan; a hit fails G6 as our bug. */
export function scanWrittenFiles(ctx: RunContext, first: LeakScanResult, written: readonly ScanPlace[]): void {
  const scan = leakScan(ctx.secrets, [...written], ctx.secretOwners);
  ctx.rec.sections.leak_scan = {
    ...first,
    scanned: first.scanned + scan.scanned,
    hits: first.hits + scan.hits,
    places: [...first.places, ...scan.places],
  };
  if (scan.hits > 0)
    leakFailure(
      ctx,
      scan.places.filter((p) => p.hits > 0),
      'tool',
    );
}

function leakFailure(ctx: RunContext, places: LeakScanResult['places'], classification: 'sut' | 'tool'): void {
  const g6 = ctx.rec.gate('G6');
  const message = leakMessage(places);
  if (g6.status === 'PASS' || g6.status === 'NOT_RUN') g6.status = classification === 'sut' ? 'FAIL' : 'INCONCLUSIVE';
  g6.evidence = { ...(g6.evidence ?? {}), leak: message };
  ctx.rec.fail({
    gate: 'G6',
    scenario: null,
    classification,
    message,
    command: null,
    exit_code: null,
    stderr_tail: null,
    sql_rows: null,
    exception: null,
    stack: null,
  });
}
