/**
 * ELMo's bidirectional language model (Peters et al. 2018), small: a forward and a backward LSTM language
 * model over one shared token layer, with one shared softmax, trained jointly on the sum of both
 * directions' losses.
 *
 * - Token layer: a word embedding table (n_embd), not ELMo's character CNN with highway layers. On two
 *   shared CPU cores the CNN's convolutions over every character of every token would cost more than the
 *   LSTMs themselves; a word table is one lookup, and the corpora lmkit trains on (Brown's Bengio split maps
 *   rare words to `<unk>`) have a closed vocabulary, so the CNN's gift (vectors for unseen words) buys
 *   little here. What ELMo is about — contextual layers from a biLM — is unchanged.
 * - n_layer LSTM layers per direction (default 2, ELMo's L), each of n_embd units so that every layer has
 *   the token layer's width (ELMo projects its 4096-unit LSTMs to 512, the CNN's width; without the
 *   projection the units are the width). From the second layer on, a layer's output adds its input (ELMo's
 *   residual connection); the first layer has none, as in AllenNLP's ElmoLstm.
 * - The softmax is shared by both directions (as ELMo), optionally tied to the token table (`tie_weights`:
 *   logits = h Eᵀ + b, Press & Wolf 2017).
 * - Dropout (one rate) on every LSTM layer's input and on the top layer's output, training only.
 *
 * Modules: `encoder` (token table), `forward.N` and `backward.N` (the LSTMs, PyTorch names and gate order),
 * `decoder` (the shared softmax: a Linear, or only a bias when tied).
 */
import { LmkitError } from '../errors.js';
import { crossEntropy } from '../tensor/ops/cross-entropy.js';
import { dropout } from '../tensor/ops/dropout.js';
import { add } from '../tensor/ops/elementwise.js';
import { matmul } from '../tensor/ops/matmul.js';
import { concat, split } from '../tensor/ops/shape.js';
import { zeros } from '../tensor/create.js';
import { Rng } from '../util/rng.js';
import { IntTensor, type Tensor } from '../tensor/tensor.js';
import { dropoutRate, flag, wholeNumber } from './config-checks.js';
import { Embedding, Linear } from './layers.js';
import { Module } from './module.js';
import { LSTM } from './recurrent.js';

/** The sizes of a biLM. */
export interface ElmoConfig {
  /** Width of the token layer and of every LSTM layer (each direction). */
  n_embd: number;
  /** LSTM layers per direction (ELMo's L = 2). */
  n_layer: number;
  /** Dropout on each LSTM layer's input and on the top layer's output. */
  dropout: number;
  /** Tie the softmax weights to the token table. */
  tie_weights: boolean;
  vocab_size: number;
}

/** A biLM's sizes before its tokenizer is known. */
export type ElmoShape = Omit<ElmoConfig, 'vocab_size'>;

/** Defaults: two layers of 128, dropout 0.1 (ELMo's), untied softmax (ELMo's). */
export const ELMO_DEFAULTS: ElmoShape = { n_embd: 128, n_layer: 2, dropout: 0.1, tie_weights: false };

/** Checks a biLM's sizes, throwing an error that names the bad value. */
export function validateElmoShape(c: Partial<ElmoShape>): ElmoShape {
  return {
    n_embd: wholeNumber('n_embd', c.n_embd, 1),
    n_layer: wholeNumber('n_layer', c.n_layer, 1),
    dropout: dropoutRate('dropout', c.dropout ?? 0),
    tie_weights: flag('tie_weights', c.tie_weights ?? false),
  };
}

/** Checks a whole biLM config (sizes and vocabulary), returning a clean copy. */
export function validateElmoConfig(c: Partial<ElmoConfig>): ElmoConfig {
  return { ...validateElmoShape(c), vocab_size: wholeNumber('vocab_size', c.vocab_size, 1) };
}

/** One LSTM layer's state: h and c, each (B, n_embd). */
export interface LSTMState {
  h: Tensor;
  c: Tensor;
}

/**
 * A biLM's layers over ids (B,N), every one (B,N,C): `tokens` is the token layer; `forward[l]` at position
 * n has read ids[0..n] and `backward[l]` at n has read ids[n..N−1] (its time axis put back in text order).
 */
export interface BiLMLayers {
  tokens: Tensor;
  forward: Tensor[];
  backward: Tensor[];
}

/** The network: encoder, forward.N, backward.N, decoder. */
export class BiLM extends Module {
  readonly encoder: Embedding;
  readonly forwardLayers: LSTM[];
  readonly backwardLayers: LSTM[];
  readonly decoder: Linear | null;
  readonly decoderBias: Tensor | null;
  /** The generator the dropout masks are drawn from. */
  readonly dropoutRng: Rng;
  readonly config: ElmoConfig;

  /** A freshly initialized network (seeded; seed + 1 drives dropout); the config is checked here. */
  constructor(config: Partial<ElmoConfig>, seed = 0) {
    super();
    const c = (this.config = validateElmoConfig(config));
    const rng = new Rng(seed);
    // N(0, 1/C): unit-sized token vectors, so tying does not blow up the first logits
    this.encoder = this.module(
      'encoder',
      new Embedding(c.vocab_size, c.n_embd, rng, 1 / Math.sqrt(c.n_embd)),
    );
    const stack = (dir: string) =>
      Array.from({ length: c.n_layer }, (_, l) =>
        this.module(`${dir}.${l}`, new LSTM(c.n_embd, c.n_embd, rng)),
      );
    this.forwardLayers = stack('forward');
    this.backwardLayers = stack('backward');
    if (c.tie_weights) {
      this.decoder = null;
      this.decoderBias = this.param('decoder_bias', zeros([c.vocab_size]), 'bias');
    } else {
      this.decoder = this.module('decoder', new Linear(c.n_embd, c.vocab_size, rng));
      this.decoderBias = null;
    }
    this.dropoutRng = new Rng(seed + 1);
  }

  /** The token layer: ids (B,N) → (B,N,C). */
  tokens(idx: IntTensor): Tensor {
    if (idx.shape.length !== 2) throw new LmkitError(`ELMo: input ids ${idx.describe()} must be (B, N)`);
    return this.encoder.forward(idx);
  }

  /**
   * One direction's stack over x (B,N,C) in its own reading order, from `states` (zeros when absent) →
   * each layer's outputs (B,N,C) and last states. Layers after the first add their input (residual).
   */
  run(
    direction: 'forward' | 'backward',
    x: Tensor,
    states?: readonly LSTMState[],
  ): { outputs: Tensor[]; states: LSTMState[] } {
    const layers = direction === 'forward' ? this.forwardLayers : this.backwardLayers;
    const outputs: Tensor[] = [];
    const last: LSTMState[] = [];
    layers.forEach((layer, l) => {
      const r = layer.forward(this.drop(x), states?.[l]);
      x = l === 0 ? r.output : add(r.output, x);
      outputs.push(x);
      last.push({ h: r.h, c: r.c });
    });
    return { outputs, states: last };
  }

  /** Top-layer states (..., C) → logits (..., V) through the shared softmax (dropout first when training). */
  logits(top: Tensor): Tensor {
    const h = this.drop(top);
    if (this.decoder) return this.decoder.forward(h);
    return add(matmul(h, this.encoder.weight, { transB: true }), this.decoderBias as Tensor);
  }

  /** Every layer over ids (B,N), both directions from zero states (see {@link BiLMLayers}). */
  layers(idx: IntTensor): BiLMLayers {
    const tokens = this.tokens(idx); // (B,N,C)
    const fwd = this.run('forward', tokens).outputs;
    const bwd = this.run('backward', reverseTime(tokens)).outputs.map(reverseTime);
    return { tokens, forward: fwd, backward: bwd };
  }

  /**
   * The sum of both directions' mean cross-entropies over windows x (B,T) and their shifted targets y (B,T),
   * read as one window w = x then y's last token (B,T+1): the forward LM reads w[0..T−1] and predicts
   * w[1..T]; the backward LM reads w[T], w[T−1] … w[1] and predicts w[T−1] … w[0] (ids reversed, so no
   * state needs re-ordering in time).
   */
  loss(x: IntTensor, y: IntTensor): Tensor {
    const [B, T] = x.shape;
    if (y.shape.length !== 2 || y.shape[0] !== B || y.shape[1] !== T)
      throw new LmkitError(`ELMo: targets ${y.describe()} must match inputs ${x.describe()}`);
    const reversedY = new Int32Array(B * T);
    const reversedX = new Int32Array(B * T);
    for (let b = 0; b < B; b++)
      for (let t = 0; t < T; t++) {
        reversedY[b * T + t] = y.data[b * T + T - 1 - t];
        reversedX[b * T + t] = x.data[b * T + T - 1 - t];
      }
    const fwd = this.run('forward', this.tokens(x)).outputs;
    const bwd = this.run('backward', this.tokens(new IntTensor(reversedY, [B, T]))).outputs;
    const forwardLoss = crossEntropy(this.logits(fwd[fwd.length - 1]), y);
    const backwardLoss = crossEntropy(this.logits(bwd[bwd.length - 1]), new IntTensor(reversedX, [B, T]));
    return add(forwardLoss, backwardLoss);
  }

  private drop(x: Tensor): Tensor {
    return dropout(x, this.config.dropout, this.dropoutRng, this.training);
  }
}

/** x (B,N,C) with its time axis reversed (differentiable: split and concat). */
export function reverseTime(x: Tensor): Tensor {
  const N = x.shape[1];
  if (N === 1) return x;
  // a copy: split's backward keeps its own array of pieces, which reverse() would reorder in place
  return concat([...split(x, new Array<number>(N).fill(1), 1)].reverse(), 1);
}
