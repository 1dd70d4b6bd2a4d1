import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { logSoftmaxRow as logSoftmax } from '../../src/tensor/ops/softmax.js';
import { GPTModel } from '../../src/models/gpt.js';
import { loadLanguageModel } from '../../src/models/load.js';
import { NPLMModel } from '../../src/models/nplm.js';
import { RNNModel } from '../../src/models/rnn.js';
import { validateRNNConfig, type RNNConfig } from '../../src/nn/char-rnn.js';
import { GRU } from '../../src/nn/recurrent.js';
import { readSafetensors } from '../../src/nn/safetensors.js';
import { Rng } from '../../src/util/rng.js';
import { IntTensor, Tensor } from '../../src/tensor/tensor.js';
import { CharTokenizer } from '../../src/tokenizers/char.js';
import { resolveTrainConfig } from '../../src/train/config.js';
import { pretrain } from '../../src/train/pretrain.js';
import { runCli } from '../helpers/cli.js';
import { checkGradients } from '../helpers/finite-differences.js';
import { tempDir } from '../helpers/paths.js';

const tokenizer = CharTokenizer.train(['the cat sat on the mat\n']);

function tiny(over: Partial<RNNConfig> = {}): RNNConfig {
  return {
    cell: 'gru',
    n_embd: 3,
    n_hidden: 4,
    n_layer: 2,
    dropout: 0,
    recurrent_dropout: 0,
    vocab_size: tokenizer.vocabSize,
    ...over,
  };
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/**
 * The network by hand in float64 (PyTorch's GRU/LSTM formulas, gates r|z|n and i|f|g|o), with an
 * optional recurrent dropout mask per layer multiplying h where it enters the hidden matmul only.
 */
function handLogits(model: RNNModel, ids: number[], masks?: number[][]): number[][] {
  const { n_embd: E, n_hidden: H, vocab_size: V, cell } = model.config;
  const net = model.net;
  const G = cell === 'gru' ? 3 : 4;
  let xs = ids.map((t) => Array.from(net.encoder.weight.data.slice(t * E, (t + 1) * E)));
  net.layers.forEach((layer, l) => {
    const I = l === 0 ? E : H;
    const Wi = layer.weight_ih.data;
    const Wh = layer.weight_hh.data;
    const bi = layer.bias_ih.data;
    const bh = layer.bias_hh.data;
    let h = new Array<number>(H).fill(0);
    let c = new Array<number>(H).fill(0);
    const out: number[][] = [];
    for (const x of xs) {
      const hm = h.map((v, j) => v * (masks ? masks[l][j] : 1));
      const gi: number[] = [];
      const gh: number[] = [];
      for (let r = 0; r < G * H; r++) {
        let a = bi[r];
        for (let k = 0; k < I; k++) a += Wi[r * I + k] * x[k];
        let b = bh[r];
        for (let k = 0; k < H; k++) b += Wh[r * H + k] * hm[k];
        gi.push(a);
        gh.push(b);
      }
      if (cell === 'gru') {
        h = h.map((hj, j) => {
          const r = sigmoid(gi[j] + gh[j]);
          const z = sigmoid(gi[H + j] + gh[H + j]);
          const n = Math.tanh(gi[2 * H + j] + r * gh[2 * H + j]);
          return (1 - z) * n + z * hj;
        });
      } else {
        const g = gi.map((v, r) => v + gh[r]);
        c = c.map((cj, j) => sigmoid(g[H + j]) * cj + sigmoid(g[j]) * Math.tanh(g[2 * H + j]));
        h = c.map((cj, j) => sigmoid(g[3 * H + j]) * Math.tanh(cj));
      }
      out.push(h);
    }
    xs = out;
  });
  const W = net.decoder.weight.data;
  const b = net.decoder.bias!.data;
  return xs.map((h) =>
    Array.from({ length: V }, (_, v) => {
      let s = b[v];
      for (let k = 0; k < H; k++) s += W[v * H + k] * h[k];
      return s;
    }),
  );
}

function assertClose(got: ArrayLike<number>, want: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(got.length, want.length, what);
  for (let i = 0; i < want.length; i++)
    assert.ok(Math.abs(got[i] - want[i]) <= tol, `${what}[${i}]: ${got[i]} vs ${want[i]}`);
}

function textFile(text: string): string {
  const path = join(tempDir(), 'text.txt');
  writeFileSync(path, text);
  return path;
}

describe('RNNModel', () => {
  it('computes the GRU and LSTM stacks of PyTorch, layer by layer', () => {
    for (const cell of ['gru', 'lstm'] as const) {
      const model = new RNNModel(tiny({ cell }), tokenizer, 1);
      const ids = tokenizer.encode('the cat');
      const got = model.net.forward(IntTensor.from(ids, [1, ids.length])).logits.data;
      assertClose(got, handLogits(model, ids).flat(), 1e-5, cell);
    }
  });

  it('applies recurrent dropout as one mask per sequence on h entering the hidden matmul (Gal & Ghahramani)', () => {
    for (const cell of ['gru', 'lstm'] as const) {
      const p = 0.5;
      const seed = 4;
      const model = new RNNModel(tiny({ cell, n_layer: 1, recurrent_dropout: p }), tokenizer, seed);
      const H = model.config.n_hidden;
      // the network's dropout generator is seeded with seed + 1; its first draws are this mask
      const rng = new Rng(seed + 1);
      const mask = Array.from({ length: H }, () => (rng.uniform() < p ? 0 : 1 / (1 - p)));
      assert.ok(mask.includes(0) && mask.some((m) => m > 0), `a mask that drops some units: ${mask}`);
      const ids = tokenizer.encode('the mat');
      model.net.train();
      const got = model.net.forward(IntTensor.from(ids, [1, ids.length])).logits.data;
      model.net.eval();
      assertClose(got, handLogits(model, ids, [mask]).flat(), 1e-5, `${cell} with the mask`);
      const plain = handLogits(model, ids).flat();
      assert.ok(
        got.some((v, i) => Math.abs(v - plain[i]) > 1e-3),
        'the mask changes the output',
      );
      // eval mode uses no mask
      const evalOut = model.net.forward(IntTensor.from(ids, [1, ids.length])).logits.data;
      assertClose(evalOut, plain, 1e-5, `${cell} in eval mode`);
    }
  });

  it('passes h0 through a GRU layer with the mask leaving the z·h update untouched', () => {
    const rng = new Rng(3);
    const gru = new GRU(2, 3, rng);
    const inputs = new Tensor(Float32Array.from([0.3, -0.2]), [1, 1, 2]);
    const h0 = new Tensor(Float32Array.from([0.5, -0.4, 0.9]), [1, 3]);
    const zeroMask = new Tensor(new Float32Array(3), [1, 3]);
    // with every unit dropped the hidden matmul sees 0, yet h' = (1 − z) n + z h0 still carries h0
    const withMask = gru.forward(inputs, h0, zeroMask).h.data;
    const fromZero = gru.forward(inputs).h.data;
    const Wi = gru.weight_ih.data;
    const bi = gru.bias_ih.data;
    const bh = gru.bias_hh.data;
    for (let j = 0; j < 3; j++) {
      const g = (r: number) => bi[r] + Wi[r * 2] * 0.3 + Wi[r * 2 + 1] * -0.2;
      const r = sigmoid(g(j) + bh[j]);
      const z = sigmoid(g(3 + j) + bh[3 + j]);
      const n = Math.tanh(g(6 + j) + r * bh[6 + j]);
      assert.ok(Math.abs(withMask[j] - ((1 - z) * n + z * h0.data[j])) < 1e-6, `unit ${j}`);
      assert.ok(Math.abs(fromZero[j] - (1 - z) * n) < 1e-6, `unit ${j} from zeros`);
    }
  });

  it('has loss gradients that match central finite differences (GRU and LSTM, two layers)', () => {
    for (const cell of ['gru', 'lstm'] as const) {
      const model = new RNNModel(tiny({ cell }), tokenizer, 5);
      const net = model.net;
      net.train(); // no dropout configured, so train mode is deterministic
      const x = IntTensor.from([1, 3, 4, 5, 2, 2, 6, 3], [2, 4]);
      const y = IntTensor.from([3, 4, 5, 1, 2, 6, 3, 7], [2, 4]);
      const checked = checkGradients(net, () => net.loss(x, y), 6, `${cell} `);
      assert.ok(checked > 40, `${checked} coordinates checked`);
      for (const p of ['rnn.0.weight_hh', 'rnn.1.weight_ih', 'encoder.weight'])
        assert.ok(
          net
            .namedParameters()
            .find((q) => q.name === p)!
            .tensor.grad!.some((g) => g !== 0),
          `${cell}: ${p} learns`,
        );
      net.eval();
    }
  });

  it('decodes token by token exactly as one forward pass over the line start and the tokens', () => {
    for (const cell of ['gru', 'lstm'] as const) {
      const model = new RNNModel(tiny({ cell }), tokenizer, 6);
      const V = model.config.vocab_size;
      const prompt = tokenizer.encode('the');
      const more = tokenizer.encode(' cat sat');
      const all = [model.startToken, ...prompt, ...more];
      const full = model.net.forward(IntTensor.from(all, [1, all.length])).logits.data;
      const state = model.start(prompt);
      for (let k = 0; k <= more.length; k++) {
        const t = prompt.length + k; // position of the last token read
        const want = logSoftmax(full.slice(t * V, (t + 1) * V));
        const got = state.logProbs();
        assertClose(got, want, 1e-5, `${cell} after ${k} pushes`);
        assert.ok(Math.abs(got.reduce((s, v) => s + Math.exp(v), 0) - 1) < 1e-5);
        if (k < more.length) state.push(more[k]);
      }
      assert.equal(model.startToken, tokenizer.encode('\n')[0]);
      assert.equal(model.contextLength, Infinity);
      assert.equal(model.kind, 'rnn');
    }
  });

  it('saves and loads a checkpoint in PyTorch names with identical log-probabilities', () => {
    const dir = tempDir();
    const model = new RNNModel(tiny({ cell: 'lstm' }), tokenizer, 7);
    model.save(dir);
    const back = loadLanguageModel(dir);
    assert.ok(back instanceof RNNModel);
    assert.equal(back.config.cell, 'lstm');
    const prompt = tokenizer.encode('the cat');
    assert.deepEqual(back.start(prompt).logProbs(), model.start(prompt).logProbs());
    const names = [...readSafetensors(join(dir, 'model.safetensors')).tensors.keys()].sort();
    assert.deepEqual(names, [
      'decoder.bias',
      'decoder.weight',
      'encoder.weight',
      'rnn.bias_hh_l0',
      'rnn.bias_hh_l1',
      'rnn.bias_ih_l0',
      'rnn.bias_ih_l1',
      'rnn.weight_hh_l0',
      'rnn.weight_hh_l1',
      'rnn.weight_ih_l0',
      'rnn.weight_ih_l1',
    ]);
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    assert.equal(config.lmkit_kind, 'rnn');
    assert.equal(config.n_layer, 2);
  });

  it('refuses checkpoints of other kinds and impossible configs, naming them', () => {
    const gptDir = tempDir();
    new GPTModel(
      {
        n_layer: 1,
        n_head: 1,
        n_embd: 4,
        block_size: 4,
        vocab_size: tokenizer.vocabSize,
        dropout: 0,
        bias: true,
      },
      tokenizer,
    ).save(gptDir);
    assert.throws(() => RNNModel.load(gptDir), /kind "gpt", not an RNN/);
    const rnnDir = tempDir();
    new RNNModel(tiny(), tokenizer).save(rnnDir);
    assert.throws(() => NPLMModel.load(rnnDir), /kind "rnn", not an NPLM/);
    assert.throws(() => GPTModel.load(rnnDir), /kind "rnn", not a GPT/);
    assert.throws(() => RNNModel.load(tempDir()), /has no config\.json/);
    assert.throws(() => validateRNNConfig(tiny({ n_hidden: 0 })), /n_hidden must be a whole number ≥ 1/);
    assert.throws(
      () => validateRNNConfig(tiny({ cell: 'rnn' as 'gru' })),
      /cell must be gru or lstm \(got "rnn"\)/,
    );
    assert.throws(
      () => validateRNNConfig(tiny({ recurrent_dropout: 1 })),
      /recurrent_dropout must be in \[0, 1\)/,
    );
    assert.throws(() => new RNNModel(tiny({ vocab_size: 3 }), tokenizer), /vocab_size 3 does not match/);
    assert.throws(() => new RNNModel(tiny(), tokenizer).start([999]), /outside the vocabulary/);
  });
});

describe('training a character RNN', () => {
  const sentences = ['the cat sat on the mat', 'a dog ran in the park', 'the bird sang a song'];
  const corpus = () =>
    textFile(Array.from({ length: 300 }, (_, i) => sentences[(i * 7) % 3]).join('\n') + '\n');
  const SMALL = ['--n_embd', '8', '--n_hidden', '32', '--block_size', '24', '--batch_size', '16'];

  it('takes the Keras recipe as defaults for --model rnn, flags overriding them', () => {
    const c = resolveTrainConfig({ model: 'rnn' });
    assert.deepEqual(
      [c.cell, c.n_embd, c.n_hidden, c.n_layer, c.block_size, c.dropout, c.recurrent_dropout, c.patience],
      ['gru', 50, 150, 1, 30, 0.1, 0.1, 3],
    );
    assert.equal(c.min_lr, c.learning_rate, 'a constant learning rate');
    assert.equal(c.weight_decay, 0);
    const d = resolveTrainConfig({ model: 'rnn' }, { learning_rate: 0.005, cell: 'lstm', n_layer: 2 });
    assert.deepEqual([d.min_lr, d.cell, d.n_layer], [0.005, 'lstm', 2]);
    assert.equal(resolveTrainConfig({}).n_embd, 128, 'GPT defaults are untouched');
    assert.throws(
      () => resolveTrainConfig({ model: 'rnn', cell: 'rnn' as 'gru' }),
      /cell must be gru or lstm/,
    );
  });

  it('trains on a text file, lowers the validation loss, and generates greedily and by sampling', async () => {
    const out = tempDir();
    const r = await runCli([
      'train',
      '--model',
      'rnn',
      '--data',
      corpus(),
      ...SMALL,
      '--learning_rate',
      '0.01',
      '--max_iters',
      '200',
      '--eval_interval',
      '100',
      '--eval_iters',
      '4',
      '--out',
      out,
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /training a GRU RNN of/);
    const evals = readFileSync(join(out, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((e) => e.type === 'eval');
    assert.equal(evals.length, 3);
    assert.ok(
      evals[2].val_loss < evals[0].val_loss * 0.4,
      `val loss ${evals[0].val_loss} → ${evals[2].val_loss}`,
    );
    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
    assert.equal(config.lmkit_kind, 'rnn');
    assert.equal(config.training.recurrent_dropout, 0.1);

    const greedy = await runCli([
      'generate',
      out,
      '--prompt',
      'the c',
      '--temperature',
      '0',
      '--max-tokens',
      '17',
    ]);
    assert.equal(greedy.code, 0, greedy.stderr);
    assert.equal(greedy.stdout.split('\n')[0], 'the cat sat on the mat');
    const sampled = await runCli([
      'generate',
      out,
      '--prompt',
      'a d',
      '--n',
      '2',
      '--seed',
      '1',
      '--max-tokens',
      '18',
    ]);
    assert.equal(sampled.code, 0, sampled.stderr);
    assert.match(sampled.stdout, /^--- sample 1\/2, prompt "a d", seed 1 ---\na d[a-z ]*\n/);
  });

  it('stops early when the validation loss stops improving, keeping the best model', async () => {
    const out = tempDir();
    const summary = await pretrain({
      model: 'rnn',
      data: corpus(),
      settings: [
        {
          n_embd: 4,
          n_hidden: 8,
          block_size: 8,
          learning_rate: 0,
          max_iters: 100,
          eval_interval: 5,
          patience: 2,
        },
      ],
      out,
    });
    assert.equal(summary.stopped, 'early');
    assert.equal(summary.steps, 10);
    assert.ok(loadLanguageModel(join(out, 'best')) instanceof RNNModel);
  });

  it('takes the model kind from a config file as from --model', async () => {
    const out = tempDir();
    const config = join(tempDir(), 'rnn.json');
    writeFileSync(
      config,
      JSON.stringify({ model: 'rnn', cell: 'lstm', n_embd: 4, n_hidden: 8, block_size: 8 }),
    );
    const r = await runCli([
      'train',
      '--data',
      corpus(),
      '--config',
      config,
      '--max_iters',
      '2',
      '--out',
      out,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const model = loadLanguageModel(out);
    assert.ok(model instanceof RNNModel);
    assert.equal(model.config.cell, 'lstm');
  });

  it('cleans the text with --clean and records it for resuming', async () => {
    const out = tempDir();
    const data = textFile(
      Array.from({ length: 60 }, () => "The Cat, at 3 o'clock, SAT on the mat!").join('\n') + '\n',
    );
    const r = await runCli([
      'train',
      '--model',
      'rnn',
      '--data',
      data,
      '--clean',
      ...SMALL,
      '--max_iters',
      '2',
      '--out',
      out,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const model = loadLanguageModel(out) as RNNModel;
    for (const ch of "TC,3!'")
      assert.deepEqual(model.tokenizer.encode(ch), [model.tokenizer.special.unk], ch);
    assert.equal(model.tokenizer.decode(model.tokenizer.encode('the cat sat')), 'the cat sat');
    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8'));
    assert.equal(config.training.clean, true);
  });

  it('refuses a corpus smaller than one window, a changed architecture on resume, and another kind', async () => {
    const small = await runCli([
      'train',
      '--model',
      'rnn',
      '--data',
      textFile('a tiny text\n'),
      '--out',
      tempDir(),
    ]);
    assert.equal(small.code, 1);
    assert.match(small.stderr, /fewer than one window of block_size \+ 1 = 31/);
    const out = tempDir();
    const first = await runCli([
      'train',
      '--model',
      'rnn',
      '--data',
      corpus(),
      ...SMALL,
      '--max_iters',
      '2',
      '--out',
      out,
    ]);
    assert.equal(first.code, 0, first.stderr);
    const lstm = await runCli(['train', '--resume', out, '--cell', 'lstm', '--max_iters', '4']);
    assert.equal(lstm.code, 1);
    assert.match(lstm.stderr, /changed architecture: cell is gru in .*, lstm now/);
    const wider = await runCli(['train', '--resume', out, '--n_hidden', '64', '--max_iters', '4']);
    assert.match(wider.stderr, /changed architecture: n_hidden is 32/);
    const asGpt = await runCli(['train', '--resume', out, '--model', 'gpt', '--max_iters', '4']);
    assert.match(asGpt.stderr, /cannot resume a rnn run as --model gpt/);
    const resumed = await runCli(['train', '--resume', out, '--max_iters', '4', '--json']);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal(JSON.parse(resumed.stdout).steps, 4);
  });
});
