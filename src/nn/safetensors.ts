/**
 * safetensors read/write (the format of Hugging Face's `safetensors`): an 8-byte little-endian header
 * length N, N bytes of JSON `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {...}}`,
 * then the raw little-endian tensor bytes. Reading validates everything and names the offending tensor.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { endianness } from 'node:os';
import { LmkitError } from '../errors.js';
import { fmt } from '../tensor/errors.js';
import { numel } from '../tensor/tensor.js';
import { showValue } from '../util/show-value.js';

/** A tensor as stored: F32/F64/I32 data (F16 and BF16 are widened to F32, I64 narrowed to I32). */
export interface StoredTensor {
  dtype: 'F32' | 'F64' | 'I32';
  shape: number[];
  data: Float32Array | Float64Array | Int32Array;
}

/** The tensors and free-form string metadata of a safetensors file. */
export interface SafetensorsFile {
  tensors: Map<string, StoredTensor>;
  metadata: Record<string, string>;
}

/** A safetensors file that is truncated or malformed. */
export class SafetensorsError extends LmkitError {
  /** Creates an error naming the file (and tensor) and what is wrong. */
  constructor(message: string) {
    super(message, { hint: 'the file is damaged or not a safetensors file; re-create or re-download it' });
    this.name = 'SafetensorsError';
  }
}

const SIZES: Record<string, number> = { F32: 4, F64: 8, F16: 2, BF16: 2, I32: 4, I64: 8 };
const MAX_HEADER = 100 << 20;

function f16ToF32(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/** Parses safetensors bytes; `source` names the file in errors. */
export function parseSafetensors(bytes: Uint8Array, source = 'safetensors data'): SafetensorsFile {
  if (endianness() !== 'LE') throw new SafetensorsError('safetensors support needs a little-endian machine');
  const bad = (msg: string) => new SafetensorsError(`${source}: ${msg}`);
  if (bytes.length < 8) throw bad(`truncated: ${bytes.length} bytes, shorter than the 8-byte header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getBigUint64(0, true);
  if (n > BigInt(Math.min(MAX_HEADER, bytes.length - 8)))
    throw bad(
      `header length ${n} exceeds the file (${bytes.length} bytes)${n > MAX_HEADER ? ' or the 100 MB limit' : ''}`,
    );
  const headerLen = Number(n);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLen)));
  } catch (e) {
    throw bad(`header is not valid JSON (${(e as Error).message})`);
  }
  if (!header || typeof header !== 'object' || Array.isArray(header))
    throw bad('header is not a JSON object');
  const dataStart = 8 + headerLen;
  const dataLen = bytes.length - dataStart;
  const tensors = new Map<string, StoredTensor>();
  let metadata: Record<string, string> = {};
  const spans: [number, number, string][] = [];
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (!entry || typeof entry !== 'object' || Object.values(entry).some((v) => typeof v !== 'string'))
        throw bad('__metadata__ must map strings to strings');
      metadata = entry as Record<string, string>;
      continue;
    }
    const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (!e || typeof e !== 'object') throw bad(`tensor '${name}': entry is not an object`);
    const dtype = e.dtype;
    if (typeof dtype !== 'string' || !(dtype in SIZES))
      throw bad(
        `tensor '${name}': unsupported dtype ${showValue(dtype)} (supported: ${Object.keys(SIZES).join(', ')})`,
      );
    const shape = e.shape;
    if (!Array.isArray(shape) || shape.some((d) => !Number.isSafeInteger(d) || d < 0))
      throw bad(`tensor '${name}': shape ${showValue(shape)} is not a list of sizes`);
    const off = e.data_offsets;
    if (
      !Array.isArray(off) ||
      off.length !== 2 ||
      off.some((d) => !Number.isSafeInteger(d) || d < 0) ||
      off[0] > off[1]
    )
      throw bad(`tensor '${name}': data_offsets ${showValue(off)} are invalid`);
    const [begin, end] = off as number[];
    const count = numel(shape as number[]);
    const want = count * SIZES[dtype];
    if (end - begin !== want)
      throw bad(
        `tensor '${name}' ${dtype} ${fmt(shape as number[])} needs ${want} bytes, its offsets span ${end - begin}`,
      );
    if (end > dataLen)
      throw bad(
        `truncated: tensor '${name}' ends at byte ${end} of the data, which has only ${dataLen} bytes`,
      );
    spans.push([begin, end, name]);
    const raw = new Uint8Array(end - begin); // a copy: aligned, and detached from the file's buffer
    raw.set(bytes.subarray(dataStart + begin, dataStart + end));
    let data: Float32Array | Float64Array | Int32Array;
    let stored: StoredTensor['dtype'];
    if (dtype === 'F32') [data, stored] = [new Float32Array(raw.buffer), 'F32'];
    else if (dtype === 'F64') [data, stored] = [new Float64Array(raw.buffer), 'F64'];
    else if (dtype === 'I32') [data, stored] = [new Int32Array(raw.buffer), 'I32'];
    else if (dtype === 'I64') {
      const src = new BigInt64Array(raw.buffer);
      data = new Int32Array(count);
      for (let i = 0; i < count; i++) {
        if (src[i] > 2147483647n || src[i] < -2147483648n)
          throw bad(`tensor '${name}': I64 value ${src[i]} does not fit int32`);
        data[i] = Number(src[i]);
      }
      stored = 'I32';
    } else {
      const dv = new DataView(raw.buffer);
      data = new Float32Array(count);
      for (let i = 0; i < count; i++) {
        const h = dv.getUint16(2 * i, true);
        data[i] = dtype === 'F16' ? f16ToF32(h) : new Float32Array(new Uint32Array([h << 16]).buffer)[0];
      }
      stored = 'F32';
    }
    tensors.set(name, { dtype: stored, shape: shape as number[], data });
  }
  spans.sort((a, b) => a[0] - b[0]);
  let at = 0;
  for (const [begin, end, name] of spans) {
    if (begin !== at)
      throw bad(`tensor '${name}' starts at byte ${begin}; expected ${at} (overlap or gap in the data)`);
    at = end;
  }
  if (at !== dataLen)
    throw bad(`${dataLen - at} bytes after the last tensor are not described by the header`);
  return { tensors, metadata };
}

/** Reads and validates a .safetensors file. */
export function readSafetensors(path: string): SafetensorsFile {
  return parseSafetensors(readFileSync(path), path);
}

/** Serializes tensors (in the given order) and metadata to safetensors bytes. */
export function serializeSafetensors(
  tensors: Map<string, { shape: readonly number[]; data: Float32Array | Float64Array | Int32Array }>,
  metadata: Record<string, string> = {},
): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of tensors) {
    if (t.data.length !== numel(t.shape))
      throw new SafetensorsError(
        `tensor '${name}': ${t.data.length} values do not fit shape ${fmt(t.shape)}`,
      );
    const dtype = t.data instanceof Float32Array ? 'F32' : t.data instanceof Float64Array ? 'F64' : 'I32';
    header[name] = { dtype, shape: [...t.shape], data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  let json = JSON.stringify(header);
  const pad = (8 - ((Buffer.byteLength(json) + 8) % 8)) % 8;
  json += ' '.repeat(pad);
  const hbytes = Buffer.from(json, 'utf8');
  const out = new Uint8Array(8 + hbytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(hbytes.length), true);
  out.set(hbytes, 8);
  let at = 8 + hbytes.length;
  for (const t of tensors.values()) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), at);
    at += t.data.byteLength;
  }
  return out;
}

/** Writes a .safetensors file atomically (temporary file, then rename). */
export function writeSafetensors(
  path: string,
  tensors: Map<string, { shape: readonly number[]; data: Float32Array | Float64Array | Int32Array }>,
  metadata: Record<string, string> = {},
): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, serializeSafetensors(tensors, metadata));
  renameSync(tmp, path);
}
