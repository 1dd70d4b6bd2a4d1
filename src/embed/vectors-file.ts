/**
 * The word2vec file formats (word2vec.c; gensim's load_word2vec_format / save_word2vec_format), read and
 * written. Both start with a text header "VOCAB_SIZE DIMENSION\n". Then, per word:
 * - text (.txt, .vec): the word and its DIMENSION numbers separated by single spaces, one word a line;
 * - binary (.bin): the word's UTF-8 bytes, a space, DIMENSION little-endian float32s, and a line feed
 *   (word2vec.c writes it; gensim omits it, and readers skip it).
 * Writes are atomic. A header that is not two counts, a record with the wrong number of values, bytes
 * that are not UTF-8 or a file shorter than its header says are errors naming the place.
 */
import { readFileSync } from 'node:fs';
import { LmkitError } from '../errors.js';
import { decodeUtf8, readError } from '../data/text-file.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { shortestFloat32 } from '../util/float-format.js';
import { KeyedVectors } from './keyed-vectors.js';

/** How a vectors file stores its numbers. */
export type VectorsFormat = 'text' | 'binary';

/** The format a file name implies: .bin is binary, .txt/.vec (and .txt.gz-less others) text; null when unsure. */
export function formatOfName(path: string): VectorsFormat | null {
  if (/\.bin$/i.test(path)) return 'binary';
  if (/\.(txt|vec)$/i.test(path)) return 'text';
  return null;
}

/** Writes vectors in the word2vec format (binary for .bin unless `format` says otherwise), atomically. */
export function writeVectors(
  path: string,
  kv: KeyedVectors,
  format: VectorsFormat = formatOfName(path) ?? 'text',
): void {
  for (const w of kv.words)
    if (!w || /\s/.test(w))
      throw new LmkitError(
        `the word ${JSON.stringify(w)} cannot be written: words may not be empty or hold whitespace`,
      );
  writeFileAtomic(path, format === 'binary' ? binaryChunks(kv) : textChunks(kv));
}

function* textChunks(kv: KeyedVectors): Generator<string> {
  const D = kv.dim;
  yield `${kv.size} ${D}\n`;
  const lines: string[] = [];
  for (let i = 0; i < kv.size; i++) {
    const parts = [kv.words[i]];
    for (let d = 0; d < D; d++) parts.push(shortestFloat32(kv.vectors[i * D + d]));
    lines.push(parts.join(' '));
    if (lines.length === 1024 || i === kv.size - 1) {
      yield lines.join('\n') + '\n';
      lines.length = 0;
    }
  }
}

function* binaryChunks(kv: KeyedVectors): Generator<Uint8Array | string> {
  const D = kv.dim;
  yield `${kv.size} ${D}\n`;
  for (let i = 0; i < kv.size; i++) {
    const word = Buffer.from(kv.words[i] + ' ', 'utf8');
    const rec = Buffer.alloc(word.length + 4 * D + 1);
    word.copy(rec, 0);
    for (let d = 0; d < D; d++) rec.writeFloatLE(kv.vectors[i * D + d], word.length + 4 * d);
    rec[rec.length - 1] = 0x0a;
    yield rec;
  }
}

/** Reads a word2vec text or binary file (the format from its name, else from its contents). */
export function readVectors(path: string, format?: VectorsFormat): KeyedVectors {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw readError(path, err as NodeJS.ErrnoException);
  }
  const { V, D, end } = readHeader(bytes, path);
  const fmt = format ?? formatOfName(path) ?? sniffFormat(bytes, end, D);
  return fmt === 'binary' ? readBinary(bytes, end, V, D, path) : readText(bytes, end, V, D, path);
}

/** The header's counts and where the records start. */
function readHeader(bytes: Buffer, path: string): { V: number; D: number; end: number } {
  const nl = bytes.indexOf(0x0a);
  const line = bytes
    .subarray(0, nl < 0 ? Math.min(bytes.length, 80) : nl)
    .toString('latin1')
    .trim();
  const m = /^(\d+)\s+(\d+)$/.exec(line);
  if (!m || nl < 0)
    throw new LmkitError(
      `${path} is not a word2vec vectors file: its first line should be 'VOCAB_SIZE DIMENSION', found ${JSON.stringify(line.slice(0, 60))}`,
      { hint: "write vectors with 'lmkit embed train' or gensim's save_word2vec_format" },
    );
  const V = Number(m[1]);
  const D = Number(m[2]);
  if (D < 1) throw new LmkitError(`${path}: the header gives dimension 0; vectors need at least one`);
  return { V, D, end: nl + 1 };
}

/** Text when the first record line reads as a word and D numbers; binary otherwise. */
function sniffFormat(bytes: Buffer, start: number, D: number): VectorsFormat {
  const nl = bytes.indexOf(0x0a, start);
  const line = bytes.subarray(start, nl < 0 ? bytes.length : nl);
  const text = new TextDecoder('utf-8', { fatal: false }).decode(line);
  const fields = text.trimEnd().split(' ');
  return fields.length === D + 1 && fields.slice(1).every((f) => f !== '' && Number.isFinite(Number(f)))
    ? 'text'
    : 'binary';
}

function readText(bytes: Buffer, start: number, V: number, D: number, path: string): KeyedVectors {
  const lines = decodeUtf8(bytes.subarray(start), path).split('\n');
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  const nonEmpty = lines.filter((l) => l.trim() !== '');
  if (nonEmpty.length !== V)
    throw new LmkitError(`${path}: the header says ${V} words, the file holds ${nonEmpty.length}`, {
      hint: 'the file may be cut short, or its header wrong',
    });
  const words: string[] = [];
  const vectors = new Float32Array(V * D);
  let i = 0;
  for (let k = 0; k < lines.length; k++) {
    const line = lines[k].replace(/\r$/, '').trimEnd();
    if (!line.trim()) continue;
    const fields = line.split(' ');
    if (fields.length !== D + 1)
      throw new LmkitError(
        `${path} line ${k + 2}: the word ${JSON.stringify(fields[0])} has ${fields.length - 1} values, the header says dimension ${D}`,
      );
    words.push(fields[0]);
    for (let d = 0; d < D; d++) {
      const v = Number(fields[d + 1]);
      if (fields[d + 1] === '' || Number.isNaN(v))
        throw new LmkitError(`${path} line ${k + 2}: ${JSON.stringify(fields[d + 1])} is not a number`);
      vectors[i * D + d] = v;
    }
    i++;
  }
  return new KeyedVectors(words, vectors, D);
}

function readBinary(bytes: Buffer, start: number, V: number, D: number, path: string): KeyedVectors {
  const words: string[] = [];
  const vectors = new Float32Array(V * D);
  const out = new Uint8Array(vectors.buffer);
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let pos = start;
  const malformed = (i: number, why: string) =>
    new LmkitError(`${path}: record ${i + 1} of ${V} ${why} (byte offset ${pos})`, {
      hint: `check that the file is whole and its header's dimension (${D}) is right`,
    });
  for (let i = 0; i < V; i++) {
    while (pos < bytes.length && (bytes[pos] === 0x0a || bytes[pos] === 0x0d)) pos++;
    const space = bytes.indexOf(0x20, pos);
    if (pos >= bytes.length || space < 0) throw malformed(i, 'is missing: the file ends early');
    if (space - pos > 1000) throw malformed(i, 'does not start with a word');
    let word: string;
    try {
      word = decoder.decode(bytes.subarray(pos, space));
    } catch {
      throw malformed(i, 'starts with bytes that are not UTF-8');
    }
    // eslint-disable-next-line no-control-regex -- a word never holds control characters
    if (!word || /[\x00-\x1f]/.test(word)) throw malformed(i, 'does not start with a word');
    pos = space + 1;
    if (pos + 4 * D > bytes.length) throw malformed(i, `is cut short: ${D} float32s do not fit`);
    out.set(bytes.subarray(pos, pos + 4 * D), i * 4 * D);
    pos += 4 * D;
    words.push(word);
  }
  while (pos < bytes.length && /\s/.test(String.fromCharCode(bytes[pos]))) pos++;
  if (pos < bytes.length)
    throw new LmkitError(`${path}: bytes follow the ${V} words the header announces (byte offset ${pos})`, {
      hint: `check the header's counts (${V} ${D})`,
    });
  return new KeyedVectors(words, vectors, D);
}
