import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { GPTModel } from '../../src/models/gpt.js';
import { loadLanguageModel } from '../../src/models/load.js';
import { NPLMModel } from '../../src/models/nplm.js';
import { validateNPLMConfig, type NPLMConfig } from '../../src/nn/nplm.js';
import { IntTensor } from '../../src/tensor/tensor.js';
import { CharTokenizer } from '../../src/tokenizers/char.js';
import { WordTokenizer } from '../../src/tokenizers/word.js';
import { runCli } from '../helpers/cli.js';
import { checkGradients } from '../helpers/finite-differences.js';
import { tempDir } from '../helpers/paths.js';

const tokenizer = WordTokenizer.train(['the cat sat on the mat', 'a dog ran']);

function tiny(over: Partial<NPLMConfig> = {}): NPLMConfig {
  return { order: 3, n_embd: 3, n_hidden: 4, direct: true, vocab_size: tokenizer.vocabSize, ...over };
}

/** Fills every parameter with small deterministic values. */
function setWeights(model: NPLMModel): void {
  let k = 0;
  for (const { tensor } of model.net.namedParameters())
    for (let i = 0; i < tensor.size; i++) tensor.data[i] = Math.sin(++k * 0.7) * 0.5;
}

/** logits = b + U tanh(d + H x) + W x, computed by hand in float64. */
function handLogits(model: NPLMModel, context: number[]): number[] {
  const { n_embd: m, n_hidden: h, vocab_size: V } = model.config;
  const net = model.net;
  const x: number[] = [];
  for (const t of context) for (let j = 0; j < m; j++) x.push(net.C.weight.data[t * m + j]);
  const H = net.hidden!.weight.data;
  const d = net.hidden!.bias!.data;
  const U = net.output!.weight.data;
  const b = net.output!.bias!.data;
  const W = net.direct!.weight.data;
  const a: number[] = [];
  for (let i = 0; i < h; i++) {
    let s = d[i];
    for (let j = 0; j < x.length; j++) s += H[i * x.length + j] * x[j];
    a.push(Math.tanh(s));
  }
  const out: number[] = [];
  for (let v = 0; v < V; v++) {
    let s = b[v];
    for (let i = 0; i < h; i++) s += U[v * h + i] * a[i];
    for (let j = 0; j < x.length; j++) s += W[v * x.length + j] * x[j];
    out.push(s);
  }
  return out;
}

function textFile(text: string): string {
  const path = join(tempDir(), 'text.txt');
  writeFileSync(path, text);
  return path;
}

describe('NPLMModel', () => {
  it('computes b + U tanh(d + H x) + W x over the concatenated embeddings, padding with </s>', () => {
    const model = new NPLMModel(tiny(), tokenizer, 1);
    setWeights(model);
    const [the, cat] = tokenizer.encode('the cat');
    const eos = tokenizer.special.eos as number;
    assert.equal(model.pad, eos);
    for (const [prompt, context] of [
      [
        [the, cat],
        [the, cat],
      ],
      [[cat], [eos, cat]],
      [[], [eos, eos]],
      [
        [cat, the, cat],
        [the, cat],
      ],
    ]) {
      const logits = handLogits(model, context);
      const max = Math.max(...logits);
      const lse = max + Math.log(logits.reduce((s, l) => s + Math.exp(l - max), 0));
      const lp = model.start(prompt).logProbs();
      for (let v = 0; v < logits.length; v++)
        assert.ok(Math.abs(lp[v] - (logits[v] - lse)) < 1e-5, `token ${v}: ${lp[v]} vs ${logits[v] - lse}`);
    }
  });

  it('gives log-probabilities that sum to 1, with and without direct connections', () => {
    for (const over of [{}, { direct: false }, { n_hidden: 0 }]) {
      const model = new NPLMModel(tiny(over), tokenizer, 2);
      const state = model.start(tokenizer.encode('the'));
      for (const t of tokenizer.encode('cat sat on')) {
        const total = state.logProbs().reduce((s, x) => s + Math.exp(x), 0);
        assert.ok(Math.abs(total - 1) < 1e-5, `sum ${total}`);
        state.push(t);
      }
    }
  });

  it('has loss gradients that match central finite differences', () => {
    const model = new NPLMModel(tiny(), tokenizer, 3);
    const net = model.net;
    const ids = [
      [1, 3],
      [4, 5],
      [3, 3],
    ];
    const x = IntTensor.from(ids.flat(), [3, 2]);
    const y = IntTensor.from([0, 4, 0, 6, 0, 2], [3, 2]);
    const checked = checkGradients(net, () => net.loss(x, y), 7);
    assert.ok(checked > 20);
    assert.ok(
      net.C.weight.grad!.some((g) => g !== 0),
      'the embeddings learn',
    );
  });

  it('saves and loads a checkpoint with identical log-probabilities', () => {
    const dir = tempDir();
    const model = new NPLMModel(tiny(), tokenizer, 7);
    model.save(dir);
    const back = loadLanguageModel(dir);
    assert.ok(back instanceof NPLMModel);
    assert.equal(back.kind, 'nplm');
    assert.equal(back.contextLength, 2);
    const prompt = tokenizer.encode('the cat');
    assert.deepEqual(back.start(prompt).logProbs(), model.start(prompt).logProbs());
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    assert.equal(config.lmkit_kind, 'nplm');
    assert.equal(config.direct, true);
  });

  it('rejects impossible configs with errors naming them', () => {
    assert.throws(() => validateNPLMConfig(tiny({ order: 1 })), /order must be a whole number ≥ 2/);
    assert.throws(() => validateNPLMConfig(tiny({ n_embd: 0 })), /n_embd must be a whole number ≥ 1/);
    assert.throws(() => validateNPLMConfig(tiny({ n_hidden: 2.5 })), /n_hidden must be a whole number ≥ 0/);
    assert.throws(
      () => validateNPLMConfig(tiny({ n_hidden: 0, direct: false })),
      /nothing reaches the output/,
    );
    assert.throws(() => new NPLMModel(tiny({ vocab_size: 3 }), tokenizer), /vocab_size 3 does not match/);
    assert.throws(() => new NPLMModel(tiny(), tokenizer).start([999]), /outside the vocabulary/);
  });

  it('refuses a checkpoint of the other kind, both ways', () => {
    const chars = CharTokenizer.train(['hello\n']);
    const gptDir = tempDir();
    new GPTModel(
      {
        n_layer: 1,
        n_head: 1,
        n_embd: 4,
        block_size: 4,
        vocab_size: chars.vocabSize,
        dropout: 0,
        bias: true,
      },
      chars,
    ).save(gptDir);
    assert.throws(() => NPLMModel.load(gptDir), /kind "gpt", not an NPLM/);
    const nplmDir = tempDir();
    new NPLMModel(tiny(), tokenizer).save(nplmDir);
    assert.throws(() => GPTModel.load(nplmDir), /kind "nplm", not a GPT/);
    assert.ok(loadLanguageModel(gptDir) instanceof GPTModel);
  });
});

describe('lmkit train --model nplm', () => {
  const sentences = ['the cat sat on the mat .', 'a dog ran in the park .', 'the bird sang a song .'];
  const corpus = () =>
    textFile(Array.from({ length: 300 }, (_, i) => sentences[(i * 7) % 3]).join('\n') + '\n');

  it('trains on words (sentences joined by </s>), lowers the validation loss, and generates', async () => {
    const out = tempDir();
    const r = await runCli([
      'train',
      '--model',
      'nplm',
      '--data',
      corpus(),
      '--tokenizer',
      'word',
      '--order',
      '3',
      '--n_embd',
      '8',
      '--n_hidden',
      '16',
      '--direct',
      '--batch_size',
      '16',
      '--learning_rate',
      '0.01',
      '--warmup_iters',
      '0',
      '--max_iters',
      '60',
      '--eval_interval',
      '60',
      '--eval_iters',
      '4',
      '--out',
      out,
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const evals = readFileSync(join(out, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((e) => e.type === 'eval');
    assert.equal(evals.length, 2);
    assert.ok(
      evals[1].val_loss < evals[0].val_loss * 0.6,
      `val loss ${evals[0].val_loss} → ${evals[1].val_loss}`,
    );
    const summary = JSON.parse(r.stdout);
    assert.equal(summary.steps, 60);
    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
    assert.equal(config.lmkit_kind, 'nplm');
    assert.equal(config.training.model, 'nplm');
    assert.equal(config.training.block_size, 2);
    const model = loadLanguageModel(out) as NPLMModel;
    assert.equal(model.tokenizer.kind, 'word');
    // after a full stop comes the sentence end, the token that separates training sentences
    const lp = model.start(model.tokenizer.encode('on the mat .')).logProbs();
    assert.equal(lp.indexOf(Math.max(...lp)), model.tokenizer.special.eos);

    const g = await runCli([
      'generate',
      out,
      '--prompt',
      'the cat',
      '--n',
      '2',
      '--seed',
      '1',
      '--max-tokens',
      '12',
    ]);
    assert.equal(g.code, 0, g.stderr);
    // several samples: each under its own '--- sample i/N ---' line
    const lines = g.stdout.split('\n').filter((l) => l && !l.startsWith('--- sample'));
    assert.equal(lines.length, 2);
    assert.match(g.stdout, /^--- sample 1\/2, prompt "the cat", seed 1 ---\n/);
    for (const l of lines) assert.match(l, /^the cat( [a-z.]+)*$/);
  });

  it('refuses resuming with another order, and impossible settings', async () => {
    const out = tempDir();
    const data = corpus();
    const base = ['train', '--model', 'nplm', '--data', data, '--tokenizer', 'word', '--n_embd', '4'];
    const first = await runCli([
      ...base,
      '--order',
      '3',
      '--n_hidden',
      '8',
      '--max_iters',
      '2',
      '--out',
      out,
    ]);
    assert.equal(first.code, 0, first.stderr);
    const again = await runCli(['train', '--resume', out, '--order', '4', '--max_iters', '4']);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /changed architecture: order is 3/);
    const asGpt = await runCli(['train', '--resume', out, '--model', 'gpt', '--max_iters', '4']);
    assert.match(asGpt.stderr, /cannot resume a nplm run as --model gpt/);
    const resumed = await runCli(['train', '--resume', out, '--max_iters', '4', '--json']);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal(JSON.parse(resumed.stdout).steps, 4);
    const bad = await runCli([...base, '--order', '1', '--out', tempDir()]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /order must be a whole number ≥ 2/);
    const none = await runCli([...base, '--n_hidden', '0', '--out', tempDir()]);
    assert.match(none.stderr, /nothing reaches the output/);
  });
});
