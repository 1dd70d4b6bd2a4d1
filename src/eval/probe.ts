/**
 * A linear probe (Peters et al. 2018 §5.3, Liu et al. 2019): softmax regression trained on frozen vectors
 * to predict a label per token, so that the accuracy measures what the vectors hold, not what a model on
 * top could learn. Three kinds of input, one training budget for all (epochs, batch, Adam's rate, seed):
 * - `dense`: one vector per token (word2vec, one ELMo layer), each dimension standardised by the training
 *   tokens' mean and deviation;
 * - `layers`: several layers per token mixed by ELMo's learned scalar mix (nn/scalar-mix.ts) before the
 *   linear map, the mix's weights and γ trained with it; each layer is standardised first;
 * - `onehot`: a word id per token (−1: a word the probe never saw, which gets the bias alone): a weight row
 *   per word, i.e. the word identity baseline.
 * With a validation set the probe trains until its validation accuracy has not improved for `patience`
 * epochs (at most `epochs`) and keeps the best epoch's weights, so that every input gets trained to
 * convergence — a one-hot probe has far more weights to fit than a dense one — without tuning on the test set.
 */
import { LmkitError } from '../errors.js';
import { Embedding, Linear } from '../nn/layers.js';
import { Module } from '../nn/module.js';
import { Adam } from '../nn/optim.js';
import { ScalarMix } from '../nn/scalar-mix.js';
import { crossEntropy } from '../tensor/ops/cross-entropy.js';
import { add } from '../tensor/ops/elementwise.js';
import { argmax } from '../tensor/ops/select.js';
import { IntTensor, Tensor, noGrad, tidy } from '../tensor/tensor.js';
import { zeros } from '../tensor/create.js';
import { Rng } from '../util/rng.js';

/** Tokens' inputs to a probe: N rows of `dim` floats, J layers of them, or N word ids. */
export type ProbeInput =
  | { kind: 'dense'; dim: number; rows: Float32Array }
  | { kind: 'layers'; dim: number; layers: Float32Array[] }
  | { kind: 'onehot'; count: number; ids: Int32Array };

/** The training budget, the same for every input. */
export interface ProbeOptions {
  classes: number;
  epochs?: number;
  batchSize?: number;
  /** Adam's rate (default 1e-2). */
  learningRate?: number;
  seed?: number;
  /** Held-out tokens: train until their accuracy stops improving, keep the best epoch (else: all epochs). */
  validation?: { input: ProbeInput; labels: Int32Array };
  /** Epochs without a better validation accuracy before stopping (default 3). */
  patience?: number;
  /** Called after each epoch with its mean training loss (and validation accuracy, with a validation set). */
  onEpoch?(epoch: number, loss: number, validAccuracy?: number): void;
}

/** A trained probe. */
export interface Probe {
  /** The predicted class of every token of `input` (of the kind it was trained on). */
  predict(input: ProbeInput): Int32Array;
  /** The scalar mix's layer weights softmax(w) and γ, for a `layers` probe. */
  mix?: { weights: number[]; gamma: number };
  /** The epoch whose weights were kept, and the epochs trained. */
  epoch: number;
  epochs: number;
}

/** Tokens in an input. */
export function probeSize(input: ProbeInput): number {
  if (input.kind === 'onehot') return input.ids.length;
  if (input.kind === 'dense') return input.rows.length / input.dim;
  return input.layers[0].length / input.dim;
}

/** Per-dimension mean and 1/deviation of N rows of `dim` floats. */
function standardiser(rows: Float32Array, dim: number): { mean: Float32Array; inv: Float32Array } {
  const N = rows.length / dim;
  const mean = new Float64Array(dim);
  const sq = new Float64Array(dim);
  for (let i = 0; i < N; i++)
    for (let d = 0; d < dim; d++) {
      const v = rows[i * dim + d];
      mean[d] += v;
      sq[d] += v * v;
    }
  const inv = new Float32Array(dim);
  for (let d = 0; d < dim; d++) {
    mean[d] /= N;
    const variance = sq[d] / N - mean[d] * mean[d];
    inv[d] = variance > 1e-12 ? 1 / Math.sqrt(variance) : 0;
  }
  return { mean: Float32Array.from(mean), inv };
}

/** The network: a standardised (mixed) input and a linear map to the classes. */
class ProbeNet extends Module {
  readonly mixer: ScalarMix | null;
  readonly linear: Linear | null;
  readonly table: Embedding | null;
  readonly bias: Tensor | null;
  private readonly stats: { mean: Float32Array; inv: Float32Array }[];

  constructor(
    readonly first: ProbeInput,
    classes: number,
    rng: Rng,
  ) {
    super();
    if (first.kind === 'onehot') {
      this.table = this.module('table', new Embedding(first.count, classes, rng, 0));
      this.bias = this.param('bias', zeros([classes]), 'bias');
      this.linear = null;
      this.mixer = null;
      this.stats = [];
    } else {
      this.table = null;
      this.bias = null;
      this.linear = this.module('linear', new Linear(first.dim, classes, rng));
      const layers = first.kind === 'dense' ? [first.rows] : first.layers;
      this.stats = layers.map((l) => standardiser(l, first.dim));
      this.mixer = first.kind === 'layers' ? this.module('mix', new ScalarMix(layers.length)) : null;
    }
  }

  /** Logits (B, classes) of the tokens at `index` of an input of the probe's kind. */
  forward(input: ProbeInput, index: Int32Array): Tensor {
    const B = index.length;
    if (input.kind === 'onehot') {
      const known: number[] = [];
      const ids: number[] = [];
      index.forEach((i, b) => {
        if (input.ids[i] >= 0) {
          known.push(b);
          ids.push(input.ids[i]);
        }
      });
      // unseen words (id −1) read an all-zero row: a row of the table that no token trains
      const rows = Int32Array.from({ length: B }, () => (this.table as Embedding).weight.shape[0] - 1);
      known.forEach((b, k) => (rows[b] = ids[k]));
      return add((this.table as Embedding).forward(new IntTensor(rows, [B])), this.bias as Tensor);
    }
    const dim = input.dim;
    const layers = input.kind === 'dense' ? [input.rows] : input.layers;
    const xs = layers.map((l, j) => {
      const { mean, inv } = this.stats[j];
      const x = new Float32Array(B * dim);
      index.forEach((i, b) => {
        for (let d = 0; d < dim; d++) x[b * dim + d] = (l[i * dim + d] - mean[d]) * inv[d];
      });
      return new Tensor(x, [B, dim]);
    });
    const x = this.mixer ? this.mixer.forward(xs) : xs[0];
    return (this.linear as Linear).forward(x);
  }
}

/** Trains a probe on `input` and its tokens' labels (0 … classes−1) with the budget of `o`. */
export function trainProbe(input: ProbeInput, labels: Int32Array, o: ProbeOptions): Probe {
  const N = probeSize(input);
  if (labels.length !== N) throw new LmkitError(`probe: ${labels.length} labels for ${N} tokens`);
  if (N === 0) throw new LmkitError('probe: no training tokens');
  const epochs = o.epochs ?? 5;
  const batch = o.batchSize ?? 256;
  const rng = new Rng(o.seed ?? 0);
  // one-hot: one more row, never trained, for unseen words
  const first = input.kind === 'onehot' ? { ...input, count: input.count + 1 } : input;
  const net = new ProbeNet(first, o.classes, rng);
  const opt = new Adam(net.namedParameters(), { lr: o.learningRate ?? 1e-2 });
  const order = Int32Array.from({ length: N }, (_, i) => i);
  const params = net.namedParameters().map((p) => p.tensor);
  let best = { accuracy: -1, epoch: 0, weights: [] as Float32Array[] };
  let trained = 0;
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (let i = N - 1; i > 0; i--) {
      const j = Math.floor(rng.uniform() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    let total = 0;
    let steps = 0;
    for (let from = 0; from < N; from += batch) {
      const index = order.subarray(from, Math.min(N, from + batch));
      const target = new IntTensor(
        Int32Array.from(index, (i) => labels[i]),
        [index.length],
      );
      tidy(() => {
        opt.zeroGrad();
        const loss = crossEntropy(net.forward(input, index), target);
        loss.backward();
        total += loss.item();
      });
      opt.step();
      steps++;
    }
    trained = epoch + 1;
    if (!o.validation) {
      o.onEpoch?.(epoch + 1, total / steps);
      continue;
    }
    const pred = predict(o.validation.input);
    const accuracy = pred.reduce((n, p, i) => n + (p === o.validation?.labels[i] ? 1 : 0), 0) / pred.length;
    o.onEpoch?.(epoch + 1, total / steps, accuracy);
    if (accuracy > best.accuracy)
      best = { accuracy, epoch: epoch + 1, weights: params.map((p) => (p.data as Float32Array).slice()) };
    else if (epoch + 1 - best.epoch >= (o.patience ?? 3)) break;
  }
  if (o.validation) params.forEach((p, i) => p.data.set(best.weights[i]));
  function predict(x: ProbeInput): Int32Array {
    if (x.kind !== input.kind) throw new LmkitError(`probe: trained on ${input.kind} input, given ${x.kind}`);
    const M = probeSize(x);
    const out = new Int32Array(M);
    for (let from = 0; from < M; from += 4096) {
      const index = Int32Array.from({ length: Math.min(4096, M - from) }, (_, k) => from + k);
      const pred = noGrad(() => tidy(() => argmax(net.forward(x, index)).data.slice()));
      out.set(pred, from);
    }
    return out;
  }
  return {
    predict,
    epoch: o.validation ? best.epoch : trained,
    epochs: trained,
    ...(net.mixer ? { mix: { weights: net.mixer.weights(), gamma: net.mixer.gamma.data[0] } } : {}),
  };
}
