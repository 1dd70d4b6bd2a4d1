import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { GPTModel } from '../../src/models/gpt.js';
import { validateGPTConfig, type GPTConfig as GPTModelConfig } from '../../src/nn/gpt-config.js';
import { loadLanguageModel } from '../../src/models/load.js';
import { readSafetensors, writeSafetensors } from '../../src/nn/safetensors.js';
import { CharTokenizer } from '../../src/tokenizers/char.js';
import { saveTokenizer } from '../../src/tokenizers/tokenizer-file.js';
import { tempDir } from '../helpers/paths.js';

const tokenizer = CharTokenizer.train(['hello world\nthe end\n']);

function tiny(over: Partial<GPTModelConfig> = {}): GPTModelConfig {
  return {
    n_layer: 2,
    n_head: 2,
    n_embd: 16,
    block_size: 8,
    vocab_size: tokenizer.vocabSize,
    dropout: 0,
    bias: true,
    rope: false,
    norm: 'layernorm',
    ...over,
  };
}

describe('GPTModel', () => {
  it('gives log-probabilities that sum to 1 over the vocabulary', () => {
    const model = new GPTModel(tiny(), tokenizer, 1);
    const state = model.start(tokenizer.encode('hel'));
    const lp = state.logProbs();
    assert.equal(lp.length, tokenizer.vocabSize);
    const total = lp.reduce((s, x) => s + Math.exp(x), 0);
    assert.ok(Math.abs(total - 1) < 1e-5, `sum ${total}`);
  });

  it('crops the context to block_size, so long prompts still decode', () => {
    const model = new GPTModel(tiny(), tokenizer, 1);
    const long = tokenizer.encode('hello world the end hello');
    const state = model.start(long);
    const a = state.logProbs();
    const b = model.start(long.slice(-8)).logProbs();
    assert.deepEqual(a, b);
    state.push(long[0]);
    assert.notDeepEqual(state.logProbs(), a);
  });

  it('saves and loads a checkpoint with identical logits', () => {
    const dir = tempDir();
    const model = new GPTModel(tiny(), tokenizer, 7);
    model.save(dir);
    const back = loadLanguageModel(dir);
    assert.ok(back instanceof GPTModel);
    assert.equal(back.kind, 'gpt');
    assert.equal(back.contextLength, 8);
    const prompt = tokenizer.encode('the');
    assert.deepEqual(back.start(prompt).logProbs(), model.start(prompt).logProbs());
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    assert.equal(config.model_type, 'gpt2');
    assert.equal(config.n_positions, 8);
    const weights = readSafetensors(join(dir, 'model.safetensors')).tensors;
    assert.deepEqual(weights.get('h.0.attn.c_attn.weight')?.shape, [16, 48], 'Conv1D layout (in, out)');
  });

  it('rejects impossible sizes with an error naming them', () => {
    assert.throws(
      () => validateGPTConfig(tiny({ n_embd: 10, n_head: 4 })),
      /n_embd 10 is not divisible by n_head 4/,
    );
    assert.throws(() => validateGPTConfig(tiny({ n_layer: 0 })), /n_layer must be a whole number ≥ 1/);
    assert.throws(() => validateGPTConfig(tiny({ dropout: 1.5 })), /dropout must be in \[0, 1\)/);
    assert.throws(() => new GPTModel(tiny({ vocab_size: 3 }), tokenizer), /vocab_size 3 does not match/);
  });

  it('names the mismatched tensor and shape when weights do not fit the config', () => {
    const dir = tempDir();
    new GPTModel(tiny(), tokenizer, 1).save(dir);
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...config, n_embd: 32 }));
    assert.throws(
      () => loadLanguageModel(dir),
      /'wte\.weight' has shape \[\d+, 16\], the model expects \[\d+, 32\]/,
    );
  });

  it('refuses a tokenizer.json whose vocabulary does not match the checkpoint', () => {
    const dir = tempDir();
    new GPTModel(tiny(), tokenizer, 1).save(dir);
    saveTokenizer(CharTokenizer.train(['xyz']), join(dir, 'tokenizer.json'));
    assert.throws(
      () => loadLanguageModel(dir),
      /the tokenizer has 6 tokens but config.json says vocab_size \d+/,
    );
  });

  it('names a missing tensor and refuses checkpoints of another kind', () => {
    const dir = tempDir();
    new GPTModel(tiny(), tokenizer, 1).save(dir);
    const path = join(dir, 'model.safetensors');
    const tensors = readSafetensors(path).tensors;
    tensors.delete('ln_f.weight');
    writeSafetensors(path, tensors);
    assert.throws(() => loadLanguageModel(dir), /missing 1 tensor\(s\) the model needs: ln_f\.weight/);
    const other = join(tempDir(), 'other');
    mkdirSync(other);
    writeFileSync(join(other, 'config.json'), JSON.stringify({ lmkit_kind: 'unicorn' }));
    assert.throws(() => loadLanguageModel(other), /kind "unicorn", not one lmkit loads/);
    assert.throws(() => loadLanguageModel(join(other, 'nope')), /does not exist/);
  });
});

describe('GPT KV cache', () => {
  it('gives the same log-probabilities as running the whole context, within and past the block', () => {
    const model = new GPTModel(tiny({ block_size: 6 }), tokenizer, 3);
    const tokens = tokenizer.encode('hello world the');
    const cached = model.start(tokens.slice(0, 2));
    model.kvCache = false;
    const plain = model.start(tokens.slice(0, 2));
    for (const t of tokens.slice(2)) {
      const a = cached.logProbs();
      const b = plain.logProbs();
      for (let i = 0; i < a.length; i++)
        assert.ok(Math.abs(a[i] - b[i]) < 1e-4, `token ${i}: ${a[i]} vs ${b[i]}`);
      cached.push(t);
      plain.push(t);
    }
  });
});
