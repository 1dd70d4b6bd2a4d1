import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import * as T from '../../src/tensor/index.js';
import { IntTensor, Rng, Tensor } from '../../src/tensor/index.js';
import * as nn from '../../src/nn/index.js';
import { tempDir } from '../helpers/paths.js';

const tiny: Partial<nn.GPTConfig> = {
  vocab_size: 11,
  block_size: 8,
  n_layer: 2,
  n_head: 2,
  n_embd: 16,
  dropout: 0,
  bias: true,
};

function p(values: number[]): Tensor {
  return new Tensor(Float32Array.from(values), [values.length], true);
}

describe('modules', () => {
  it('names parameters with dotted paths like Hugging Face GPT-2', () => {
    const names = new nn.GPT(tiny).namedParameters().map((q) => q.name);
    assert.deepEqual(names.slice(0, 4), ['wte.weight', 'wpe.weight', 'h.0.ln_1.weight', 'h.0.ln_1.bias']);
    assert.ok(names.includes('h.1.attn.c_attn.weight'));
    assert.ok(names.includes('h.1.mlp.c_proj.bias'));
    assert.equal(names.at(-1), 'ln_f.bias');
  });

  it('starts near the uniform loss ln(V) and learns a repeated sequence', () => {
    const model = new nn.GPT(tiny, 1);
    const ids = IntTensor.from([1, 2, 3, 4, 5, 6, 7, 8, 2, 3, 4, 5, 6, 7, 8, 9], [2, 8]);
    const tgt = IntTensor.from([2, 3, 4, 5, 6, 7, 8, 9, 3, 4, 5, 6, 7, 8, 9, 10], [2, 8]);
    const opt = new nn.AdamW(model.namedParameters(), { lr: 1e-2, weightDecay: 0 });
    const first = T.tidy(() => model.loss(ids, tgt).item());
    assert.ok(Math.abs(first - Math.log(11)) < 0.1, `initial loss ${first}`);
    let last = first;
    for (let i = 0; i < 40; i++)
      last = T.tidy(() => {
        const loss = model.loss(ids, tgt);
        opt.zeroGrad();
        loss.backward();
        nn.clipGradNorm(model.parameters(), 1);
        opt.step();
        return loss.item();
      });
    assert.ok(last < 0.2, `loss after 40 steps ${last}`);
  });

  it('keeps memory flat over thousands of GPT training steps', async () => {
    const { setFlagsFromString } = await import('node:v8');
    const { runInNewContext } = await import('node:vm');
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const settled = async () => {
      gc();
      await new Promise((r) => setTimeout(r, 50));
      gc();
      return process.memoryUsage().arrayBuffers;
    };
    const model = new nn.GPT(tiny, 5);
    const opt = new nn.AdamW(model.namedParameters(), { lr: 1e-3 });
    const ids = IntTensor.from([1, 2, 3, 4, 5, 6, 7, 8], [1, 8]);
    const step = () =>
      T.tidy(() => {
        const loss = model.loss(ids, ids);
        opt.zeroGrad();
        loss.backward();
        nn.clipGradNorm(model.parameters(), 1);
        opt.step();
      });
    for (let i = 0; i < 200; i++) step();
    const before = await settled();
    for (let i = 0; i < 2000; i++) step();
    const after = await settled();
    assert.ok(
      after - before < 2 << 20,
      `array buffer memory grew by ${after - before} bytes over 2000 steps`,
    );
  });

  it('GRU and LSTM map (B,T,I) to (B,T,H) and train', () => {
    const rng = new Rng(3);
    for (const layer of [new nn.GRU(3, 5, rng), new nn.LSTM(3, 5, rng)]) {
      const x = T.randn([2, 4, 3], rng);
      const target = T.randn([2, 4, 5], rng, 0.5);
      const opt = new nn.Adam(layer.parameters(), { lr: 0.05 });
      const lossAt = () => {
        const d = T.sub(layer.forward(x).output, target);
        return T.mean(T.mul(d, d));
      };
      assert.deepEqual(layer.forward(x).output.shape, [2, 4, 5]);
      const l0 = lossAt().item();
      for (let i = 0; i < 30; i++) {
        const loss = lossAt();
        opt.zeroGrad();
        loss.backward();
        opt.step();
      }
      assert.ok(lossAt().item() < 0.7 * l0);
    }
  });

  it('refuses a checkpoint from another architecture, naming the tensor and shapes', () => {
    const model = new nn.GPT(tiny);
    const other = new nn.GPT({ ...tiny, n_embd: 32 });
    assert.throws(
      () => model.loadStateDict(other.stateDict()),
      /checkpoint tensor 'wte.weight' has shape \[11, 32\], the model expects \[11, 16\]/,
    );
    const deeper = new nn.GPT({ ...tiny, n_layer: 3 });
    assert.throws(() => model.loadStateDict(deeper.stateDict()), /tensor\(s\) the model does not: h\.2\./);
    assert.throws(() => deeper.loadStateDict(model.stateDict()), /missing .* h\.2\./);
  });
});

describe('optimizers and schedules', () => {
  it('SGD with momentum follows PyTorch (v = g first, then μv + g)', () => {
    const x = p([1]);
    const opt = new nn.SGD([x], { lr: 0.1, momentum: 0.9 });
    for (let i = 0; i < 2; i++) {
      x.grad = Float32Array.from([2]);
      opt.step();
    }
    // step 1: v=2, x=0.8; step 2: v=0.9·2+2=3.8, x=0.8−0.38=0.42
    assert.ok(Math.abs(x.data[0] - 0.42) < 1e-6);
  });

  it('AdamW decays decoupled from the gradient and skips exempt roles', () => {
    for (const b of T.nativeAvailable() ? (['ref', 'native'] as const) : (['ref'] as const)) {
      T.setBackend(b);
      const w = p([1, -2]);
      const bias = p([1]);
      const opt = new nn.AdamW(
        [
          { name: 'w', tensor: w, role: 'weight' },
          { name: 'b', tensor: bias, role: 'bias' },
        ],
        { lr: 0.1, weightDecay: 0.5, noDecay: ['bias'] },
      );
      w.grad = Float32Array.from([0.5, 0.5]);
      bias.grad = Float32Array.from([0.5]);
      opt.step();
      // first step: m̂/√v̂ = sign(g) = 1; w ← w(1 − lr·wd) − lr
      assert.ok(Math.abs(w.data[0] - (1 * 0.95 - 0.1)) < 1e-6, `${b}: ${w.data[0]}`);
      assert.ok(Math.abs(w.data[1] - (-2 * 0.95 - 0.1)) < 1e-6);
      assert.ok(Math.abs(bias.data[0] - 0.9) < 1e-6);
    }
    T.setBackend('ref');
  });

  it('clips gradients to the global norm and reports the norm before clipping', () => {
    const a = p([0, 0]);
    const b = p([0]);
    a.grad = Float32Array.from([3, 0]);
    b.grad = Float32Array.from([4]);
    assert.equal(nn.clipGradNorm([a, b], 1), 5);
    assert.ok(Math.abs(a.grad[0] - 0.6) < 1e-5 && Math.abs(b.grad[0] - 0.8) < 1e-5);
  });

  it('names the parameter whose gradient is NaN', () => {
    const a = p([0]);
    a.name = 'h.0.mlp.c_fc.weight';
    a.grad = Float32Array.from([NaN]);
    assert.throws(() => nn.clipGradNorm([a], 1), /gradient of 'h.0.mlp.c_fc.weight' is not finite/);
  });

  it('accumulated gradients of two half batches equal the gradient of the whole batch', () => {
    const rng = new Rng(4);
    const w = T.randn([3, 2], rng);
    w.requiresGrad = true;
    const x = T.randn([4, 3], rng);
    const loss = (rows: Tensor) => T.mean(T.mul(T.matmul(rows, w), T.matmul(rows, w)));
    loss(x).backward();
    const whole = Array.from(w.grad!);
    w.grad = null;
    for (const half of T.split(x, [2, 2], 0)) T.scale(loss(half), 0.5).backward();
    Array.from(w.grad!).forEach((g, i) => assert.ok(Math.abs(g - whole[i]) < 1e-6));
  });

  it('resumes exactly from saved weights and AdamW state', () => {
    const ids = IntTensor.from([1, 2, 3, 4, 5, 6, 7, 8], [1, 8]);
    const tgt = IntTensor.from([2, 3, 4, 5, 6, 7, 8, 9], [1, 8]);
    const train = (model: nn.GPT, opt: nn.AdamW, steps: number) =>
      Array.from({ length: steps }, () =>
        T.tidy(() => {
          const loss = model.loss(ids, tgt);
          opt.zeroGrad();
          loss.backward();
          opt.step();
          return loss.item();
        }),
      );
    const a = new nn.GPT(tiny, 3);
    const optA = new nn.AdamW(a.namedParameters(), { lr: 1e-2 });
    train(a, optA, 3);
    const dir = tempDir();
    nn.writeSafetensors(join(dir, 'model.safetensors'), a.stateDict());
    nn.writeSafetensors(join(dir, 'opt.safetensors'), optA.stateBuffers(), { step: String(optA.stepCount) });
    const expected = train(a, optA, 2);

    const b = new nn.GPT(tiny, 99);
    b.loadStateDict(nn.readSafetensors(join(dir, 'model.safetensors')).tensors);
    const optB = new nn.AdamW(b.namedParameters(), { lr: 1e-2 });
    const saved = nn.readSafetensors(join(dir, 'opt.safetensors'));
    optB.loadState(saved.tensors, Number(saved.metadata.step));
    assert.deepEqual(train(b, optB, 2), expected);
    assert.throws(
      () =>
        new nn.AdamW(new nn.GPT({ ...tiny, n_embd: 8 }).namedParameters(), { lr: 1 }).loadState(
          saved.tensors,
          3,
        ),
      /optimizer state 'wte.weight.exp_avg' has 176 values, the parameter has 88/,
    );
  });

  it('warmup + cosine and linear schedules hit their end points', () => {
    const cos = nn.warmupCosineLR({ lr: 1, warmupSteps: 10, totalSteps: 110, minLr: 0.1 });
    assert.equal(cos(0), 0.1);
    assert.equal(cos(9), 1);
    assert.ok(Math.abs(cos(60) - 0.55) < 1e-12);
    assert.equal(cos(500), 0.1);
    const lin = nn.linearDecayLR({ lr: 1, totalSteps: 100 });
    assert.equal(lin(50), 0.5);
    assert.equal(nn.constantLR(0.3)(1234), 0.3);
  });
});

describe('safetensors', () => {
  const tensors = new Map<string, { shape: number[]; data: Float32Array | Int32Array }>([
    ['a.weight', { shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) }],
    ['ids', { shape: [2], data: Int32Array.from([7, -8]) }],
  ]);

  it('round-trips tensors and metadata through the real format', () => {
    const dir = tempDir();
    const file = join(dir, 'm.safetensors');
    nn.writeSafetensors(file, tensors, { format: 'pt' });
    const bytes = readFileSync(file);
    const n = Number(bytes.readBigUInt64LE(0));
    assert.equal((8 + n) % 8, 0);
    const header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8'));
    assert.deepEqual(header['a.weight'], { dtype: 'F32', shape: [2, 3], data_offsets: [0, 24] });
    const back = nn.readSafetensors(file);
    assert.deepEqual(back.metadata, { format: 'pt' });
    assert.deepEqual(Array.from(back.tensors.get('a.weight')!.data), [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(Array.from(back.tensors.get('ids')!.data), [7, -8]);
  });

  it('reports a truncated file naming the tensor that runs past the end', () => {
    const bytes = nn.serializeSafetensors(tensors);
    assert.throws(
      () => nn.parseSafetensors(bytes.subarray(0, bytes.length - 4), 'm.safetensors'),
      /m.safetensors: truncated: tensor 'ids'/,
    );
    assert.throws(() => nn.parseSafetensors(bytes.subarray(0, 5)), /truncated/);
  });

  it('reports malformed headers', () => {
    const bad = (header: string, data = 0) => {
      const h = Buffer.from(header);
      const out = Buffer.alloc(8 + h.length + data);
      out.writeBigUInt64LE(BigInt(h.length), 0);
      h.copy(out, 8);
      return () => nn.parseSafetensors(out, 'x.safetensors');
    };
    assert.throws(bad('{not json'), /header is not valid JSON/);
    assert.throws(
      bad('{"t":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}', 4),
      /tensor 't' F32 \[2\] needs 8 bytes/,
    );
    assert.throws(
      bad('{"t":{"dtype":"Q4","shape":[1],"data_offsets":[0,1]}}', 1),
      /tensor 't': unsupported dtype/,
    );
    assert.throws(
      bad('{"t":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', 8),
      /tensor 't' starts at byte 4/,
    );
    const huge = Buffer.alloc(16);
    huge.writeBigUInt64LE(1n << 40n, 0);
    assert.throws(() => nn.parseSafetensors(huge), /header length .* exceeds the file/);
  });

  it('reads F16 and BF16 as float32', () => {
    const h = Buffer.from(
      '{"h":{"dtype":"F16","shape":[2],"data_offsets":[0,4]},"b":{"dtype":"BF16","shape":[1],"data_offsets":[4,6]}}',
    );
    const pad = (8 - ((8 + h.length) % 8)) % 8;
    const out = Buffer.alloc(8 + h.length + pad + 6);
    out.writeBigUInt64LE(BigInt(h.length + pad), 0);
    h.copy(out, 8);
    out.fill(0x20, 8 + h.length, 8 + h.length + pad);
    const d = 8 + h.length + pad;
    out.writeUInt16LE(0x3c00, d); // 1.0
    out.writeUInt16LE(0xc000, d + 2); // -2.0
    out.writeUInt16LE(0x3fc0, d + 4); // 1.5 in bfloat16
    const f = nn.parseSafetensors(out);
    assert.deepEqual(Array.from(f.tensors.get('h')!.data), [1, -2]);
    assert.deepEqual(Array.from(f.tensors.get('b')!.data), [1.5]);
  });

  it('saves and restores a GPT', () => {
    const dir = tempDir();
    const a = new nn.GPT(tiny, 1);
    const file = join(dir, 'model.safetensors');
    nn.writeSafetensors(file, a.stateDict());
    const b = new nn.GPT(tiny, 2);
    b.loadStateDict(nn.readSafetensors(file).tensors);
    const ids = IntTensor.from([1, 2, 3], [1, 3]);
    assert.deepEqual(T.noGrad(() => b.forward(ids)).toArray(), T.noGrad(() => a.forward(ids)).toArray());
    writeFileSync(join(dir, 'empty.safetensors'), '');
    assert.throws(() => nn.readSafetensors(join(dir, 'empty.safetensors')), /empty.safetensors: truncated/);
  });
});
