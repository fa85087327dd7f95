// PostgreSQL's eight table-level lock modes, weakest first, as the docs on explicit locking name
// them and as pg_locks shows them (`AccessExclusiveLock`), and which of them conflict.
import { LOCK_MODES, type LockMode } from '../config/lock-mode-names.js';

export { LOCK_MODES, type LockMode };

/** The stronger of two modes (by the order above, which is also the order of what they block). */
export const stronger = (a: LockMode, b: LockMode): LockMode =>
  LOCK_MODES.indexOf(a) >= LOCK_MODES.indexOf(b) ? a : b;

/** A mode as pg_locks names it (`ShareRowExclusiveLock`), or null for a lock that is not a table-level mode. */
export function modeOfPgLocks(mode: string): LockMode | null {
  const spaced = mode
    .replace(/Lock$/, '')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toUpperCase();
  return (LOCK_MODES as readonly string[]).includes(spaced) ? (spaced as LockMode) : null;
}

/** A mode by the number LOCK TABLE's parse tree gives it (1 ACCESS SHARE ... 8 ACCESS EXCLUSIVE). */
export const modeOfNumber = (n: number): LockMode | null => LOCK_MODES[n - 1] ?? null;

const X = true;
const _ = false;

// Table 13.2 "Conflicting Lock Modes" of PostgreSQL's docs ("Explicit Locking"), written out: X
// where a lock held in the row's mode makes a request for the column's mode wait. Rows and columns
// are LOCK_MODES in order. The docs' table reads requested by held; it is symmetric, so it is the same.
// prettier-ignore
const CONFLICTS: Record<LockMode, readonly boolean[]> = {
  // held \ requested:       AS   RS   RE   SUE  S    SRE  E    AE
  'ACCESS SHARE':           [_,   _,   _,   _,   _,   _,   _,   X],
  'ROW SHARE':              [_,   _,   _,   _,   _,   _,   X,   X],
  'ROW EXCLUSIVE':          [_,   _,   _,   _,   X,   X,   X,   X],
  'SHARE UPDATE EXCLUSIVE': [_,   _,   _,   X,   X,   X,   X,   X],
  'SHARE':                  [_,   _,   X,   X,   _,   X,   X,   X],
  'SHARE ROW EXCLUSIVE':    [_,   _,   X,   X,   X,   X,   X,   X],
  'EXCLUSIVE':              [_,   X,   X,   X,   X,   X,   X,   X],
  'ACCESS EXCLUSIVE':       [X,   X,   X,   X,   X,   X,   X,   X],
};

/** Whether a lock held in `held` makes a request for `wanted` wait. */
export const conflicts = (held: LockMode, wanted: LockMode): boolean =>
  CONFLICTS[held][LOCK_MODES.indexOf(wanted)] === true;

/** Whether a plain read (SELECT, ACCESS SHARE) or a write (ROW EXCLUSIVE) would queue behind this mode. */
export const blocks = (held: LockMode) => ({
  reads: conflicts(held, 'ACCESS SHARE'),
  writes: conflicts(held, 'ROW EXCLUSIVE'),
});
