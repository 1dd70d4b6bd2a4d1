import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseSafetensors, serializeSafetensors } from '../../src/nn/safetensors.js';
import { damagedBytes, damagedJson, returnsOrFailsCleanly, runs } from './mutate.js';

const TENSORS = new Map([
  ['wte.weight', { shape: [4, 3], data: Float32Array.from({ length: 12 }, (_, i) => i / 7) }],
  ['ln.bias', { shape: [3], data: new Float32Array([1, -2, 3]) }],
  ['ids', { shape: [2], data: new Int32Array([5, -6]) }],
]);

/** Safetensors bytes with `header` as their JSON header and `data` after it. */
function withHeader(header: unknown, data: Uint8Array): Uint8Array {
  const json = Buffer.from(JSON.stringify(header) ?? 'null');
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

describe('fuzzed safetensors end in a clear error, never a crash or a blind allocation', () => {
  const bytes = serializeSafetensors(TENSORS, { format: 'pt' });
  const headerLen = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  const header = JSON.parse(Buffer.from(bytes.subarray(8, 8 + headerLen)).toString('utf8')) as unknown;
  const data = bytes.subarray(8 + headerLen);

  it('reads back what it wrote', () => {
    const back = parseSafetensors(bytes);
    assert.deepEqual([...back.tensors.keys()], [...TENSORS.keys()]);
  });

  it('truncations, bit flips and extreme header lengths', () => {
    fc.assert(
      fc.property(damagedBytes(bytes), (b) => returnsOrFailsCleanly(() => parseSafetensors(b, 'fuzz'))),
      runs(1000),
    );
  });

  it('headers with wrong types, NaN, huge shapes and offsets, deep nesting', () => {
    fc.assert(
      fc.property(damagedJson(header), (h) =>
        returnsOrFailsCleanly(
          () => parseSafetensors(withHeader(h, data), 'fuzz'),
          () => JSON.stringify(h) ?? '',
        ),
      ),
      runs(600),
    );
  });

  it('refuses shapes and offsets past the data before allocating', () => {
    for (const [shape, offsets] of [
      [
        [2 ** 26, 2 ** 26],
        [0, 2 ** 54],
      ],
      [[2 ** 40], [0, 2 ** 42]],
      [
        [1e15, 1e15],
        [0, 4],
      ],
      [
        [0, 2 ** 53 - 1],
        [0, 0],
      ],
    ]) {
      const h = { x: { dtype: 'F32', shape, data_offsets: offsets } };
      assert.throws(() => parseSafetensors(withHeader(h, new Uint8Array(4)), 'fuzz'), /fuzz/);
    }
  });
});
