import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { beamSearch } from '../../src/generate/beam.js';
import { generateTokens } from '../../src/generate/sample.js';
import { T5Model, withT5Tokens } from '../../src/models/t5.js';
import {
  corruptSpans,
  noiseCounts,
  randomSpansNoiseMask,
  spanCorruptionBatch,
  spanWindowLength,
} from '../../src/models/t5-span-corruption.js';
import { readSafetensors } from '../../src/nn/safetensors.js';
import { CharTokenizer } from '../../src/tokenizers/char.js';
import { Rng } from '../../src/util/rng.js';
import { tempDir } from '../helpers/paths.js';

/** A tiny untrained T5 over a few characters (weights scaled up so its distributions are far from uniform). */
function tinyT5(chars = 'abc ', extraIds = 4, blockSize = 12): T5Model {
  const tokenizer = withT5Tokens(CharTokenizer.train([chars]), extraIds);
  const config = {
    n_layer: 2,
    n_head: 2,
    n_embd: 16,
    block_size: blockSize,
    vocab_size: tokenizer.vocabSize,
    extra_ids: extraIds,
  };
  const model = new T5Model(config, tokenizer, 7);
  for (const { tensor } of model.net.namedParameters())
    for (let i = 0; i < tensor.size; i++) tensor.data[i] *= 3;
  return model;
}

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-4) => {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++)
    assert.ok(a[i] === b[i] || Math.abs(a[i] - b[i]) <= tol, `at ${i}: ${a[i]} vs ${b[i]}`);
};

describe('T5 decoding', () => {
  it('through the KV cache gives the log-probabilities of the whole decoder run afresh, step by step', () => {
    const model = tinyT5();
    const prompt = model.tokenizer.encode('abca b');
    const answer = model.tokenizer.encode('cab ba');
    model.kvCache = true;
    const cached = model.start(prompt);
    model.kvCache = false;
    const afresh = model.start(prompt);
    for (const t of answer) {
      close(cached.logProbs(), afresh.logProbs());
      cached.push(t);
      afresh.push(t);
    }
    close(cached.logProbs(), afresh.logProbs());
  });

  it('forks a state that decodes on independently of its parent', () => {
    const model = tinyT5();
    const s = model.start(model.tokenizer.encode('ab'));
    s.push(model.tokenizer.encode('a')[0]);
    const f = s.fork();
    const [b, c] = model.tokenizer.encode('bc');
    f.push(b);
    s.push(c);
    const ref = model.start(model.tokenizer.encode('ab'));
    ref.push(model.tokenizer.encode('a')[0]);
    ref.push(b);
    close(f.logProbs(), ref.logProbs());
  });

  it('ends an answer with </s> once it is block_size − 1 tokens long', () => {
    const model = tinyT5('abc ', 4, 6);
    const eos = model.tokenizer.special.eos as number;
    const out = [
      ...generateTokens(model, model.tokenizer.encode('ab'), {
        temperature: 1,
        seed: 1,
        maxTokens: 50,
        suppressTokens: [],
      }),
    ];
    assert.ok(out.length <= 5, `answer of ${out.length} tokens`);
    assert.ok(!out.includes(eos));
  });
});

describe('beam search', () => {
  it('with beams enough for every sequence is exhaustive search (length penalties 1, 0 and 2)', () => {
    const model = tinyT5('ab', 1, 8);
    const V = model.config.vocab_size;
    const eos = model.tokenizer.special.eos as number;
    const suppress = Array.from({ length: V }, (_, t) => t).filter(
      (t) => t !== eos && !model.tokenizer.encode('ab').includes(t),
    );
    const prompt = model.tokenizer.encode('ba');
    const maxTokens = 3;
    for (const penalty of [1, 0, 2]) {
      // every sequence of allowed tokens up to maxTokens, ended by </s> or cut at maxTokens
      let best = { tokens: [] as number[], score: -Infinity };
      const visit = (tokens: number[]) => {
        const s = model.start(prompt);
        for (const t of tokens) s.push(t);
        let lp = 0;
        const r = model.start(prompt);
        for (const t of tokens) {
          lp += r.logProbs()[t];
          r.push(t);
        }
        const finish = (logProb: number, length: number) => {
          const score = logProb / Math.max(1, length) ** penalty;
          if (score > best.score) best = { tokens: [...tokens], score };
        };
        if (tokens.length === maxTokens) return finish(lp, tokens.length);
        finish(lp + s.logProbs()[eos], tokens.length + 1);
        for (const t of model.tokenizer.encode('ab')) visit([...tokens, t]);
      };
      visit([]);
      const [got] = beamSearch(model, prompt, {
        numBeams: 64,
        lengthPenalty: penalty,
        maxTokens,
        suppressTokens: suppress,
      });
      assert.deepEqual(got.tokens, best.tokens, `length penalty ${penalty}`);
      assert.ok(Math.abs(got.score - best.score) < 1e-9);
    }
  });

  it('with one beam is greedy decoding', () => {
    const model = tinyT5();
    const prompt = model.tokenizer.encode('cab');
    const greedy = [...generateTokens(model, prompt, { temperature: 0, maxTokens: 8 })];
    const [beam] = beamSearch(model, prompt, { numBeams: 1, maxTokens: 8 });
    assert.deepEqual(beam.tokens, greedy);
  });
});

describe('span corruption', () => {
  it('hides 15% of a window in spans of mean length 3, sentinels in the input, spans in the target', () => {
    assert.deepEqual(noiseCounts(100, { noiseDensity: 0.15, meanSpanLength: 3 }), { noise: 15, spans: 5 });
    const mask = randomSpansNoiseMask(100, { noiseDensity: 0.15, meanSpanLength: 3 }, new Rng(1));
    assert.equal(mask.length, 100);
    assert.equal(mask.filter(Boolean).length, 15);
    assert.equal(mask[0], false);
    const starts = mask.filter((m, i) => m && !mask[i - 1]).length;
    assert.equal(starts, 5);
    const ids = { sentinels: [100, 99, 98], eos: 1, pad: 0 };
    const { input, target } = corruptSpans(
      [10, 11, 12, 13, 14, 15],
      [false, true, true, false, true, false],
      ids,
    );
    assert.deepEqual(input, [10, 100, 13, 99, 15, 1]);
    assert.deepEqual(target, [100, 11, 12, 99, 14, 1]);
  });

  it('draws windows whose inputs and targets fit block_size, padded with pad and −100', () => {
    const o = { noiseDensity: 0.15, meanSpanLength: 3 };
    const { window, target } = spanWindowLength(32, o);
    assert.ok(window > 32 && target <= 32);
    const stream = Int32Array.from({ length: 500 }, (_, i) => 10 + (i % 50));
    const { x, y } = spanCorruptionBatch(
      stream,
      4,
      32,
      o,
      { sentinels: [100, 99, 98, 97, 96], eos: 1, pad: 0 },
      new Rng(3),
    );
    assert.ok(x.shape[1] <= 32 && y.shape[1] <= 32);
    for (let b = 0; b < 4; b++) {
      const row = Array.from(y.data.subarray(b * y.shape[1], (b + 1) * y.shape[1])).filter((t) => t !== -100);
      assert.equal(row[0], 100);
      assert.equal(row[row.length - 1], 1);
    }
  });
});

describe('T5 checkpoints', () => {
  it("save under Hugging Face's T5ForConditionalGeneration names and load to the same answers", () => {
    const model = tinyT5();
    const dir = join(tempDir(), 't5');
    model.save(dir);
    const names = [...readSafetensors(join(dir, 'model.safetensors')).tensors.keys()];
    for (const n of [
      'shared.weight',
      'encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight',
      'encoder.block.1.layer.1.DenseReluDense.wi.weight',
      'decoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight',
      'decoder.block.1.layer.1.EncDecAttention.k.weight',
      'decoder.block.1.layer.2.DenseReluDense.wo.weight',
      'decoder.final_layer_norm.weight',
    ])
      assert.ok(names.includes(n), n);
    assert.ok(!names.includes('encoder.block.1.layer.0.SelfAttention.relative_attention_bias.weight'));
    const loaded = T5Model.load(dir);
    const prompt = model.tokenizer.encode('abc');
    close(loaded.start(prompt).logProbs(), model.start(prompt).logProbs(), 0);
  });
});
