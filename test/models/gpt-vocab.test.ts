import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addChatTokens } from '../../src/chat/chat-tokens.js';
import { GPTModel } from '../../src/models/gpt.js';
import { growGPTVocabulary } from '../../src/models/gpt-vocab.js';
import { IntTensor, noGrad } from '../../src/tensor/tensor.js';
import { CharTokenizer } from '../../src/tokenizers/char.js';

describe('growGPTVocabulary', () => {
  const chars = CharTokenizer.train(['abc de\n']);
  const config = { n_layer: 1, n_head: 2, n_embd: 8, block_size: 8, dropout: 0, bias: true };
  const base = new GPTModel({ ...config, vocab_size: chars.vocabSize }, chars, 3);
  const { tokenizer, oldToNew } = addChatTokens(base.tokenizer);
  const grown = growGPTVocabulary(base, tokenizer, oldToNew);

  it('keeps every old token: the same logits at its new id, for the same text', () => {
    const text = 'abc de';
    const logits = (m: GPTModel, ids: number[]) =>
      noGrad(() => m.net.forward(IntTensor.from(ids, [1, ids.length]))).data;
    const before = logits(base, base.tokenizer.encode(text));
    const after = logits(grown, tokenizer.encode(text));
    const V0 = base.config.vocab_size;
    const V = grown.config.vocab_size;
    assert.equal(V, V0 + 4);
    for (let t = 0; t < text.length; t++)
      for (let i = 0; i < V0; i++)
        assert.ok(
          Math.abs(before[t * V0 + i] - after[t * V + oldToNew[i]]) < 1e-5,
          `position ${t}, token ${i}`,
        );
  });

  it('starts new rows at the mean of the old embedding rows', () => {
    const C = base.config.n_embd;
    const old = base.net.wte.weight.data;
    const rows = grown.net.wte.weight.data;
    const end = tokenizer.tokenToId('<|end|>')!;
    for (let c = 0; c < C; c++) {
      let mean = 0;
      for (let i = 0; i < base.config.vocab_size; i++) mean += old[i * C + c] / base.config.vocab_size;
      assert.ok(Math.abs(rows[end * C + c] - mean) < 1e-6);
    }
  });
});
