/**
 * sgemm throughput through the engine's matmul op (Tensor level, no autograd) at N = 64, 256, 1024,
 * reported in GFLOP/s and as a fraction of the core's fp32 peak (--peak, GFLOP/s per thread).
 *
 *   node dist/bench/engine/sgemm.js [--threads 1] [--peak 218] [--json]
 */
import { parseArgs } from 'node:util';
import { Rng, backendInfo, matmul, noGrad, randn, setBackend, tidy } from '../../src/tensor/index.js';
import { setThreads } from './threads.js';

const { values } = parseArgs({
  options: {
    threads: { type: 'string', default: '1' },
    peak: { type: 'string', default: '218' },
    backend: { type: 'string', default: 'native' },
    json: { type: 'boolean', default: false },
  },
});
setBackend(values.backend === 'ref' ? 'ref' : 'native');
const threads = Number(values.threads);
setThreads(threads);
const peak = Number(values.peak) * threads;
const rng = new Rng(0);
const rows: { n: number; gflops: number; usPerCall: number; ofPeak: number }[] = [];
for (const n of [64, 256, 1024]) {
  const a = randn([n, n], rng);
  const b = randn([n, n], rng);
  const once = () => tidy(() => void noGrad(() => matmul(a, b)));
  for (let i = 0; i < 5; i++) once();
  let best = Infinity;
  for (let r = 0; r < 3; r++) {
    let reps = 0;
    const t0 = performance.now();
    let t = 0;
    while ((t = (performance.now() - t0) / 1000) < 0.4) {
      once();
      reps++;
    }
    best = Math.min(best, t / reps);
  }
  const gflops = (2 * n ** 3) / best / 1e9;
  rows.push({ n, gflops, usPerCall: best * 1e6, ofPeak: gflops / peak });
}
const info = backendInfo();
if (values.json)
  console.log(JSON.stringify({ backend: info.backend, core: info.blas?.corename, threads, rows }));
else
  for (const r of rows)
    console.log(
      `lmkit matmul backend=${info.backend} core=${info.blas?.corename} threads=${threads} N=${String(r.n).padStart(5)} ` +
        `${r.gflops.toFixed(1).padStart(7)} GFLOP/s ${r.usPerCall.toFixed(1).padStart(10)} us/call ` +
        `(${(100 * r.ofPeak).toFixed(0)}% of ${peak} peak)`,
    );
