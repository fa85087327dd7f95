// The tables of the example system's schema (fixtures/production), as the pg tests dump, restore and count them.
export const LEDGER_TABLES = [
  'account',
  'signer',
  'batch',
  'entry',
  'mark',
  'sweep_log',
  'envelope',
  'unit_block',
  'review_decision',
  'history',
  'cut',
  'verify_log',
].map((t) => `ledger.${t}`);
