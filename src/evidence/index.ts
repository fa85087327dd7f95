// The evidence layer: hashes, the SQL trace with a real parser, redaction and the leak scan.
export { sha256File, sha256Text } from './hash.js';
export {
  secretForms,
  secretVariants,
  redact,
  redactPasswordLiterals,
  findPasswordLiterals,
  findLeaks,
  REDACTED,
  type Leak,
  type SecretForm,
  type SecretVariant,
} from './redact.js';
export {
  parseServerLog,
  classify,
  traceStatements,
  UNPARSED,
  type LoggedStatement,
  type StatementReading,
  type SqlTrace,
  type ForbiddenStatement,
  type UnclassifiedStatement,
  type RewritingStatement,
} from './sql-trace.js';
export { classifyStatements, type ClassifiedStatement } from './statement-classifier.js';
export { objectName, type StatementAction, type StatementObject } from './statement-objects.js';
export { forbiddingRule, policyBreaches, resolverOf, type PolicyBreach, type ResolveName } from './sql-policy.js';
export {
  hashArtefacts,
  comparePins,
  pinsFor,
  type ArtefactFile,
  type HashedArtefact,
  type PinnedArtefact,
} from './artefacts.js';
export { gitState, type GitState } from './git-state.js';
export {
  addedLines,
  changeDiff,
  findHardcodes,
  DEFAULT_HARDCODE_PATTERNS,
  type HardcodeFinding,
  type HardcodePattern,
} from './hardcode-scan.js';
export { parseAuditLog, parseCsvFields } from './audit-log.js';
export { NOT_LOGGED, PREVIOUSLY_LOGGED, type AuditRecord } from './audit-record.js';
export { auditStatements, type AuditStatement } from './audit-statements.js';
export { auditVerbs, commandVerbs, type AuditTrace, type AuditForbidden } from './audit-verbs.js';
export {
  tablesOf,
  writesOf,
  tableName,
  type NamedTable,
  type StatementWrite,
  type WriteVerb,
  type WritesOfText,
} from './sql-writes.js';
export {
  explainWrites,
  writesOfStatements,
  writesOfAudit,
  type WriteCounts,
  type ParentLink,
  type WriteForbidden,
  type CountedVerb,
  type WriteSource,
  type TableWrite,
  type WriteFinding,
  type ExplainedWrite,
  type UnresolvedName,
  type WriteExplanation,
  type LoggedWrites,
} from './write-explain.js';
export { splitQualifiedName } from './qualified-name.js';
export { leakMessage, leakScan, type LeakScanResult, type ScanPlace } from './leak-scan.js';
