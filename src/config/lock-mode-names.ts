// The eight table-level lock modes of PostgreSQL, weakest first (the order of what they block):
// the vocabulary report.json's `locks` is written in and the lock inference decides in. It
// imports nothing, so that both the config's schema and the evidence layer read it.
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
