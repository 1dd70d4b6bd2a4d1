import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { scoreByDecoding } from '../../src/lm.js';
import { ElmoModel } from '../../src/models/elmo.js';
import { MODEL_KINDS } from '../../src/models/kinds.js';
import { loadLanguageModel } from '../../src/models/load.js';
import { reverseTime, type ElmoConfig } from '../../src/nn/elmo.js';
import { ScalarMix, equalMix } from '../../src/nn/scalar-mix.js';
import { crossEntropy } from '../../src/tensor/ops/cross-entropy.js';
import { sum } from '../../src/tensor/ops/reduce.js';
import { mul } from '../../src/tensor/ops/elementwise.js';
import { IntTensor, Tensor } from '../../src/tensor/tensor.js';
import { WordTokenizer } from '../../src/tokenizers/word.js';
import { Rng } from '../../src/util/rng.js';
import { runCli } from '../helpers/cli.js';
import { checkGradients } from '../helpers/finite-differences.js';
import { tempDir } from '../helpers/paths.js';

const tokenizer = WordTokenizer.train(['the cat sat on the mat', 'a dog ran to the cat']);

function tiny(over: Partial<ElmoConfig> = {}): ElmoConfig {
  return { n_embd: 4, n_layer: 2, dropout: 0, tie_weights: false, vocab_size: tokenizer.vocabSize, ...over };
}

function close(a: number, b: number, tol: number, what: string): void {
  assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);
}

const total = (xs: Float64Array[]) => xs.reduce((s, x) => s + x.reduce((a, b) => a + b, 0), 0);

describe('ELMo biLM', () => {
  it('has loss gradients that match central finite differences (untied and tied, two layers)', () => {
    for (const tie_weights of [false, true]) {
      const model = new ElmoModel(tiny({ tie_weights }), tokenizer, 3);
      const net = model.net;
      net.train(); // dropout 0: deterministic
      const x = IntTensor.from([1, 3, 4, 5, 2, 6, 3, 7], [2, 4]);
      const y = IntTensor.from([3, 4, 5, 6, 6, 3, 7, 8], [2, 4]);
      const checked = checkGradients(net, () => net.loss(x, y), 5, tie_weights ? 'tied ' : 'untied ');
      assert.ok(checked > 40, `${checked} coordinates checked`);
      for (const p of [
        'forward.1.weight_hh',
        'backward.0.weight_ih',
        'backward.1.weight_ih',
        'encoder.weight',
      ])
        assert.ok(
          net
            .namedParameters()
            .find((q) => q.name === p)!
            .tensor.grad!.some((g) => g !== 0),
          `${p} learns`,
        );
      net.eval();
    }
  });

  it("is the sum of a forward LM's loss and a backward LM's loss over the reversed window", () => {
    const model = new ElmoModel(tiny(), tokenizer, 4);
    const net = model.net;
    const w = [1, 3, 4, 5, 2];
    const x = IntTensor.from(w.slice(0, 4), [1, 4]);
    const y = IntTensor.from(w.slice(1), [1, 4]);
    const tokens = net.tokens(IntTensor.from(w, [1, 5]));
    const fwd = net.run('forward', net.tokens(x)).outputs[1];
    const forwardLoss = crossEntropy(net.logits(fwd), y).item();
    const rev = [...w.slice(1)].reverse();
    const bwd = net.run('backward', net.tokens(IntTensor.from(rev, [1, 4]))).outputs[1];
    const backwardLoss = crossEntropy(
      net.logits(bwd),
      IntTensor.from([...w.slice(0, 4)].reverse(), [1, 4]),
    ).item();
    close(net.loss(x, y).item(), forwardLoss + backwardLoss, 1e-5, 'loss');
    assert.equal(tokens.shape.join(), '1,5,4');
  });

  it("adds each layer's input to its output from the second layer on (ELMo's residual)", () => {
    const model = new ElmoModel(tiny({ n_layer: 3 }), tokenizer, 5);
    const net = model.net;
    const x = net.tokens(IntTensor.from([2, 3, 4], [1, 3]));
    const outs = net.run('forward', x).outputs;
    const own0 = net.forwardLayers[0].forward(x).output.data;
    outs[0].data.forEach((v, i) => close(v, own0[i], 1e-6, 'layer 1 has no residual'));
    for (const l of [1, 2]) {
      const own = net.forwardLayers[l].forward(outs[l - 1]).output.data;
      outs[l].data.forEach((v, i) => close(v, own[i] + outs[l - 1].data[i], 1e-6, `layer ${l + 1}`));
    }
  });

  it('reverses the time axis, gradient included', () => {
    const x = new Tensor(Float32Array.from([1, 2, 3, 4, 5, 6]), [1, 3, 2]);
    x.requiresGrad = true;
    const r = reverseTime(x);
    assert.deepEqual(Array.from(r.data), [5, 6, 3, 4, 1, 2]);
    sum(mul(r, new Tensor(Float32Array.from([1, 0, 0, 0, 0, 2]), [1, 3, 2]))).backward();
    assert.deepEqual(Array.from(x.grad!), [0, 2, 0, 0, 1, 0]);
  });

  it('decodes token by token as its forward reading scores, and both readings score whole sentences', () => {
    const model = new ElmoModel(tiny(), tokenizer, 6);
    const end = model.startToken;
    const seqs = [
      [...tokenizer.encode('the cat sat on the mat'), end],
      [...tokenizer.encode('a dog'), end],
    ];
    const fast = model.scoreSequences(seqs);
    seqs.forEach((s, k) => {
      const slow = scoreByDecoding(model, s);
      slow.forEach((v, i) => close(fast[k][i], v, 1e-5, `sequence ${k} token ${i}`));
    });
    const readings = model.scoreReadings(seqs);
    assert.deepEqual(
      readings.map((r) => r.name),
      ['forward', 'backward'],
    );
    readings[0].scores.forEach((s, k) => s.forEach((v, i) => close(v, fast[k][i], 1e-6, 'forward reading')));
    // with the backward LSTMs set to the forward ones, the backward reading of a sentence is the forward
    // reading of its words reversed (both read the boundary, then the words, and score the boundary last)
    const mirror = new ElmoModel(tiny(), tokenizer, 6);
    mirror.net.forwardLayers.forEach((f, l) => {
      const b = mirror.net.backwardLayers[l];
      for (const p of ['weight_ih', 'weight_hh', 'bias_ih', 'bias_hh'] as const) b[p].data.set(f[p].data);
    });
    const reversed = seqs.map((s) => [...s.slice(0, -1)].reverse().concat(end));
    const back = mirror.scoreReadings(seqs)[1].scores;
    const forwardOfReversed = mirror.scoreSequences(reversed);
    close(total(back), total(forwardOfReversed), 1e-4, 'backward = forward of the reversed words');
    assert.ok(Math.abs(total(back) - total(mirror.scoreSequences(seqs))) > 1e-3, 'and differs from forward');
  });

  it('scores a long sequence in chunks exactly as in one piece', () => {
    const model = new ElmoModel(tiny(), tokenizer, 7);
    const rng = new Rng(1);
    const seq = Array.from({ length: 600 }, () => 1 + Math.floor(rng.uniform() * (tokenizer.vocabSize - 1)));
    const chunked = model.scoreReadings([seq]);
    const state = model.start([]);
    let forward = 0;
    for (const t of seq) {
      forward += state.logProbs()[t];
      state.push(t);
    }
    close(total(chunked[0].scores), forward, 1e-2, 'forward over 600 tokens');
    assert.ok(Number.isFinite(total(chunked[1].scores)));
  });

  it("gives ELMo's layers: the token layer twice, then forward ‖ backward states that see one side each", () => {
    const model = new ElmoModel(tiny(), tokenizer, 8);
    const C = 4;
    const a = tokenizer.encode('the cat sat');
    const b = tokenizer.encode('the cat ran');
    const la = model.contextualLayers(a);
    const lb = model.contextualLayers(b);
    assert.equal(la.length, 3);
    for (const l of la) assert.equal(l.length, 3 * 2 * C);
    const E = model.net.encoder.weight.data;
    for (let i = 0; i < 3; i++)
      for (let c = 0; c < C; c++) {
        close(la[0][i * 2 * C + c], E[a[i] * C + c], 0, 'token layer, first half');
        close(la[0][i * 2 * C + C + c], E[a[i] * C + c], 0, 'token layer, second half');
      }
    const half = (x: Float32Array, i: number, h: number) =>
      Array.from(x.subarray(i * 2 * C + h * C, i * 2 * C + (h + 1) * C));
    for (const l of [1, 2]) {
      // the texts differ in their last word: forward states before it agree, backward states do not
      assert.deepEqual(half(la[l], 1, 0), half(lb[l], 1, 0), `layer ${l} forward at "cat"`);
      assert.notDeepEqual(half(la[l], 1, 1), half(lb[l], 1, 1), `layer ${l} backward at "cat"`);
    }
    // the forward half is the forward LM's state after the boundary and the tokens so far
    const x = model.net.tokens(IntTensor.from([model.startToken, ...a], [1, 4]));
    const fwd = model.net.run('forward', x).outputs[1].data;
    for (let i = 0; i < 3; i++)
      half(la[2], i, 0).forEach((v, c) => close(v, fwd[(i + 1) * C + c], 1e-6, `forward state ${i}`));
    // embed: the mean over tokens of the layers' mean
    const mix = equalMix(la);
    const e = model.embed(a);
    for (let d = 0; d < 2 * C; d++)
      close(e[d], (mix[d] + mix[2 * C + d] + mix[4 * C + d]) / 3, 1e-6, 'embed');
  });

  it('saves and loads a checkpoint of kind elmo that scores the same', () => {
    const dir = join(tempDir(), 'elmo');
    const model = new ElmoModel(tiny({ tie_weights: true }), tokenizer, 9);
    model.save(dir);
    const back = loadLanguageModel(dir);
    assert.equal(back.kind, 'elmo');
    const seq = [...tokenizer.encode('the dog sat'), model.startToken];
    assert.deepEqual(back.scoreReadings!([seq]), model.scoreReadings([seq]));
    assert.ok(MODEL_KINDS.has('elmo'));
  });
});

describe('ScalarMix', () => {
  it('starts as the mean of the layers and has gradients that match finite differences', () => {
    const mix = new ScalarMix(3);
    const rng = new Rng(2);
    const layers = [0, 1, 2].map(
      () =>
        new Tensor(
          Float32Array.from({ length: 6 }, () => rng.normal()),
          [2, 3],
        ),
    );
    const mean = equalMix(layers.map((l) => l.data as Float32Array));
    mix.forward(layers).data.forEach((v, i) => close(v, mean[i], 1e-6, 'equal weights'));
    mix.scalar_parameters.data.set([0.3, -0.2, 0.5]);
    mix.gamma.data[0] = 1.7;
    const target = new Tensor(
      Float32Array.from({ length: 6 }, () => rng.normal()),
      [2, 3],
    );
    const checked = checkGradients(mix, () => sum(mul(mix.forward(layers), target)), 3);
    assert.equal(checked, 4);
    const w = mix.weights();
    close(
      w.reduce((a, b) => a + b, 0),
      1,
      1e-9,
      'weights sum to 1',
    );
  });
});

describe('lmkit train --model elmo, eval and embed encode', () => {
  it('trains, reports each direction in eval, and encodes a text layer by layer', async () => {
    const dir = tempDir();
    const text = join(dir, 'words.txt');
    const lines = ['the cat sat on the mat .', 'a dog ran to the cat .', 'the dog sat on a mat .'];
    writeFileSync(text, Array.from({ length: 40 }, (_, i) => lines[i % 3]).join('\n') + '\n');
    const out = join(dir, 'run');
    const train = await runCli([
      'train',
      '--model',
      'elmo',
      '--data',
      text,
      '--tokenizer',
      'word',
      '--n_embd',
      '8',
      '--block_size',
      '6',
      '--batch_size',
      '4',
      '--max_iters',
      '30',
      '--eval_interval',
      '15',
      '--eval_iters',
      '2',
      '--out',
      out,
    ]);
    assert.equal(train.code, 0, train.stderr);
    assert.match(train.stderr + train.stdout, /an ELMo biLM/);
    const ev = await runCli(['eval', out, text, '--json']);
    assert.equal(ev.code, 0, ev.stderr);
    const r = JSON.parse(ev.stdout) as {
      perplexity: number;
      tokens: number;
      readings: { name: string; perplexity: number }[];
    };
    assert.deepEqual(
      r.readings.map((x) => x.name),
      ['forward', 'backward'],
    );
    close(r.readings[0].perplexity, r.perplexity, 1e-9, 'the forward reading is the model');
    assert.ok(r.readings[1].perplexity > 1 && r.readings[1].perplexity < tokenizer.vocabSize * 2);
    const human = await runCli(['eval', out, text]);
    assert.match(human.stdout, /readings: forward perplexity [\d.]+, backward perplexity [\d.]+/);

    const enc = await runCli(['embed', 'encode', out, 'the cat sat.', '--layer', '2', '--json']);
    assert.equal(enc.code, 0, enc.stderr);
    const e = JSON.parse(enc.stdout) as {
      tokens: string[];
      vectors: number[][];
      dim: number;
      layers: number;
    };
    assert.deepEqual(e.tokens, ['the', 'cat', 'sat', '.']);
    assert.equal(e.dim, 16);
    assert.equal(e.layers, 3);
    const model = loadLanguageModel(out);
    const layers = model.contextualLayers!(model.tokenizer.encode('the cat sat .'));
    e.vectors.flat().forEach((v, i) => close(v, layers[2][i], 1e-6, 'layer 2'));
    const plain = await runCli(['embed', 'encode', out, 'the cat']);
    assert.equal(plain.stdout.trim().split('\n').length, 2);
    assert.match(plain.stdout, /^the -?\d/);

    const bad = await runCli(['embed', 'encode', out, 'the cat', '--layer', '3']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /--layer must be mix or a layer from 0 to 2/);
    const gpt = join(dir, 'gpt');
    const g = await runCli([
      'train',
      '--data',
      text,
      '--n_layer',
      '1',
      '--n_head',
      '1',
      '--n_embd',
      '8',
      '--block_size',
      '8',
      '--batch_size',
      '2',
      '--max_iters',
      '1',
      '--eval_interval',
      '1',
      '--eval_iters',
      '1',
      '--out',
      gpt,
    ]);
    assert.equal(g.code, 0, g.stderr);
    const noLayers = await runCli(['embed', 'encode', gpt, 'the cat']);
    assert.notEqual(noLayers.code, 0);
    assert.match(noLayers.stderr, /gpt model, which has no contextual layers/);
  });
});
