import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { logSoftmaxRow as logSoftmax } from '../../src/tensor/ops/softmax.js';
import { GPTModel } from '../../src/models/gpt.js';
import { validateGPTConfig, type GPTConfig as GPTModelConfig } from '../../src/nn/gpt-config.js';
import { loadLanguageModel } from '../../src/models/load.js';
import { readSafetensors } from '../../src/nn/safetensors.js';
import * as T from '../../src/tensor/index.js';
import { rotary } from '../../src/tensor/ops/rope.js';
import { CharTokenizer } from '../../src/tokenizers/char.js';
import { tempDir } from '../helpers/paths.js';
import { testBackends } from '../tensor/backends.js';
import { checkOp, type OpCase } from '../tensor/gradcheck.js';

const tokenizer = CharTokenizer.train(['hello world\nthe end of it all\n']);

function config(over: Partial<GPTModelConfig> = {}): GPTModelConfig {
  return {
    n_layer: 2,
    n_head: 2,
    n_embd: 16,
    block_size: 12,
    vocab_size: tokenizer.vocabSize,
    dropout: 0,
    bias: true,
    rope: false,
    norm: 'layernorm',
    ...over,
  };
}

/** max |a − b| over two arrays. */
function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

const C = 8;
const H = 2;
const cases: OpCase[] = [
  {
    name: 'rotary',
    inputs: [{ shape: [2, 3, 3 * C] }],
    fn: ([qkv]) => rotary(qkv, H),
  },
  {
    name: 'rotary at offset 37',
    inputs: [{ shape: [1, 2, 3 * C] }],
    fn: ([qkv]) => rotary(qkv, H, 37),
  },
  { name: 'matmul one row', inputs: [{ shape: [1, 4] }, { shape: [4, 5] }], fn: ([a, b]) => T.matmul(a, b) },
  {
    name: 'matmul one row transB',
    inputs: [{ shape: [1, 4] }, { shape: [5, 4] }],
    fn: ([a, b]) => T.matmul(a, b, { transB: true }),
  },
  {
    name: 'matmul one row transA',
    inputs: [{ shape: [4, 1] }, { shape: [4, 5] }],
    fn: ([a, b]) => T.matmul(a, b, { transA: true }),
  },
  {
    // the attention half of a rope/rmsnorm block: x + c_proj(attn(rope(c_attn(rmsnorm(x)))))
    name: 'rmsnorm → c_attn → rotary → causal attention → c_proj, residual',
    inputs: [{ shape: [2, 3, C] }, { shape: [C] }, { shape: [3 * C, C] }, { shape: [C, C] }],
    fn: ([x, g, wa, wp]) => {
      const qkv = T.matmul(T.rmsNorm(x, g), wa, { transB: true });
      const y = T.causalSelfAttention(rotary(qkv, H), H);
      return T.add(x, T.matmul(y, wp, { transB: true }));
    },
  },
];

describe('rotary embeddings and one-row products: gradients by finite differences', () => {
  const backends = testBackends();
  for (const c of cases) it(c.name, () => checkOp(c, backends));

  it('keeps each pair of features at its length and turns position 0 not at all', () => {
    const x = T.randn([1, 2, 3 * C], new T.Rng(3));
    const y = rotary(x, H);
    const d = C / H;
    for (let h = 0; h < H; h++)
      for (let i = 0; i < d / 2; i++) {
        const a = 3 * C + h * d + i; // row 1 (position 1), q
        const before = Math.hypot(x.data[a], x.data[a + d / 2]);
        assert.ok(Math.abs(Math.hypot(y.data[a], y.data[a + d / 2]) - before) < 1e-5);
      }
    assert.deepEqual(Array.from(y.data.subarray(0, 3 * C)), Array.from(x.data.subarray(0, 3 * C)));
    assert.deepEqual(Array.from(y.data.subarray(5 * C, 6 * C)), Array.from(x.data.subarray(5 * C, 6 * C)));
  });
});

describe('GPT options: rope and rmsnorm', () => {
  for (const [name, over] of [
    ['rope', { rope: true }],
    ['rmsnorm', { norm: 'rmsnorm' }],
    ['rope + rmsnorm', { rope: true, norm: 'rmsnorm', bias: false }],
    ['GPT-2 layout', {}],
  ] as const) {
    it(`${name}: the KV cache gives the training forward's probabilities at every position`, () => {
      const model = new GPTModel(config(over), tokenizer, 5);
      const seq = tokenizer.encode('the end of it al');
      const full = model.forwardLogits([...model.prefix, ...seq.slice(0, 11)]);
      const V = model.config.vocab_size;
      const want = (t: number) => logSoftmax(full.subarray(t * V, (t + 1) * V));
      const state = model.start(seq.slice(0, 3)); // prefill of 4 tokens (the line-start token first)
      assert.ok(maxDiff(state.logProbs(), want(3)) < 1e-4, 'after the prefill');
      state.push(seq[3]); // then a chunk of two at position 4, then one at a time
      state.push(seq[4]);
      for (let t = 5; t <= 11; t++) {
        assert.ok(maxDiff(state.logProbs(), want(t)) < 1e-4, `position ${t}`);
        if (t < 11) state.push(seq[t]);
      }
      // without the cache every step is a fresh pass over the context: the same probabilities
      model.kvCache = false;
      const fresh = model.start(seq.slice(0, 8));
      model.kvCache = true;
      assert.ok(maxDiff(fresh.logProbs(), want(8)) < 1e-4, 'without the cache');
    });
  }

  it('has no position table with rope, and every parameter gets a gradient', () => {
    const model = new GPTModel(config({ rope: true, norm: 'rmsnorm' }), tokenizer, 2);
    const names = model.net.namedParameters().map((p) => p.name);
    assert.ok(!names.some((n) => n.startsWith('wpe')), names.join());
    assert.ok(names.includes('h.0.ln_1.weight') && !names.includes('h.0.ln_1.bias'));
    model.net.train();
    const ids = T.IntTensor.from(tokenizer.encode('hello world'), [1, 11]);
    const targets = T.IntTensor.from(tokenizer.encode('ello world\n'), [1, 11]);
    model.net.loss(ids, targets).backward();
    for (const { name, tensor } of model.net.namedParameters()) {
      assert.ok(tensor.grad, `${name} has no gradient`);
      assert.ok(
        Array.from(tensor.grad).some((g) => g !== 0),
        `${name}'s gradient is all zero`,
      );
    }
  });

  it('saves rope/rmsnorm checkpoints that record their options and load exactly', () => {
    const dir = tempDir();
    const model = new GPTModel(config({ rope: true, norm: 'rmsnorm' }), tokenizer, 9);
    model.save(dir);
    const json = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    assert.equal(json.rope, true);
    assert.equal(json.norm, 'rmsnorm');
    assert.equal(json.rope_theta, 10000);
    assert.notEqual(json.model_type, 'gpt2');
    assert.equal(json.architectures, undefined);
    const stored = readSafetensors(join(dir, 'model.safetensors')).tensors;
    assert.ok(!stored.has('wpe.weight') && !stored.has('h.0.ln_1.bias'));
    const back = loadLanguageModel(dir) as GPTModel;
    assert.equal(back.config.rope, true);
    assert.equal(back.config.norm, 'rmsnorm');
    const prompt = tokenizer.encode('the e');
    assert.deepEqual(back.start(prompt).logProbs(), model.start(prompt).logProbs());
    // the GPT-2 layout still says gpt2
    const plain = tempDir();
    new GPTModel(config(), tokenizer, 9).save(plain);
    const gpt2 = JSON.parse(readFileSync(join(plain, 'config.json'), 'utf8'));
    assert.equal(gpt2.model_type, 'gpt2');
    assert.deepEqual(gpt2.architectures, ['GPT2LMHeadModel']);
  });

  it('rejects an odd head size with rope and an unknown norm, by name', () => {
    assert.throws(() => validateGPTConfig(config({ n_embd: 6, n_head: 2, rope: true })), /even head size/);
    assert.throws(
      () => validateGPTConfig(config({ norm: 'batchnorm' as 'rmsnorm' })),
      /norm must be layernorm or rmsnorm/,
    );
  });

  it('decodes a batch of prompts in one pass with the same probabilities as one at a time', () => {
    for (const over of [{}, { rope: true, norm: 'rmsnorm' as const }]) {
      const model = new GPTModel(config(over), tokenizer, 4);
      const prompts = ['he', 'the end', 'w'].map((p) => tokenizer.encode(p));
      const batch = model.startBatch(prompts);
      const single = prompts.map((p) => model.start(p));
      for (let step = 0; step < 14; step++) {
        // every state gets a token, then the first read runs them all together
        for (let i = 0; i < prompts.length; i++) {
          const a = batch[i].logProbs();
          const b = single[i].logProbs();
          assert.ok(maxDiff(a, b) < 1e-5, `prompt ${i} step ${step}: ${maxDiff(a, b)}`);
        }
        for (let i = 0; i < prompts.length; i++) {
          const t = (step * 3 + i) % tokenizer.vocabSize;
          batch[i].push(t);
          single[i].push(t);
        }
      }
    }
  });
});
