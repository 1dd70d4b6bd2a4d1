import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ClozeClassifier, parseVerbalizer } from '../../src/models/bert-cloze.js';
import { BertMaskedLM, withBertTokens } from '../../src/models/bert.js';
import { gatherRows } from '../../src/tensor/ops/gather.js';
import { reshape } from '../../src/tensor/ops/shape.js';
import { IntTensor, noGrad, tidy } from '../../src/tensor/tensor.js';
import { trainBPE } from '../../src/tokenizers/bpe-train.js';
import { WordTokenizer } from '../../src/tokenizers/word.js';
import { checkGradients } from '../helpers/finite-differences.js';

const TEXT = 'win money now this message is junk\nsee you at lunch this message is fine\n';

function wordBert(blockSize = 16): BertMaskedLM {
  const t = withBertTokens(WordTokenizer.train([TEXT]));
  return new BertMaskedLM(
    { n_layer: 1, n_head: 2, n_embd: 16, block_size: blockSize, vocab_size: t.vocabSize },
    t,
    5,
  );
}

const SPEC = {
  pattern: '{text} this message is [MASK] .',
  verbalizer: parseVerbalizer('spam=junk,ham=fine'),
};

describe('cloze questions to a BERT masked LM (bert-cloze.ts)', () => {
  it('parses a verbalizer and refuses malformed ones', () => {
    assert.deepEqual(parseVerbalizer(' spam=junk , ham=fine '), [
      { label: 'spam', word: 'junk' },
      { label: 'ham', word: 'fine' },
    ]);
    assert.throws(() => parseVerbalizer('spam=junk'), /at least 2 labels/);
    assert.throws(() => parseVerbalizer('spam=junk,ham'), /"ham" is not LABEL=WORD/);
    assert.throws(() => parseVerbalizer('spam=junk,spam=fine'), /names the label "spam" twice/);
  });

  it('refuses a pattern without exactly one [MASK] and one {text}', () => {
    const mlm = wordBert();
    const v = SPEC.verbalizer;
    assert.throws(
      () => new ClozeClassifier(mlm, { pattern: '{text} this message is junk', verbalizer: v }),
      /exactly one \[MASK\] \(it holds 0\)/,
    );
    assert.throws(
      () => new ClozeClassifier(mlm, { pattern: '[MASK] {text} [MASK]', verbalizer: v }),
      /exactly one \[MASK\] \(it holds 2\)/,
    );
    assert.throws(
      () => new ClozeClassifier(mlm, { pattern: 'this message is [MASK]', verbalizer: v }),
      /exactly one \{text\}/,
    );
  });

  it('refuses a verbalizer word that is not one token, naming its pieces', () => {
    const t = withBertTokens(trainBPE([TEXT.repeat(5)], { vocabSize: 300 }));
    const mlm = new BertMaskedLM(
      { n_layer: 1, n_head: 2, n_embd: 16, block_size: 16, vocab_size: t.vocabSize },
      t,
      5,
    );
    assert.throws(
      () => new ClozeClassifier(mlm, { ...SPEC, verbalizer: parseVerbalizer('spam=junk,ham=wonderful') }),
      /"wonderful" \(label ham\) is 10 tokens in this BERT.s vocabulary \(" " \+ "w" \+ "o"/,
    );
    assert.throws(
      () => new ClozeClassifier(mlm, { ...SPEC, verbalizer: parseVerbalizer('spam=junk,ham=junk') }),
      /same word/,
    );
  });

  it("frames [CLS] text pattern [SEP], cutting the text's end so the pattern always fits", () => {
    const mlm = wordBert(12);
    const c = new ClozeClassifier(mlm, SPEC);
    const tok = mlm.tokenizer;
    const short = c.frame('win money now');
    assert.deepEqual(short.ids, [
      mlm.vocab.ids.cls,
      ...tok.encode('win money now this message is'),
      mlm.vocab.ids.mask,
      ...tok.encode('.'),
      mlm.vocab.ids.sep,
    ]);
    assert.equal(short.maskAt, 7);
    const long = c.frame('win money now see you at lunch win money now see you');
    assert.equal(long.ids.length, 12);
    assert.deepEqual(long.ids.slice(1, 6), tok.encode('win money now see you'));
    assert.equal(long.ids[long.maskAt], mlm.vocab.ids.mask);
  });

  it("with a byte-level BPE the verbalizer word carries the space before [MASK], as fill-mask's tokens do", () => {
    const t = withBertTokens(trainBPE([TEXT.repeat(20)], { vocabSize: 320 }));
    const mlm = new BertMaskedLM(
      { n_layer: 1, n_head: 2, n_embd: 16, block_size: 24, vocab_size: t.vocabSize },
      t,
      5,
    );
    const c = new ClozeClassifier(mlm, SPEC);
    assert.deepEqual([...c.wordIds], [t.encode(' junk')[0], t.encode(' fine')[0]]);
    const { ids, maskAt } = c.frame('see you');
    assert.equal(t.decode(ids.slice(1, maskAt)), 'see you this message is');
  });

  it("scores a label by its word's masked-LM logit: the same numbers as the full head at the mask", () => {
    const mlm = wordBert();
    const c = new ClozeClassifier(mlm, SPEC);
    const batch = c.batch(['win money now', 'see you at lunch please']);
    const [restricted, full] = noGrad(() =>
      tidy(() => {
        const r = c.logits(batch).data.slice();
        const hidden = mlm.net.bert.forward(batch.ids, { attentionMask: batch.mask });
        const [B, T, C] = hidden.shape;
        const f = mlm.net.head(gatherRows(reshape(hidden, [B * T, C]), batch.at)).data.slice();
        return [r, f];
      }),
    );
    const V = mlm.config.vocab_size;
    for (let b = 0; b < 2; b++)
      for (let k = 0; k < 2; k++)
        assert.ok(Math.abs(restricted[b * 2 + k] - full[b * V + c.wordIds[k]]) < 1e-5);
    const p = c.probabilities(['win money now']);
    assert.ok(Math.abs(p[0][0] + p[0][1] - 1) < 1e-9);
  });

  it("PET's loss has the gradients of finite differences, every parameter", () => {
    const mlm = wordBert();
    const c = new ClozeClassifier(mlm, SPEC);
    const batch = c.batch(['win money now', 'see you at lunch']);
    const labels = IntTensor.from([0, 1], [2]);
    assert.ok(checkGradients(mlm.net, () => c.loss(batch, labels), 3, 'pet') > 0);
  });

  it('maps labels to verbalizer order and names a label it has no word for', () => {
    const c = new ClozeClassifier(wordBert(), SPEC);
    assert.equal(c.labelId('ham', 'x'), 1);
    assert.throws(
      () => c.labelId('phishing', 'data.jsonl:3'),
      /data.jsonl:3: label "phishing" has no verbalizer word/,
    );
  });
});
