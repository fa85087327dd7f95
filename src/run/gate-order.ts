// The order a run takes its gates in. A plain dump without a cached restore streams into G4's
// restore: G3 comes first, and G2 runs inside G4 (after the roles). A cached restore needs the
// dump's hash before G3 (its key), and an archive needs its whole file: those run G2, G3, G4.
import type { DumpFormat } from '../pg/index.js';

export function streamsIntoRestore(format: DumpFormat, cache: boolean): boolean {
  return format === 'plain' && !cache;
}

/** The gates in the order a run takes them, for people: `G0, G1, G3, G4 (G2 inside it), ...`. */
export function gateOrder(streamed: boolean): string {
  const middle = streamed ? ['G3', 'G4 (G2 inside it: the dump streams into the restore)'] : ['G2', 'G3', 'G4'];
  return ['G0', 'G1', ...middle, 'G5', 'S1..Sn', 'G6', 'G7', 'G8'].join(', ');
}
