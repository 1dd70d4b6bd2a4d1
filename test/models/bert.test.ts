import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { BertMaskedLM, withBertTokens } from '../../src/models/bert.js';
import { MaskingVocabulary, maskRow, maskedLMBatch } from '../../src/models/bert-masking.js';
import { loadLanguageModel } from '../../src/models/load.js';
import { readSafetensors } from '../../src/nn/safetensors.js';
import { CharTokenizer } from '../../src/tokenizers/char.js';
import { WordTokenizer } from '../../src/tokenizers/word.js';
import { Rng } from '../../src/util/rng.js';
import { tempDir } from '../helpers/paths.js';

const TEXT = 'the jury said the election was fair\nthe city had no comment on the matter\n';

function charBert(): BertMaskedLM {
  const t = withBertTokens(CharTokenizer.train([TEXT]));
  return new BertMaskedLM(
    { n_layer: 1, n_head: 2, n_embd: 16, block_size: 24, vocab_size: t.vocabSize },
    t,
    3,
  );
}

describe('BERT masking (bert-masking.ts)', () => {
  const model = charBert();
  const vocab = model.vocab;
  const stream = Int32Array.from(model.tokenizer.encode(TEXT.repeat(50)));

  it('frames windows as [CLS] … [SEP], chooses ~15% of tokens, and replaces 80% / 10% / 10%', () => {
    const rng = new Rng(7);
    let chosen = 0;
    let masked = 0;
    let kept = 0;
    let positions = 0;
    for (let i = 0; i < 200; i++) {
      const { x, y } = maskedLMBatch(stream, 8, 24, vocab, { probability: 0.15, wholeWord: false }, rng);
      for (let b = 0; b < 8; b++) {
        assert.equal(x.data[b * 24], vocab.ids.cls);
        assert.equal(x.data[b * 24 + 23], vocab.ids.sep);
        assert.equal(y.data[b * 24], -100, '[CLS] is never chosen');
        assert.equal(y.data[b * 24 + 23], -100, '[SEP] is never chosen');
      }
      for (let j = 0; j < x.size; j++) {
        if (x.data[j] === vocab.ids.cls || x.data[j] === vocab.ids.sep) continue;
        positions++;
        if (y.data[j] === -100) continue;
        chosen++;
        if (x.data[j] === vocab.ids.mask) masked++;
        else if (x.data[j] === y.data[j]) kept++;
      }
    }
    const near = (got: number, want: number, tol: number, what: string) =>
      assert.ok(Math.abs(got - want) < tol, `${what}: ${got.toFixed(4)} vs ${want}`);
    near(chosen / positions, 0.15, 0.01, 'chosen share');
    near(masked / chosen, 0.8, 0.02, '[MASK] share');
    // a random replacement is the original token 1 time in |ordinary| (about 3%), counted as kept
    near(kept / chosen, 0.1 + 0.1 / vocab.ordinary.length, 0.02, 'kept share');
  });

  it('with whole-word masking, chooses every token of a word or none', () => {
    const rng = new Rng(11);
    const ids = Int32Array.from([
      vocab.ids.cls,
      ...model.tokenizer.encode('the jury said the election was fair'),
      vocab.ids.sep,
    ]);
    const words = vocab.wordIds(ids);
    let some = 0;
    for (let i = 0; i < 300; i++) {
      const x = ids.slice();
      const y = new Int32Array(x.length);
      maskRow(x, y, vocab, { probability: 0.3, wholeWord: true }, rng);
      const byWord = new Map<number, Set<boolean>>();
      for (let j = 0; j < x.length; j++) {
        if (
          ids[j] === vocab.ids.cls ||
          ids[j] === vocab.ids.sep ||
          /\s/.test(model.tokenizer.idToToken(ids[j]))
        )
          continue;
        const set = byWord.get(words[j]) ?? new Set<boolean>();
        set.add(y[j] !== -100);
        byWord.set(words[j], set);
      }
      for (const [w, set] of byWord) assert.equal(set.size, 1, `word ${w} partly chosen`);
      if ([...byWord.values()].some((s) => s.has(true))) some++;
    }
    assert.ok(some > 100);
  });

  it('groups BPE-style tokens into words by their leading space, word tokens one word each', () => {
    const w = WordTokenizer.train(['a b c'], { minCount: 1 });
    const wt = withBertTokens(w);
    const wv = new MaskingVocabulary(wt);
    assert.deepEqual([...wv.wordIds(wt.encode('a b c'))], [0, 1, 2]);
    const cv = vocab.wordIds(model.tokenizer.encode('the jury'));
    assert.deepEqual([...cv], [0, 0, 0, 1, 2, 2, 2, 2]); // "the", " ", "jury"
  });
});

describe('BERT checkpoint', () => {
  it('saves BertForMaskedLM tensor names and a Hugging Face config, and loads back the same predictions', () => {
    const model = charBert();
    const dir = join(tempDir(), 'bert');
    model.save(dir);
    const names = [...readSafetensors(join(dir, 'model.safetensors')).tensors.keys()];
    for (const n of [
      'bert.embeddings.word_embeddings.weight',
      'bert.embeddings.position_embeddings.weight',
      'bert.embeddings.token_type_embeddings.weight',
      'bert.embeddings.LayerNorm.weight',
      'bert.encoder.layer.0.attention.self.query.weight',
      'bert.encoder.layer.0.attention.output.LayerNorm.bias',
      'bert.encoder.layer.0.intermediate.dense.weight',
      'bert.encoder.layer.0.output.dense.weight',
      'cls.predictions.transform.dense.weight',
      'cls.predictions.transform.LayerNorm.weight',
      'cls.predictions.bias',
    ])
      assert.ok(names.includes(n), n);
    assert.ok(!names.some((n) => n.startsWith('cls.predictions.decoder')), 'the tied decoder is stored once');
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    assert.equal(config.model_type, 'bert');
    assert.deepEqual(config.architectures, ['BertForMaskedLM']);
    assert.equal(config.hidden_size, 16);
    assert.equal(config.intermediate_size, 64);
    assert.equal(config.max_position_embeddings, 24);
    assert.equal(config.hidden_act, 'gelu_new');
    const back = loadLanguageModel(dir);
    assert.equal(back.kind, 'bert');
    assert.deepEqual(back.fillMask!('the j[MASK]ry', 3), model.fillMask('the j[MASK]ry', 3));
  });

  it('refuses to decode left to right, and scores by pseudo-log-likelihood', () => {
    const model = charBert();
    assert.throws(() => model.start(), /cannot generate text left to right/);
    assert.equal(model.scoring, 'pseudo');
    const ids = model.tokenizer.encode('the jury said the election was fair, said the city');
    const [lp] = model.scoreSequences([ids]);
    assert.equal(lp.length, ids.length);
    for (const v of lp) assert.ok(v < 0 && Number.isFinite(v));
  });

  it('fills each of several masks, the others left as [MASK]', () => {
    const preds = charBert().fillMask('th[MASK] jury s[MASK]id', 2);
    assert.equal(preds.length, 2);
    assert.equal(preds[0].length, 2);
    assert.ok(preds[0][0].score >= preds[0][1].score);
    assert.equal(preds[0][0].sequence, `th${preds[0][0].token_str} jury s[MASK]id`);
    assert.equal(preds[1][0].sequence, `th[MASK] jury s${preds[1][0].token_str}id`);
    assert.throws(() => charBert().fillMask('no mask here', 2), /has no \[MASK\]/);
  });
});
