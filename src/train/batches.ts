/**
 * Batches for next-token training from one token stream: B random windows of block_size + 1 tokens,
 * inputs the first block_size and targets the same shifted by one (nanoGPT's get_batch).
 */
import { LmkitError } from '../errors.js';
import type { Rng } from '../util/rng.js';
import { IntTensor } from '../tensor/tensor.js';

/** Inputs (B, T) and next-token targets (B, T). */
export interface Batch {
  x: IntTensor;
  y: IntTensor;
}

/** Checks that a stream holds at least one window; the error names the stream and what to do. */
export function checkStream(tokens: Int32Array, blockSize: number, name: string): void {
  if (tokens.length < blockSize + 1)
    throw new LmkitError(
      `the ${name} text has ${tokens.length} tokens, fewer than one window of block_size + 1 = ${blockSize + 1}`,
      { hint: 'use more text or a smaller --block_size' },
    );
}

/** Draws `batchSize` windows uniformly at random from the stream. */
export function randomBatch(tokens: Int32Array, batchSize: number, blockSize: number, rng: Rng): Batch {
  const T = blockSize;
  const x = new Int32Array(batchSize * T);
  const y = new Int32Array(batchSize * T);
  const starts = tokens.length - T; // windows start at 0 .. n − T − 1
  for (let b = 0; b < batchSize; b++) {
    const s = rng.int(starts);
    x.set(tokens.subarray(s, s + T), b * T);
    y.set(tokens.subarray(s + 1, s + T + 1), b * T);
  }
  return { x: new IntTensor(x, [batchSize, T]), y: new IntTensor(y, [batchSize, T]) };
}

/** Splits a stream: the first `fraction` for training, the rest for validation. */
export function splitStream(tokens: Int32Array, fraction = 0.9): { train: Int32Array; valid: Int32Array } {
  const cut = Math.floor(tokens.length * fraction);
  return { train: tokens.subarray(0, cut), valid: tokens.subarray(cut) };
}
