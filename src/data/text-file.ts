/**
 * The checks behind reading a user's text file (see text-lines.ts): gzip magic bytes, strict UTF-8, and
 * a clear error for every way the file can be unusable.
 */
import { LmkitError } from '../errors.js';

/** Whether `bytes` begin with the gzip magic number 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Decodes strict UTF-8 (a leading BOM is dropped); invalid bytes raise an error naming their offset and line. */
export function decodeUtf8(bytes: Uint8Array, name: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const offset = Math.min(firstInvalidUtf8(bytes), bytes.length - 1);
    let line = 1;
    for (let i = 0; i < offset; i++) if (bytes[i] === 0x0a) line++;
    throw notUtf8Error(name, bytes[offset], offset, line, bytes);
  }
}

/**
 * The error for a file that is not UTF-8: the first invalid byte, its offset and line, and how to convert;
 * when `sample` (bytes read around it) looks binary, it says so instead of suggesting a conversion.
 */
export function notUtf8Error(
  name: string,
  byte: number,
  offset: number,
  line: number,
  sample?: Uint8Array,
): LmkitError {
  const hex = `0x${byte.toString(16).padStart(2, '0')}`;
  if (sample && looksBinary(sample))
    return new LmkitError(
      `${name} looks like a binary file, not text (NUL or control bytes; first invalid UTF-8 byte ${hex} at offset ${offset})`,
      { hint: 'give a text file: UTF-8, one sentence per line or running text, gzip accepted' },
    );
  return new LmkitError(
    `${name} is not UTF-8 text: invalid byte ${hex} at byte offset ${offset} (line ${line})`,
    {
      hint: `convert it first, e.g. iconv -f latin1 -t utf-8 ${name} > converted.txt`,
    },
  );
}

/**
 * Whether `bytes` look like binary data rather than text in some 8-bit encoding: a NUL byte, or more
 * than 5% control bytes other than tab, line feed, form feed and carriage return, in the first 64 KiB.
 */
export function looksBinary(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, 65536);
  let control = 0;
  for (let i = 0; i < n; i++) {
    const b = bytes[i];
    if (b === 0) return true;
    if ((b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0c && b !== 0x0d) || b === 0x7f) control++;
  }
  return n > 0 && control / n > 0.05;
}

/** Offset of the first byte that does not start or continue a valid UTF-8 sequence (bytes.length if none). */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    let need: number;
    let min: number;
    if (b < 0x80) {
      i++;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      min = 0x10000;
    } else {
      return i;
    }
    if (i + need >= bytes.length) return i;
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if ((c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return i;
}

/** The error for a file that cannot be opened or read, saying what to check. */
export function readError(path: string, err: NodeJS.ErrnoException): LmkitError {
  switch (err.code) {
    case 'ENOENT':
      return new LmkitError(`file not found: ${path}`, { hint: 'check the path' });
    case 'EISDIR':
      return new LmkitError(`${path} is a directory, not a text file`, {
        hint: 'give the path of a file inside it',
      });
    case 'EACCES':
    case 'EPERM':
      return new LmkitError(`cannot read ${path}: permission denied`, {
        hint: `check its permissions (ls -l ${path})`,
      });
    default:
      return new LmkitError(`cannot read ${path}: ${err.message}`, { cause: err });
  }
}
