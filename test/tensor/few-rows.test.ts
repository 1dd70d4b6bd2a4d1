import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as T from '../../src/tensor/index.js';
import { refKernels } from '../../src/tensor/backends/ref.js';

/** Random floats in [-1, 1) from a fixed seed. */
function floats(n: number, seed: number): Float32Array {
  const rng = new T.Rng(seed);
  return Float32Array.from({ length: n }, () => 2 * rng.uniform() - 1);
}

describe("native gemm on a decoding batch's few rows (A Wᵀ, W stored N × K)", () => {
  it('matches the reference for 1 to 12 rows, odd N and K, offsets, leading dimensions, alpha and beta', (t) => {
    if (!T.nativeAvailable()) return t.skip('the native addon is not built');
    const before = T.backendInfo().backend;
    T.setBackend('native');
    try {
      const k = T.kernels();
      let seed = 1;
      for (const M of [1, 2, 3, 4, 5, 7, 8, 9, 12])
        for (const [N, K] of [
          [4, 8],
          [7, 13],
          [33, 130],
          [96, 64],
        ])
          for (const [alpha, beta] of [
            [1, 0],
            [0.5, 1],
          ]) {
            const [lda, ldb, ldc] = [K + 3, K + 1, N + 2];
            const A = floats(2 + M * lda, seed++);
            const B = floats(5 + N * ldb, seed++);
            const C0 = floats(1 + M * ldc, seed++);
            if (beta === 0) C0.fill(NaN); // beta 0 must not read what C held
            const [ours, ref] = [C0.slice(), C0.slice()];
            const args = [M, N, K, alpha, A, 2, lda, B, 5, ldb, beta] as const;
            k.gemm(false, true, ...args, ours, 1, ldc, 1, 0, 0, 0);
            refKernels.gemm(false, true, ...args, ref, 1, ldc, 1, 0, 0, 0);
            for (let i = 0; i < ours.length; i++) {
              const inside = i >= 1 && (i - 1) % ldc < N && i < 1 + M * ldc;
              if (!inside)
                assert.ok(Object.is(ours[i], C0[i]), `M=${M} N=${N} K=${K}: wrote outside C at ${i}`);
              else
                assert.ok(
                  Math.abs(ours[i] - ref[i]) <= 1e-4 * (1 + Math.abs(ref[i])),
                  `M=${M} N=${N} K=${K} alpha=${alpha} beta=${beta} at ${i}: ${ours[i]} vs ${ref[i]}`,
                );
            }
          }
    } finally {
      T.setBackend(before);
    }
  });
});
