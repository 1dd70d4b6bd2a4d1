/**
 * Buffer reuse for op results. Results of ops computed inside `tidy()` are released when it returns
 * (except the ones it returns), and their float32 buffers go back to a size-keyed pool that later
 * ops draw from, so a training step allocates nothing once the pool is warm and memory stays flat.
 */

/** Bytes the pool may hold before it lets released buffers go to the garbage collector. */
const POOL_CAP_BYTES = 1 << 30;

const free = new Map<number, Float32Array[]>();
let pooledBytes = 0;

/** A float32 buffer of length n whose contents are unspecified (from the pool when one fits). */
export function allocF32(n: number): Float32Array {
  const list = free.get(n);
  const buf = list?.pop();
  if (buf) {
    pooledBytes -= buf.byteLength;
    return buf;
  }
  return new Float32Array(n);
}

/** A zero-filled float32 buffer of length n. */
export function zerosF32(n: number): Float32Array {
  const list = free.get(n);
  const buf = list?.pop();
  if (buf) {
    pooledBytes -= buf.byteLength;
    return buf.fill(0);
  }
  return new Float32Array(n);
}

/** Returns a buffer nobody references any more to the pool. */
export function releaseF32(buf: Float32Array): void {
  if (buf.length < 16 || buf.byteOffset !== 0 || buf.byteLength !== buf.buffer.byteLength) return;
  if (pooledBytes + buf.byteLength > POOL_CAP_BYTES) return;
  let list = free.get(buf.length);
  if (!list) free.set(buf.length, (list = []));
  list.push(buf);
  pooledBytes += buf.byteLength;
}

/** Empties the pool (its buffers become garbage). */
export function clearPool(): void {
  free.clear();
  pooledBytes = 0;
}

/** Bytes currently held by the pool. */
export function pooledByteCount(): number {
  return pooledBytes;
}
