/**
 * A decoding batch's products (not a test): a few rows times a Linear layer's weight, C (M×N) = A (M×K)
 * Wᵀ with W stored (N×K), through the backend's gemm, at the char GPT's shapes (n_embd 128) and GPT-2
 * small's (768). Prints µs per call and per row, best of 5 rounds of about 20 ms, for M = 1 … 64, so the per-row
 * cost of decoding alone (M = 1, sgemv) and of a batch (M > 1) can be compared; run it against another
 * build of the addon (e.g. main's) for the before/after.
 *
 *   node dist/bench/engine/few-rows.js [--threads 1]
 */
import { parseArgs } from 'node:util';
import { kernels } from '../../src/tensor/backend.js';
import { setThreads } from './threads.js';

const { values } = parseArgs({ options: { threads: { type: 'string', default: '1' } } });
setThreads(Number(values.threads));
const k = kernels();
const rows = [1, 2, 4, 8, 16, 32, 64];
console.log(`| N × K | ${rows.map((m) => `M=${m} µs (per row)`).join(' | ')} |`);
console.log(`|---|${rows.map(() => '---').join('|')}|`);
for (const [N, K] of [
  [384, 128],
  [512, 128],
  [128, 512],
  [2304, 768],
  [3072, 768],
]) {
  const W = Float32Array.from({ length: N * K }, () => Math.random() - 0.5);
  const cells = rows.map((M) => {
    const A = Float32Array.from({ length: M * K }, () => Math.random() - 0.5);
    const C = new Float32Array(M * N);
    const call = () => k.gemm(false, true, M, N, K, 1, A, 0, K, W, 0, K, 0, C, 0, N, 1, 0, 0, 0);
    const t = performance.now();
    for (let i = 0; i < 20; i++) call();
    const reps = Math.max(3, Math.round(20 / ((performance.now() - t) / 20))); // about 20 ms a round
    let best = Infinity;
    for (let r = 0; r < 5; r++) {
      const t0 = performance.now();
      for (let i = 0; i < reps; i++) call();
      best = Math.min(best, ((performance.now() - t0) / reps) * 1000);
    }
    return `${best.toFixed(1)} (${(best / M).toFixed(2)})`;
  });
  console.log(`| ${N} × ${K} | ${cells.join(' | ')} |`);
}
