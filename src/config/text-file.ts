// Reading an input file as text, exactly: a file that is not a regular file, cannot be read, or
// is not valid UTF-8 is a usage error naming it (and the byte offset and line of the first bad
// byte), never a silently replaced character.
import { readFile, stat } from 'node:fs/promises';
import { UsageError } from '../errors.js';

/** Offset of the first byte that does not belong to a well-formed UTF-8 sequence, or -1 (RFC 3629: no overlongs, no surrogates, at most U+10FFFF). */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b < 0x80) {
      i += 1;
      continue;
    }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) need = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      if (b === 0xe0) lo = 0xa0;
      if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      if (b === 0xf0) lo = 0x90;
      if (b === 0xf4) hi = 0x8f;
    } else return i;
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined) return i;
      if (k === 1 ? c < lo || c > hi : c < 0x80 || c > 0xbf) return i;
    }
    i += need + 1;
  }
  return -1;
}

/** The text of valid UTF-8 bytes; otherwise a usage error naming the file, its line and the byte offset of the first bad byte. */
export function decodeUtf8(bytes: Uint8Array, file: string, what: string): string {
  const bad = firstInvalidUtf8(bytes);
  if (bad >= 0) {
    let line = 1;
    for (let i = 0; i < bad; i++) if (bytes[i] === 0x0a) line++;
    throw new UsageError(
      `${file}:${line}: the ${what} is not valid UTF-8: byte 0x${bytes[bad]!.toString(16).padStart(2, '0')} at byte offset ${bad}`,
      {
        hint: `save \`${file}\` as UTF-8 (pg-rehearse never replaces bytes it cannot read)`,
      },
    );
  }
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}

const codeOf = (err: unknown): string =>
  typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : '';

/** Read an input file as UTF-8 text: a missing, unreadable or non-regular file, or one that is not UTF-8, is a usage error naming it. */
export async function readTextInput(
  file: string,
  what: string,
  hint = `check the path of the ${what}`,
): Promise<string> {
  let bytes: Buffer;
  try {
    const s = await stat(file);
    if (!s.isFile()) {
      throw new UsageError(`the ${what} \`${file}\` is not a regular file (it is ${kindOf(s)})`, { hint });
    }
    bytes = await readFile(file);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    const code = codeOf(err);
    throw new UsageError(`cannot read the ${what} \`${file}\`${code ? ` (${code})` : ''}`, { cause: err, hint });
  }
  return decodeUtf8(bytes, file, what);
}

/** What a file-system entry is, in words, for a message. */
export function kindOf(s: {
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
  isFIFO(): boolean;
  isSocket(): boolean;
  isBlockDevice(): boolean;
  isCharacterDevice(): boolean;
}): string {
  if (s.isDirectory()) return 'a folder';
  if (s.isSymbolicLink()) return 'a symbolic link';
  if (s.isFIFO()) return 'a named pipe';
  if (s.isSocket()) return 'a socket';
  if (s.isBlockDevice() || s.isCharacterDevice()) return 'a device';
  return 'not a regular file';
}
