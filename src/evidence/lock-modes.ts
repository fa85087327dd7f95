// PostgreSQL's eight table-level lock modes, weakest first, as the docs on explicit locking name
// them and as pg_locks shows them (`AccessExclusiveLock`), and which of them conflict.

export const LOCK_MODES = [
  'ACCESS SHARE',
  'ROW SHARE',
  'ROW EXCLUSIVE',
  'SHARE UPDATE EXCLUSIVE',
  'SHARE',
  'SHARE ROW EXCLUSIVE',
  'EXCLUSIVE',
  'ACCESS EXCLUSIVE',
] as const;

export type LockMode = (typeof LOCK_MODES)[number];

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

// The conflict table of the docs ("Conflicting Lock Modes"): each mode with the modes it conflicts with.
const CONFLICTS: Record<LockMode, readonly LockMode[]> = {
  'ACCESS SHARE': ['ACCESS EXCLUSIVE'],
  'ROW SHARE': ['EXCLUSIVE', 'ACCESS EXCLUSIVE'],
  'ROW EXCLUSIVE': ['SHARE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE'],
  'SHARE UPDATE EXCLUSIVE': ['SHARE UPDATE EXCLUSIVE', 'SHARE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE'],
  SHARE: ['ROW EXCLUSIVE', 'SHARE UPDATE EXCLUSIVE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE'],
  'SHARE ROW EXCLUSIVE': [
    'ROW EXCLUSIVE',
    'SHARE UPDATE EXCLUSIVE',
    'SHARE',
    'SHARE ROW EXCLUSIVE',
    'EXCLUSIVE',
    'ACCESS EXCLUSIVE',
  ],
  EXCLUSIVE: [
    'ROW SHARE',
    'ROW EXCLUSIVE',
    'SHARE UPDATE EXCLUSIVE',
    'SHARE',
    'SHARE ROW EXCLUSIVE',
    'EXCLUSIVE',
    'ACCESS EXCLUSIVE',
  ],
  'ACCESS EXCLUSIVE': LOCK_MODES,
};

/** Whether a lock held in `held` makes a request for `wanted` wait. */
export const conflicts = (held: LockMode, wanted: LockMode): boolean => CONFLICTS[held].includes(wanted);

/** Whether a plain read (SELECT, ACCESS SHARE) or a write (ROW EXCLUSIVE) would queue behind this mode. */
export const blocks = (held: LockMode) => ({
  reads: conflicts(held, 'ACCESS SHARE'),
  writes: conflicts(held, 'ROW EXCLUSIVE'),
});
