import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { evaluatePerplexity, sentenceEnd } from '../../src/eval/perplexity.js';
import { preprocessingOf } from '../../src/models/preprocessing.js';
import { scoreSequences } from '../../src/eval/sequence-scores.js';
import type { LanguageModel } from '../../src/lm.js';
import { GPTModel } from '../../src/models/gpt.js';
import { loadLanguageModel } from '../../src/models/load.js';
import { MixtureModel } from '../../src/models/mixture.js';
import { NPLMModel } from '../../src/models/nplm.js';
import { RNNModel } from '../../src/models/rnn.js';
import { NGramModel } from '../../src/ngram/ngram-model.js';
import { trainNGram } from '../../src/ngram/train.js';
import { CharTokenizer } from '../../src/tokenizers/char.js';
import { WordTokenizer } from '../../src/tokenizers/word.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/paths.js';

const TRAIN = [
  'the cat sat on the mat',
  'the dog sat on the log',
  'a cat and a dog ran',
  'the mat was red and the log was brown',
  'a dog sat on a mat',
  'the cat ran to the log',
];
const TEST = ['the cat sat on the log', 'a dog ran to the mat', 'the red cat ran', 'a zebra sat on the mat'];

/** Fills every parameter with deterministic values large enough that the context matters. */
function setWeights(model: {
  net: { namedParameters(): { tensor: { size: number; data: ArrayLike<number> } }[] };
}) {
  let k = 0;
  for (const { tensor } of model.net.namedParameters())
    for (let i = 0; i < tensor.size; i++) (tensor.data as Float32Array)[i] = Math.sin(++k * 0.7) * 0.5;
}

function kn(order = 3): NGramModel {
  return new NGramModel(trainNGram(TRAIN, { order, smoothing: 'kn' }).model);
}

function nplm(texts = TRAIN, over: { order?: number; direct?: boolean } = {}): NPLMModel {
  const tokenizer = WordTokenizer.train(texts);
  const model = new NPLMModel(
    {
      order: over.order ?? 3,
      n_embd: 4,
      n_hidden: 5,
      direct: over.direct ?? true,
      vocab_size: tokenizer.vocabSize,
    },
    tokenizer,
    1,
  );
  setWeights(model);
  return model;
}

function gpt(blockSize = 6): GPTModel {
  const tokenizer = CharTokenizer.train([TRAIN.join('\n'), TEST.join('\n'), '\n']);
  const model = new GPTModel(
    {
      n_layer: 2,
      n_head: 2,
      n_embd: 8,
      block_size: blockSize,
      vocab_size: tokenizer.vocabSize,
      dropout: 0,
      bias: true,
    },
    tokenizer,
    1,
  );
  setWeights(model);
  return model;
}

/** Σ ln p of `ids` stepping the model's decoding state from start([]). */
function decoderNats(model: LanguageModel, ids: number[]): number {
  const state = model.start([]);
  let total = 0;
  for (const t of ids) {
    total += state.logProbs()[t];
    state.push(t);
  }
  return -total;
}

function close(actual: number, expected: number, rel: number, what: string): void {
  assert.ok(
    Math.abs(actual - expected) <= rel * Math.abs(expected),
    `${what}: ${actual} vs ${expected} (relative ${Math.abs(actual - expected) / Math.abs(expected)})`,
  );
}

function file(lines: string[]): string {
  const path = join(tempDir(), 'text.txt');
  writeFileSync(path, lines.join('\n') + '\n');
  return path;
}

describe('evaluatePerplexity', () => {
  it("gives an n-gram model the perplexity of 'lmkit ngram eval', token for token", async () => {
    const dir = tempDir();
    const model = join(dir, 'kn.arpa');
    kn().save(model);
    const test = file(TEST);
    const ngram = JSON.parse((await runCli(['ngram', 'eval', model, test, '--json'])).stdout);
    const run = await runCli(['eval', model, test, '--json']);
    assert.equal(run.code, 0, run.stderr);
    const ours = JSON.parse(run.stdout);
    assert.equal(ours.mode, 'sentences');
    assert.equal(ours.tokens, ngram.tokens);
    assert.equal(ours.sentences, ngram.sentences);
    assert.equal(ours.oov, ngram.oov);
    assert.ok(ours.oov >= 1); // "zebra"
    close(ours.perplexity, ngram.perplexity, 1e-12, 'perplexity');
    close(ours.nats, -ngram.log10_prob * Math.LN10, 1e-12, 'nats');
    // the generic path (whole renormalized distributions, float32) agrees closely
    const generic = JSON.parse((await runCli(['eval', model, test, '--json', '--generic'])).stdout);
    close(generic.perplexity, ngram.perplexity, 1e-5, 'generic perplexity');
  });

  it('ends each sentence in </s> for word models and in the line break for character models', () => {
    const m = kn();
    assert.deepEqual(sentenceEnd(m), [m.tokenizer.special.eos]);
    const n = nplm();
    assert.deepEqual(sentenceEnd(n), [n.tokenizer.special.eos]);
    const g = gpt();
    assert.deepEqual(sentenceEnd(g), g.tokenizer.encode('\n'));
    const r = evaluatePerplexity(g, TEST);
    assert.equal(r.tokens, TEST.join('\n').length + 1);
    assert.equal(r.characters, r.tokens);
    close(r.bitsPerChar, r.bitsPerToken, 1e-12, 'char model: bits per char = bits per token');
    close(r.bitsPerToken, r.nats / Math.LN2 / r.tokens, 1e-12, 'bits per token');
    close(r.perplexity, Math.exp(r.nats / r.tokens), 1e-12, 'perplexity');
  });

  it('scores a GPT on text longer than its block with stride 1 exactly as its decoding state does', () => {
    const model = gpt(6);
    const ids = [...TEST.join('\n')].map((c) => model.tokenizer.encode(c)[0]).concat(sentenceEnd(model));
    assert.ok(ids.length > 4 * 6);
    const expected = decoderNats(model, ids);
    const r = evaluatePerplexity(model, TEST, { stride: 1 });
    assert.equal(r.mode, 'stream');
    assert.equal(r.stride, 1);
    assert.equal(r.tokens, ids.length);
    close(r.nats, expected, 1e-5, 'stride 1 vs decoding state');
    const generic = evaluatePerplexity(model, TEST, { generic: true });
    close(generic.nats, expected, 1e-9, 'generic path');
  });

  it('gives each GPT token the context of its sliding window: stride s starts it at max(0, ⌈(j−B)/s⌉)·s', () => {
    const B = 6;
    const model = gpt(B);
    const seq = model.tokenizer.encode(TEST.join('\n'));
    const stream = [...model.prefix, ...seq];
    for (const s of [1, 2, 4, B]) {
      const got = scoreSequences(model, [seq], { stride: s })[0];
      for (let j = model.prefix.length; j < stream.length; j++) {
        const begin = Math.max(0, Math.ceil((j - B) / s)) * s;
        const expected = model.nextLogProbs(stream.slice(begin, j))[stream[j]];
        assert.ok(
          Math.abs(got[j - model.prefix.length] - expected) < 1e-5,
          `stride ${s}, token ${j}: ${got[j - model.prefix.length]} vs ${expected}`,
        );
      }
    }
    // a shorter stride sees more context, and the window really changes the numbers
    const full = evaluatePerplexity(model, TEST, { stride: 1 }).nats;
    const blocks = evaluatePerplexity(model, TEST, { stride: B }).nats;
    assert.ok(Math.abs(full - blocks) > 1e-3, `${full} vs ${blocks}`);
  });

  it('batches NPLM contexts to the same numbers as its decoding state, in both modes', () => {
    const model = nplm();
    for (const mode of ['sentences', 'stream'] as const) {
      const fast = evaluatePerplexity(model, TEST, { mode });
      const slow = evaluatePerplexity(model, TEST, { mode, generic: true });
      close(fast.nats, slow.nats, 1e-6, mode);
      assert.equal(fast.tokens, slow.tokens);
    }
    const sentences = evaluatePerplexity(model, TEST, { mode: 'sentences' });
    const stream = evaluatePerplexity(model, TEST, { mode: 'stream' });
    assert.equal(sentences.tokens, stream.tokens);
    assert.notEqual(sentences.nats, stream.nats); // context crosses sentences only in the stream
    // sentences mode = each sentence from the start, </s> at its end
    const eos = model.tokenizer.special.eos as number;
    const expected = TEST.reduce((t, s) => t + decoderNats(model, [...model.tokenizer.encode(s), eos]), 0);
    close(sentences.nats, expected, 1e-6, 'sentence by sentence');
  });

  it('scores an RNN (no fast path) as one stream through its decoding state, with bits per character', () => {
    const tokenizer = CharTokenizer.train([TRAIN.join('\n'), TEST.join('\n'), '\n']);
    const model = new RNNModel(
      {
        cell: 'gru',
        n_embd: 4,
        n_hidden: 6,
        n_layer: 1,
        dropout: 0,
        recurrent_dropout: 0,
        vocab_size: tokenizer.vocabSize,
      },
      tokenizer,
      3,
    );
    setWeights(model);
    const r = evaluatePerplexity(model, TEST);
    assert.equal(r.mode, 'stream');
    assert.equal(r.stride, null);
    const ids = tokenizer.encode(TEST.join('\n') + '\n');
    close(r.nats, decoderNats(model, ids), 1e-9, 'RNN stream');
    close(r.bitsPerChar, r.nats / Math.LN2 / ids.length, 1e-12, 'bits per character');
  });

  it('reports progress from 0 before scoring, then as GPT windows and long streams are scored', () => {
    // a vocabulary of 2,000 characters keeps a GPT batch of windows small, so a stream takes several
    const alphabet = Array.from({ length: 2000 }, (_, i) => String.fromCodePoint(0x4e00 + i));
    const lines = Array.from({ length: 100 }, (_, l) =>
      Array.from({ length: 99 }, (_, i) => alphabet[(l * 131 + i * 17) % 2000]).join(''),
    );
    const tokenizer = CharTokenizer.train([alphabet.join(''), '\n']);
    const big = new GPTModel(
      {
        n_layer: 1,
        n_head: 2,
        n_embd: 8,
        block_size: 6,
        vocab_size: tokenizer.vocabSize,
        dropout: 0,
        bias: true,
      },
      tokenizer,
      1,
    );
    setWeights(big);
    const rnn = new RNNModel(
      {
        cell: 'gru',
        n_embd: 4,
        n_hidden: 6,
        n_layer: 1,
        dropout: 0,
        recurrent_dropout: 0,
        vocab_size: tokenizer.vocabSize,
      },
      tokenizer,
      3,
    );
    for (const model of [big, rnn]) {
      const calls: [number, number][] = [];
      const r = evaluatePerplexity(model, lines, {
        stride: model === big ? 6 : undefined,
        onProgress: (d, t) => calls.push([d, t]),
      });
      assert.equal(r.mode, 'stream');
      assert.deepEqual(calls[0], [0, r.tokens], 'first call: nothing scored yet');
      assert.ok(calls.length >= 4, `${model.kind}: ${calls.length} progress calls for one stream`);
      for (let i = 1; i < calls.length; i++) assert.ok(calls[i][0] >= calls[i - 1][0]);
      assert.equal(calls[calls.length - 1][0], r.tokens);
    }
  });

  it("applies the cleaning a checkpoint's run recorded, and an n-gram model's recorded preprocessing", () => {
    const dir = tempDir();
    const model = nplm();
    model.save(dir, { training: { clean: true } });
    assert.deepEqual(preprocessingOf(loadLanguageModel(dir)), {
      lowercase: false,
      clean: true,
      tokenize: false,
    });
    assert.equal(preprocessingOf(nplm()).clean, false);
    const m = kn();
    m.backoff.info.details = { lowercase: true };
    assert.equal(preprocessingOf(m).lowercase, true);
  });

  it('rejects empty text, reserved tokens, mostly unknown text and a bad stride', () => {
    const m = kn();
    assert.throws(() => evaluatePerplexity(m, []), /no text to evaluate/);
    assert.throws(() => evaluatePerplexity(m, ['the cat </s> sat']), /reserved token <\/s>/);
    const foreign = Array.from({ length: 30 }, (_, i) => `word${i}`).join(' ');
    assert.throws(
      () => evaluatePerplexity(m, [foreign]),
      /unknown to the model.*--allow-oov|unknown to the model/,
    );
    assert.equal(evaluatePerplexity(m, [foreign], { allowOov: true }).oov, 30);
    assert.throws(
      () => evaluatePerplexity(m, TEST, { stride: 2 }),
      /--stride is for models that score in windows/,
    );
    assert.throws(
      () => evaluatePerplexity(gpt(6), TEST, { stride: 7 }),
      /--stride must be a whole number from 1 to the block size 6/,
    );
  });
});

describe('MixtureModel', () => {
  it('with weight 1 equals the first model, with weight 0 the second, and mixes probabilities in between', () => {
    const a = kn();
    const b = nplm();
    const ra = evaluatePerplexity(a, TEST);
    const rb = evaluatePerplexity(b, TEST);
    close(evaluatePerplexity(new MixtureModel(a, b, 1), TEST).nats, ra.nats, 1e-12, 'weight 1');
    close(evaluatePerplexity(new MixtureModel(a, b, 0), TEST).nats, rb.nats, 1e-12, 'weight 0');
    // weight 0.5 by hand: per token ln(½ p_a + ½ p_b)
    const sa = scoreSequences(
      a,
      TEST.map((s) => [...a.tokenizer.encode(s), 2]),
    );
    const sb = scoreSequences(
      b,
      TEST.map((s) => [...b.tokenizer.encode(s), b.tokenizer.special.eos as number]),
    );
    let expected = 0;
    sa.forEach((row, k) =>
      row.forEach((lp, i) => (expected -= Math.log(0.5 * Math.exp(lp) + 0.5 * Math.exp(sb[k][i])))),
    );
    const mix = evaluatePerplexity(new MixtureModel(a, b, 0.5), TEST);
    close(mix.nats, expected, 1e-10, 'weight 0.5');
    // the same pass reports each model alone
    assert.equal(mix.components?.length, 2);
    close(mix.components![0].nats, ra.nats, 1e-12, 'first alone');
    close(mix.components![1].nats, rb.nats, 1e-12, 'second alone');
    assert.ok(mix.nats < Math.max(ra.nats, rb.nats)); // the log of a mean beats the worse model
    // the decoding-state path of the mixture (whole distributions) agrees
    close(
      evaluatePerplexity(new MixtureModel(a, b, 0.5), TEST, { generic: true }).nats,
      mix.nats,
      1e-5,
      'generic',
    );
  });

  it('maps the second model’s ids through token strings and keeps its distributions normalized', () => {
    const a = kn();
    const b = nplm();
    const mix = new MixtureModel(a, b, 0.3);
    for (let id = 0; id < a.tokenizer.vocabSize; id++)
      assert.equal(b.tokenizer.idToToken(mix.toSecond[id]), a.tokenizer.idToToken(id));
    const state = mix.start(a.tokenizer.encode('the cat'));
    const total = state.logProbs().reduce((s, x) => s + Math.exp(x), 0);
    close(total, 1, 1e-5, 'sum of mixed probabilities');
  });

  it('passes --stride to a GPT inside a mixture', () => {
    const mix = new MixtureModel(gpt(6), gpt(6), 0.5); // two copies: the mixture is the GPT itself
    const r = evaluatePerplexity(mix, TEST, { stride: 1 });
    assert.equal(r.stride, 1);
    close(r.nats, evaluatePerplexity(gpt(6), TEST, { stride: 1 }).nats, 1e-9, 'stride 1');
    assert.ok(Math.abs(r.nats - evaluatePerplexity(gpt(6), TEST, { stride: 6 }).nats) > 1e-3);
  });

  it('refuses models with different vocabularies or token levels', () => {
    assert.throws(
      () => new MixtureModel(kn(), nplm([...TRAIN, 'zebra stripes']), 0.5),
      /different vocabularies/,
    );
    assert.throws(
      () => new MixtureModel(kn(), gpt(), 0.5),
      /cannot mix a word-level ngram model with a char-level gpt model/,
    );
    assert.throws(() => new MixtureModel(kn(), nplm(), 1.5), /between 0 and 1/);
  });
});

describe('lmkit eval', () => {
  it('reports perplexity, tokens, OOV and the mode in text and JSON, and mixes with --mix', async () => {
    const dir = tempDir();
    const model = join(dir, 'kn.arpa');
    kn().save(model);
    const second = join(dir, 'nplm');
    nplm().save(second);
    const test = file(TEST);
    const text = await runCli(['eval', model, test]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /mode sentences/);
    assert.match(text.stdout, /perplexity \d+\.\d{3}/);
    const mixed = JSON.parse(
      (await runCli(['eval', model, test, '--mix', second, '--mix-weight', '1', '--json'])).stdout,
    );
    const alone = JSON.parse((await runCli(['eval', model, test, '--json'])).stdout);
    assert.equal(mixed.kind, 'ngram+nplm');
    assert.equal(mixed.mix_weight, 1);
    close(mixed.perplexity, alone.perplexity, 1e-12, '--mix-weight 1');
    for (const key of [
      'tokens',
      'sentences',
      'oov',
      'characters',
      'nats',
      'bits_per_token',
      'bits_per_char',
      'seconds',
    ])
      assert.equal(typeof alone[key], 'number', key);
  });

  it('scores a dataset on its held-out test split by default and says so; a file whole', async () => {
    const dir = tempDir();
    const model = join(dir, 'kn.arpa');
    kn().save(model);
    const r = await runCli(['eval', model, 'brown', '--allow-oov']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /data brown, split test/);
    assert.match(r.stderr, /scoring [\d,]+ tokens of brown \(split test, the held-out part\)/);
    const all = JSON.parse(
      (await runCli(['eval', model, 'brown', '--split', 'all', '--allow-oov', '--json'])).stdout,
    );
    assert.equal(all.split, 'all');
    const test = JSON.parse((await runCli(['eval', model, 'brown', '--allow-oov', '--json'])).stdout);
    assert.equal(test.split, 'test');
    assert.equal(test.held_out, true);
    assert.ok(test.sentences < all.sentences / 2);
    const f = JSON.parse((await runCli(['eval', model, file(TEST), '--json'])).stdout);
    assert.equal(f.split, 'all');
    assert.equal(f.sentences, TEST.length);
  });

  it('notes when a run trained on all of the dataset it is scored on', async () => {
    const dir = tempDir();
    const model = nplm();
    model.save(dir, { training: { data: 'brown' } });
    const r = await runCli(['eval', dir, 'brown', '--allow-oov']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /was trained on all of brown .*not held out/);
  });

  it('fails with one clear line for a missing model, missing data, an empty file and mismatched models', async () => {
    const dir = tempDir();
    const model = join(dir, 'kn.arpa');
    kn().save(model);
    const missing = await runCli(['eval', join(dir, 'nope.arpa'), file(TEST)]);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /does not exist/);
    const noData = await runCli(['eval', model, join(dir, 'nothing.txt')]);
    assert.notEqual(noData.code, 0);
    assert.match(noData.stderr, /neither a file nor a dataset/);
    const empty = join(dir, 'empty.txt');
    writeFileSync(empty, '');
    const emptyRun = await runCli(['eval', model, empty]);
    assert.notEqual(emptyRun.code, 0);
    assert.match(emptyRun.stderr, /is empty/);
    const blank = join(dir, 'blank.txt');
    writeFileSync(blank, '\n  \n\n');
    const blankRun = await runCli(['eval', model, blank, '--format', 'lines']);
    assert.notEqual(blankRun.code, 0);
    assert.match(blankRun.stderr, /is empty \(only whitespace\)/);
    const other = join(dir, 'other');
    nplm([...TRAIN, 'zebra stripes']).save(other);
    const mismatch = await runCli(['eval', model, file(TEST), '--mix', other]);
    assert.notEqual(mismatch.code, 0);
    assert.match(mismatch.stderr, /different vocabularies/);
  });
});
