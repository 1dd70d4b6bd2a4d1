/**
 * lmkit's binary n-gram format: the model's arrays as they sit in memory, so loading is one read (or
 * mapping) and a few typed-array views (no parsing, no hashing). Little-endian, 4-byte aligned:
 *
 *   "LMKITNG1" | u32 header length | JSON header | vocabulary (words separated by NUL)
 *   version 3: unigrams ([log10 p, backoff] f32 × |V|) | the probing index's slots (i32, all orders; see
 *              probing-index.ts: [parent, word, log10 p, backoff] per slot, no backoff at the top order)
 *   version 2: per order n, hash slots (i32 × 3: prefix row, word id, row + 1; n ≥ 2) | log10 p (f32) |
 *              backoff (f32, below the top)   (still read; written by lmkit before version 3)
 *
 * Version 3 takes about 21 bytes per n-gram below the top order and 16 at the top (load factor 3/4).
 */
import { endianness } from 'node:os';
import { LmkitError } from '../errors.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { readFileMapped } from '../util/map-file.js';
import { BackoffModel, type ModelInfo } from './backoff-model.js';
import { NGramTable } from './ngram-table.js';
import { ProbingIndex, type ProbingLayout } from './probing-index.js';
import { NGramVocabulary } from './vocabulary.js';

const MAGIC = 'LMKITNG1';

interface Header {
  version: number;
  order: number;
  info: ModelInfo;
  missingContextBackoff: number;
  vocabBytes: number;
  sizes: number[];
  /** Version 2: Int32s of hash slots per order (0 for order 1). */
  slots?: number[];
  /** Version 3: where each order's slots lie. */
  layout?: ProbingLayout;
}

/** True when the bytes start like an lmkit binary n-gram model. */
export function isBinaryModel(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && Buffer.from(bytes.buffer, bytes.byteOffset, 8).toString('latin1') === MAGIC;
}

/** Writes `model` in the binary format (version 3) at `path` (atomically). */
export function writeBinary(model: BackoffModel, path: string): void {
  const { order } = model;
  const parts = model.indexParts();
  const joined = model.vocab.joinedBytes();
  const vocab = joined.subarray(0, joined.length - 1);
  const header: Header = {
    version: 3,
    order,
    info: model.info,
    missingContextBackoff: model.missingContextBackoff,
    vocabBytes: vocab.length,
    sizes: Array.from({ length: order }, (_, i) => model.size(i + 1)),
    layout: parts.layout,
  };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const start = Buffer.alloc(12);
  start.write(MAGIC, 0, 'latin1');
  start.writeUInt32LE(json.length, 8);
  writeFileAtomic(path, chunks());

  function* chunks(): Generator<Uint8Array> {
    yield* [start, json, pad(12 + json.length), vocab, pad(vocab.length), bytesOf(parts.unigram)];
    for (const block of parts.slots) yield bytesOf(block);
  }
}

/** Reads a binary model written by `writeBinary`. */
export function readBinary(path: string, bytes: Buffer = readFileMapped(path)): BackoffModel {
  if (endianness() !== 'LE')
    throw new LmkitError('binary n-gram models need a little-endian machine; use the ARPA file');
  if (!isBinaryModel(bytes)) throw new LmkitError(`${path} is not an lmkit binary n-gram model`);
  const fail = (what: string): never => {
    throw new LmkitError(`${path}: ${what}`, {
      hint: 'the file is truncated or damaged; write it again from the ARPA file',
    });
  };
  if (bytes.length < 12) fail('too short');
  const buf = bytes.byteOffset % 4 === 0 ? bytes : Buffer.from(bytes);
  const jsonLen = buf.readUInt32LE(8);
  if (12 + jsonLen > buf.length) fail('header runs past the end of the file');
  let header: Header;
  try {
    header = JSON.parse(buf.toString('utf8', 12, 12 + jsonLen)) as Header;
  } catch {
    return fail('header is not valid JSON');
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header))
    return fail('header is not a JSON object');
  if (header.version !== 2 && header.version !== 3) {
    throw new LmkitError(
      `${path} is binary format version ${header.version}; this lmkit reads versions 2 and 3`,
      {
        hint: "train it again, or convert its ARPA file with 'lmkit ngram convert MODEL.arpa MODEL.bin'",
      },
    );
  }
  const bad = badHeaderField(header);
  if (bad) fail(`bad header field '${bad}'`);
  let off = align(12 + jsonLen);
  if (off + header.vocabBytes > buf.length) fail('vocabulary runs past the end of the file');
  const vocab = NGramVocabulary.fromBytes(buf.subarray(off, off + header.vocabBytes), header.sizes[0]);
  off = align(off + header.vocabBytes);
  const { order } = header;
  if (vocab.size !== header.sizes[0])
    fail(`vocabulary has ${vocab.size} words, header says ${header.sizes[0]}`);

  const i32 = (count: number): Int32Array => {
    if (!Number.isSafeInteger(count) || count < 0 || off + count * 4 > buf.length)
      fail(`data ends early (needs ${off + count * 4} bytes, has ${buf.length})`);
    const a = new Int32Array(buf.buffer, buf.byteOffset + off, count);
    off += count * 4;
    return a;
  };
  const f32 = (count: number): Float32Array =>
    new Float32Array(i32(count).buffer, buf.byteOffset + off - count * 4, count);
  if (header.version === 3) {
    const layout = header.layout;
    if (!layout || !validLayout(layout, order, header.sizes)) return fail('bad slot layout in the header');
    const unigram = f32(2 * vocab.size);
    const slots = i32(ProbingIndex.slotLength(layout));
    if (off !== buf.length) fail(`${buf.length - off} unexpected bytes after the data`);
    const index = new ProbingIndex(order, unigram, slots, layout);
    index.missingContextBackoff = header.missingContextBackoff;
    return BackoffModel.fromIndex(vocab, index, header.info);
  }
  const tables: NGramTable[] = [new NGramTable(1), new NGramTable(1)];
  const logProb: Float32Array[] = [new Float32Array(0)];
  const backoff: Float32Array[] = [new Float32Array(0)];
  for (let n = 1; n <= order; n++) {
    const size = header.sizes[n - 1];
    if (n > 1) {
      const slots = i32(header.slots?.[n - 1] ?? 0);
      if (slots.length % 3 !== 0 || slots.length / 3 <= size) fail(`bad hash table size for order ${n}`);
      tables.push(NGramTable.fromSlots(slots, size));
    }
    logProb.push(f32(size));
    backoff.push(n < order ? f32(size) : new Float32Array(0));
  }
  if (off !== buf.length) fail(`${buf.length - off} unexpected bytes after the data`);
  const model = new BackoffModel(order, vocab, tables, logProb, backoff, header.info);
  model.missingContextBackoff = header.missingContextBackoff;
  return model;
}

/** Highest order a binary model may declare. */
const MAX_ORDER = 64;

/** The first header field whose type or range is wrong (sizes are checked against the file later); null when all are fine. */
function badHeaderField(h: Header): string | null {
  const count = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;
  if (!Number.isInteger(h.order) || h.order < 1 || h.order > MAX_ORDER) return 'order';
  if (!count(h.vocabBytes)) return 'vocabBytes';
  if (!Array.isArray(h.sizes) || h.sizes.length < h.order || !h.sizes.every(count)) return 'sizes';
  if (typeof h.missingContextBackoff !== 'number' || Number.isNaN(h.missingContextBackoff))
    return 'missingContextBackoff';
  if (typeof h.info !== 'object' || h.info === null || Array.isArray(h.info)) return 'info';
  if (h.slots !== undefined && !(Array.isArray(h.slots) && h.slots.every(count))) return 'slots';
  return null;
}

/** True when every order's slots are consistent: more slots than n-grams, laid end to end. */
function validLayout(layout: ProbingLayout, order: number, sizes: number[]): boolean {
  if (typeof layout !== 'object' || layout === null) return false;
  const { base, capacity, stride } = layout;
  if (![base, capacity, stride, layout.sizes].every(Array.isArray)) return false;
  if (![base, capacity, stride].every((a) => a.every((v) => Number.isSafeInteger(v) && v >= 0))) return false;
  let next = 0;
  for (let n = 2; n <= order; n++) {
    if (base[n] !== next || !(capacity[n] > sizes[n - 1]) || stride[n] !== (n < order ? 4 : 3)) return false;
    if (layout.sizes[n - 1] !== sizes[n - 1]) return false;
    next += capacity[n] * stride[n];
  }
  return Number.isSafeInteger(next) && next < 2 ** 31;
}

function bytesOf(a: Int32Array | Float32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

function align(n: number): number {
  return (n + 3) & ~3;
}

function pad(n: number): Uint8Array {
  return new Uint8Array(align(n) - n);
}
