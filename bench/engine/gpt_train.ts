/**
 * The GPT training step of nanoGPT's CPU configuration (4 layers, 4 heads, n_embd 128, block 64,
 * batch 12, vocab 65 = 64 most frequent characters + unknown, no dropout, no biases in linears,
 * AdamW lr 1e-3 betas 0.9/0.99 wd 0.1, clip 1.0), exactly as ../shared/bench/torch_gpt_bench.py, or
 * with `--shape shakespeare-char` the shape of nanoGPT's config/train_shakespeare_char.py (6 layers,
 * 6 heads, n_embd 384, block 256; its batch is 64, the default here is 16, `--batch` sets it; dropout 0
 * as PyTorch's side, bench/engine/torch_train.py). Prints tokens/s (batch × block per optimizer step:
 * forward, backward, clip, AdamW) and peak RSS.
 *
 *   node dist/bench/engine/gpt_train.js --data TEXT_FILE [--steps 100] [--warmup 10] [--threads 1]
 *       [--shape nanogpt-cpu|shakespeare-char] [--batch B]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { AdamW, GPT, clipGradNorm } from '../../src/nn/index.js';
import { IntTensor, Rng, backendInfo, setBackend, tidy } from '../../src/tensor/index.js';
import { SHAPES } from './shapes.js';
import { setThreads } from './threads.js';

const { values } = parseArgs({
  options: {
    data: { type: 'string' },
    steps: { type: 'string', default: '100' },
    warmup: { type: 'string', default: '10' },
    threads: { type: 'string', default: '1' },
    backend: { type: 'string', default: 'native' },
    shape: { type: 'string', default: 'nanogpt-cpu' },
    batch: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});
const shape = SHAPES[values.shape as keyof typeof SHAPES];
if (!shape) throw new Error(`--shape must be one of ${Object.keys(SHAPES).join(', ')}`);
if (!values.data) throw new Error('--data TEXT_FILE is required');
setBackend(values.backend === 'ref' ? 'ref' : 'native');
setThreads(Number(values.threads));

const B = Number(values.batch ?? shape.batch);
const T = shape.block;
const V = 65;
const text = readFileSync(values.data, 'utf8');
const counts = new Map<string, number>();
for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
const top = [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, V - 1);
const stoi = new Map(top.map(([c], i) => [c, i + 1]));
const data = Int32Array.from([...text], (c) => stoi.get(c) ?? 0);

const model = new GPT(
  {
    vocab_size: V,
    block_size: T,
    n_layer: shape.layers,
    n_head: shape.heads,
    n_embd: shape.embd,
    dropout: 0,
    bias: false,
  },
  0,
);
const params = model.namedParameters();
const opt = new AdamW(params, { lr: 1e-3, betas: [0.9, 0.99], weightDecay: 0.1 });
const rng = new Rng(0);
const x = new Int32Array(B * T);
const y = new Int32Array(B * T);
const xs = new IntTensor(x, [B, T]);
const ys = new IntTensor(y, [B, T]);

function step(): number {
  for (let b = 0; b < B; b++) {
    const i = rng.int(data.length - T - 1);
    x.set(data.subarray(i, i + T), b * T);
    y.set(data.subarray(i + 1, i + 1 + T), b * T);
  }
  return tidy(() => {
    const loss = model.loss(xs, ys);
    opt.zeroGrad();
    loss.backward();
    clipGradNorm(params, 1.0);
    opt.step();
    return loss.item();
  });
}

const warm = Number(values.warmup);
const steps = Number(values.steps);
let l0 = NaN;
for (let i = 0; i < warm; i++) l0 = step();
const t0 = performance.now();
let l = NaN;
for (let i = 0; i < steps; i++) l = step();
const dt = (performance.now() - t0) / 1000 / steps;
const info = backendInfo();
const result = {
  backend: info.backend,
  core: info.blas?.corename ?? null,
  shape: values.shape,
  batch: B,
  threads: Number(values.threads),
  msPerStep: dt * 1000,
  tokensPerSec: (B * T) / dt,
  lossAfterWarmup: l0,
  lossEnd: l,
  peakRssMiB: process.resourceUsage().maxRSS / 1024,
  params: model.parameterCount(),
};
if (values.json) console.log(JSON.stringify(result));
else
  console.log(
    `lmkit GPT train backend=${result.backend} core=${result.core} threads=${result.threads}: ` +
      `${result.msPerStep.toFixed(2)} ms/step, ${result.tokensPerSec.toFixed(0)} tokens/s over ${steps} steps ` +
      `(loss after warmup ${l0.toFixed(3)} -> ${l.toFixed(3)}), peak RSS ${result.peakRssMiB.toFixed(0)} MiB`,
  );
