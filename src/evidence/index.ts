// The evidence layer: hashes, the SQL trace with a real parser, redaction and the leak scan.
// What other layers use; the tests import each file directly.
export { sha256File, sha256Text } from './hash.js';
export { redact, redactStatement, findPasswordLiterals } from './redact.js';
export { parseServerLog, traceStatements, type LoggedStatement } from './sql-trace.js';
export { forbiddingRule, resolverOf } from './sql-policy.js';
export { hashArtefacts, comparePins, pinsFor, type ArtefactFile, type PinnedArtefact } from './artefacts.js';
export { gitState } from './git-state.js';
export { addedLines, changeDiff, findHardcodes, DEFAULT_HARDCODE_PATTERNS } from './hardcode-scan.js';
export { parseAuditLog } from './audit-log.js';
export { type AuditRecord } from './audit-record.js';
export { auditVerbs } from './audit-verbs.js';
export {
  explainWrites,
  writesOfStatements,
  writesOfAudit,
  type WriteCounts,
  type ParentLink,
} from './write-explain.js';
export { leakMessage, leakScan, type LeakScanResult, type ScanPlace } from './leak-scan.js';
export { inferredHolds, lockEvidence, nestedStatementsOf, sampledQuery, type LockEvidence } from './lock-timeline.js';
export { breachMessage, lockBudgetBreaches, type LockBudgetBreach } from './lock-budget.js';
export { blockedReads, withHolders } from './blocked-reads.js';
export { runSquawk, squawkBinary, squawkVersion, SquawkError, type SquawkOptions } from './squawk.js';
export { SYNTAX_ERROR_RULE, type SquawkFinding } from './squawk-output.js';
export { statementAt } from './statement-at.js';
export { traceLintInputs, type TraceLintInput } from './lint-inputs.js';
export { changedSqlFiles, type ChangedSqlFile } from './changed-sql-files.js';
