// The backup_manifest pg_basebackup writes beside a base backup (JSON): its files with their sizes
// and checksums, and the WAL ranges the backup needs. Read for the report's evidence; whether the
// files match it is pg_verifybackup's to say.

/** The manifest's name in a base backup folder: pg_basebackup writes it there, pg_verifybackup reads it there. */
export const BACKUP_MANIFEST_FILE = 'backup_manifest';

export interface BackupManifest {
  /** `PostgreSQL-Backup-Manifest-Version`: 1 up to PostgreSQL 16, 2 from 17 on. */
  version: number;
  /** `System-Identifier` (a decimal string) when the manifest has it (version 2), else null. */
  systemIdentifier: string | null;
  files: number;
  /** Sum of the files' sizes. */
  bytes: number;
  /** The files' `Checksum-Algorithm`, e.g. `CRC32C`; `NONE` when they carry none. */
  checksumAlgorithm: string;
  walRanges: { timeline: number; startLsn: string; endLsn: string }[];
}

const LSN = /^[0-9A-F]{1,8}\/[0-9A-F]{1,8}$/i;

function objectOf(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error(`backup_manifest: expected ${where} to be an object, got ${JSON.stringify(value) ?? 'nothing'}`);
  return value as Record<string, unknown>;
}

function arrayOf(obj: Record<string, unknown>, key: string): unknown[] {
  const value = obj[key];
  if (!Array.isArray(value))
    throw new Error(`backup_manifest: expected \`${key}\` to be an array, got ${typeof value}`);
  return value;
}

function numberOf(obj: Record<string, unknown>, key: string, where: string): number {
  const value = obj[key];
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
    throw new Error(
      `backup_manifest: expected \`${key}\` of ${where} to be a whole number, got ${JSON.stringify(value) ?? 'nothing'}`,
    );
  return value;
}

function lsnOf(obj: Record<string, unknown>, key: string, where: string): string {
  const value = obj[key];
  if (typeof value !== 'string' || !LSN.test(value))
    throw new Error(
      `backup_manifest: expected \`${key}\` of ${where} to be an LSN such as 0/2000028, got ${JSON.stringify(value) ?? 'nothing'}`,
    );
  return value;
}

/** The file's name for a message: `Path`, or `Encoded-Path` (hex, for names that are not UTF-8). */
function fileName(file: Record<string, unknown>, i: number): string {
  if (typeof file['Path'] === 'string') return file['Path'];
  if (typeof file['Encoded-Path'] === 'string') return `hex:${file['Encoded-Path']}`;
  throw new Error(`backup_manifest: file ${i} has neither \`Path\` nor \`Encoded-Path\``);
}

/** Parse a backup_manifest; malformed JSON or a missing key is an Error naming it. */
export function parseBackupManifest(text: string): BackupManifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`backup_manifest is not JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  const root = objectOf(json, 'the manifest');
  const version = numberOf(root, 'PostgreSQL-Backup-Manifest-Version', 'the manifest');
  const sysid = root['System-Identifier'];
  if (sysid !== undefined && (typeof sysid !== 'number' || !Number.isInteger(sysid)) && typeof sysid !== 'string')
    throw new Error(`backup_manifest: expected \`System-Identifier\` to be a number, got ${JSON.stringify(sysid)}`);
  let bytes = 0;
  const algorithms = new Set<string>();
  const files = arrayOf(root, 'Files');
  files.forEach((f, i) => {
    const file = objectOf(f, `file ${i}`);
    const name = fileName(file, i);
    bytes += numberOf(file, 'Size', `file \`${name}\``);
    const alg = file['Checksum-Algorithm'];
    if (alg !== undefined && typeof alg !== 'string')
      throw new Error(`backup_manifest: expected \`Checksum-Algorithm\` of file \`${name}\` to be a string`);
    algorithms.add(alg ?? 'NONE');
  });
  const walRanges = arrayOf(root, 'WAL-Ranges').map((r, i) => {
    const range = objectOf(r, `WAL range ${i}`);
    const where = `WAL range ${i}`;
    return {
      timeline: numberOf(range, 'Timeline', where),
      startLsn: lsnOf(range, 'Start-LSN', where),
      endLsn: lsnOf(range, 'End-LSN', where),
    };
  });
  return {
    version,
    systemIdentifier: sysid === undefined ? null : systemIdentifierOf(text, sysid),
    files: files.length,
    bytes,
    checksumAlgorithm: algorithms.size === 0 ? 'NONE' : [...algorithms].sort().join('+'),
    walRanges,
  };
}

/**
 * A system identifier is a 64-bit integer, beyond a JS number's exact range: it is taken from the
 * manifest's text, not from the parsed number.
 */
function systemIdentifierOf(text: string, parsed: number | string): string {
  if (typeof parsed === 'string') return parsed;
  const m = /"System-Identifier"\s*:\s*(\d+)/.exec(text);
  return m ? m[1]! : String(parsed);
}
