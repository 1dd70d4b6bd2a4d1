/**
 * Reading a user's text file: gzip detected by its magic bytes, strict UTF-8, BOM stripped, line
 * endings normalised to `\n`, and a clear error for every way the file can be unusable.
 */
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { LmkitError } from '../errors.js';

const gunzipAsync = promisify(gunzip);

/** Reads `path` as UTF-8 text (gunzipped first when it starts with the gzip magic bytes 1f 8b; error offsets then count decompressed bytes). */
export async function readTextFile(path: string): Promise<string> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw readError(path, err as NodeJS.ErrnoException);
  }
  if (isGzip(bytes)) {
    try {
      bytes = await gunzipAsync(bytes);
    } catch (err) {
      throw new LmkitError(
        `${path} starts like a gzip file but cannot be decompressed: ${(err as Error).message}`,
        {
          hint: 'check that the download or copy is complete (gzip -t FILE)',
        },
      );
    }
  }
  const text = decodeUtf8(bytes, path).replace(/\r\n?/g, '\n');
  if (text.trim() === '') {
    throw new LmkitError(`${path} is empty${text.length > 0 ? ' (only whitespace)' : ''}`, {
      hint: 'give a file with at least one line of text',
    });
  }
  return text;
}

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
    const byte = bytes[offset].toString(16).padStart(2, '0');
    throw new LmkitError(
      `${name} is not UTF-8 text: invalid byte 0x${byte} at byte offset ${offset} (line ${line})`,
      {
        hint: `convert it first, e.g. iconv -f latin1 -t utf-8 ${name} > converted.txt`,
      },
    );
  }
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

function readError(path: string, err: NodeJS.ErrnoException): LmkitError {
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
