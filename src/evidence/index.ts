// The evidence layer: hashes, the SQL trace with a real parser, redaction and the leak scan.
export { sha256File, sha256Text } from './hash.js';
export { secretForms, secretVariants, redact, findLeaks, REDACTED, type Leak, type SecretForm, type SecretVariant } from './redact.js';
export {
  parseServerLog,
  classify,
  traceStatements,
  DEFAULT_FORBIDDEN_VERBS,
  UNPARSED,
  type LoggedStatement,
  type StatementReading,
  type SqlTrace,
  type ForbiddenStatement,
  type UnclassifiedStatement,
} from './sql-trace.js';
export { hashArtefacts, comparePins, pinsFor, type ArtefactFile, type HashedArtefact, type PinnedArtefact } from './artefacts.js';
export { gitState, type GitState } from './git-state.js';
export { addedLines, changeDiff, findHardcodes, DEFAULT_HARDCODE_PATTERNS, type HardcodeFinding, type HardcodePattern } from './hardcode-scan.js';
