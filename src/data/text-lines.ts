/**
 * Reading a user's text file as lines, chunk by chunk: gzip detected by its magic bytes, strict UTF-8,
 * BOM stripped, line endings normalised, and the same errors as a whole-file read. Memory holds one
 * chunk and the line being read, so files of any size stream.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { LmkitError } from '../errors.js';
import { firstInvalidUtf8, isGzip, notUtf8Error, readError } from './text-file.js';

/** Bytes read at a time. */
const CHUNK_BYTES = 1 << 16;

/** Called as a file is read: bytes of the file read so far and its size (compressed bytes for gzip). */
export type ReadProgress = (bytesRead: number, totalBytes: number) => void;

/**
 * Reads `path` as UTF-8 lines without their line breaks (CRLF and CR count as LF), in batches of a
 * chunk's worth; the text after the last line break is the last line ('' when the file ends with one).
 * Errors: missing or unreadable file, a gzip file that cannot be decompressed, invalid UTF-8 (with its
 * byte offset and line), an empty or whitespace-only file (raised at the end).
 */
export async function* readTextLines(path: string, onProgress?: ReadProgress): AsyncGenerator<string[]> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    throw readError(path, err as NodeJS.ErrnoException);
  }
  const head = new Uint8Array(2);
  let size: number;
  try {
    size = (await handle.stat()).size;
    await handle.read(head, 0, 2, 0);
  } catch (err) {
    await handle.close();
    throw readError(path, err as NodeJS.ErrnoException);
  }
  const gzip = isGzip(head);
  const file = handle.createReadStream({ start: 0, highWaterMark: CHUNK_BYTES });
  const source = gzip ? pipeline(file, createGunzip({ chunkSize: CHUNK_BYTES }), () => {}) : file;
  const lines = new LineDecoder(path);
  try {
    try {
      for await (const chunk of source as AsyncIterable<Buffer>) {
        const batch = lines.decode(chunk);
        onProgress?.(file.bytesRead, size);
        if (batch.length) yield batch;
      }
    } catch (err) {
      if (err instanceof LmkitError) throw err;
      if (gzip && (err as NodeJS.ErrnoException).code?.startsWith('Z_')) {
        throw new LmkitError(
          `${path} starts like a gzip file but cannot be decompressed: ${(err as Error).message}`,
          { hint: 'check that the download or copy is complete (gzip -t FILE)' },
        );
      }
      throw readError(path, err as NodeJS.ErrnoException);
    }
    yield lines.end();
  } finally {
    file.destroy();
  }
}

/** Turns chunks of UTF-8 bytes into lines, keeping what a chunk leaves unfinished for the next. */
class LineDecoder {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  /** Line feeds decoded so far (error messages count lines by them, as decodeUtf8 does). */
  private lineBreaks = 0;
  /** The unfinished line, in pieces (joined once its line break comes, so a huge line costs linear time). */
  private partial: string[] = [];
  /** A CR at the end of the last chunk, which may be the first half of a CRLF. */
  private cr = false;
  /** The bytes of the last chunk after its last complete UTF-8 sequence. */
  private tail: Uint8Array = new Uint8Array(0);
  private bytesBefore = 0;
  private anyText = false;
  private nonBlank = false;

  constructor(private readonly name: string) {}

  /** The lines that `chunk` completes. */
  decode(chunk: Uint8Array): string[] {
    let text: string;
    try {
      text = this.decoder.decode(chunk, { stream: true });
    } catch {
      throw this.invalid(chunk);
    }
    const lines = this.lines(text, false);
    this.tail = incompleteTail(chunk.length >= 3 ? chunk : concat(this.tail, chunk));
    this.bytesBefore += chunk.length;
    return lines;
  }

  /** The last line, once the file is read; fails on an unfinished UTF-8 sequence or a file with no text. */
  end(): string[] {
    let text: string;
    try {
      text = this.decoder.decode();
    } catch {
      throw this.invalid(new Uint8Array(0));
    }
    const lines = this.lines(text, true);
    if (!this.nonBlank) {
      throw new LmkitError(`${this.name} is empty${this.anyText ? ' (only whitespace)' : ''}`, {
        hint: 'give a file with at least one line of text',
      });
    }
    return lines;
  }

  private lines(decoded: string, last: boolean): string[] {
    for (let i = decoded.indexOf('\n'); i >= 0; i = decoded.indexOf('\n', i + 1)) this.lineBreaks++;
    let text = this.cr ? '\r' + decoded : decoded;
    this.cr = !last && text.endsWith('\r');
    if (this.cr) text = text.slice(0, -1);
    if (!text && !last) return [];
    if (text) this.anyText = true;
    if (!this.nonBlank && /\S/.test(text)) this.nonBlank = true;
    const parts = text.replace(/\r\n?/g, '\n').split('\n');
    const out: string[] = [];
    if (parts.length > 1) {
      this.partial.push(parts[0]);
      out.push(this.partial.join(''));
      this.partial = [];
      for (let i = 1; i < parts.length - 1; i++) out.push(parts[i]);
    }
    this.partial.push(parts[parts.length - 1]);
    if (last) {
      out.push(this.partial.join(''));
      this.partial = [];
    }
    return out;
  }

  /** The error for invalid UTF-8 found in `chunk` (or at the end of the file when it is empty). */
  private invalid(chunk: Uint8Array): LmkitError {
    const bytes = concat(this.tail, chunk);
    const at = Math.min(firstInvalidUtf8(bytes), bytes.length - 1);
    let line = this.lineBreaks + 1;
    for (let i = 0; i < at; i++) if (bytes[i] === 0x0a) line++;
    return notUtf8Error(this.name, bytes[at], this.bytesBefore - this.tail.length + at, line, bytes);
  }
}

/** The bytes after the last complete UTF-8 sequence of `bytes` (at most 3, an unfinished sequence). */
function incompleteTail(bytes: Uint8Array): Uint8Array {
  for (let k = 1; k <= Math.min(3, bytes.length); k++) {
    const b = bytes[bytes.length - k];
    if ((b & 0xc0) === 0x80) continue;
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return need > k ? bytes.slice(bytes.length - k) : new Uint8Array(0);
  }
  return new Uint8Array(0);
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
