/**
 * A character-level recurrent network, the classic Keras recipe (Karpathy's char-rnn in spirit): an
 * embedding, n_layer stacked GRU or LSTM layers and a linear layer to the vocabulary. Regularisation as in
 * Keras: `dropout` multiplies each recurrent layer's input by a mask and `recurrent_dropout` the previous
 * hidden state where it enters the hidden matmul (Gal & Ghahramani 2016), both drawn once per sequence.
 * Modules are named as PyTorch's word_language_model example (`encoder`, `rnn.N`, `decoder`).
 */
import { LmkitError } from '../errors.js';
import { crossEntropy } from '../tensor/ops/cross-entropy.js';
import { mul } from '../tensor/ops/elementwise.js';
import { Rng } from '../util/rng.js';
import { IntTensor, Tensor } from '../tensor/tensor.js';
import { dropoutRate, oneOf, wholeNumber } from './config-checks.js';
import { Embedding, Linear } from './layers.js';
import { Module } from './module.js';
import { GRU, LSTM } from './recurrent.js';

/** The recurrent cells a CharRNN can use. */
export const RNN_CELLS = ['gru', 'lstm'] as const;

/** The sizes and regularisation of a CharRNN. */
export interface RNNConfig {
  /** gru (Cho et al. 2014) or lstm (Hochreiter & Schmidhuber 1997). */
  cell: 'gru' | 'lstm';
  /** Embedding width. */
  n_embd: number;
  /** Units of each recurrent layer. */
  n_hidden: number;
  /** Stacked recurrent layers. */
  n_layer: number;
  /** Dropout on each recurrent layer's input (one mask per sequence). */
  dropout: number;
  /** Dropout on the hidden state entering the hidden matmul (one mask per sequence). */
  recurrent_dropout: number;
  vocab_size: number;
}

/** Checks a CharRNN's sizes (cell gru and no dropout when absent), throwing an error that names the bad value. */
export function validateRNNShape(c: Partial<RNNShape>): RNNShape {
  return {
    cell: oneOf('cell', c.cell ?? 'gru', RNN_CELLS),
    n_embd: wholeNumber('n_embd', c.n_embd, 1),
    n_hidden: wholeNumber('n_hidden', c.n_hidden, 1),
    n_layer: wholeNumber('n_layer', c.n_layer, 1),
    dropout: dropoutRate('dropout', c.dropout ?? 0),
    recurrent_dropout: dropoutRate('recurrent_dropout', c.recurrent_dropout ?? 0),
  };
}

/** Checks a whole CharRNN config (sizes and vocabulary), returning a clean copy. */
export function validateRNNConfig(c: Partial<RNNConfig>): RNNConfig {
  return { ...validateRNNShape(c), vocab_size: wholeNumber('vocab_size', c.vocab_size, 1) };
}

/** A CharRNN's sizes before its tokenizer is known. */
export type RNNShape = Omit<RNNConfig, 'vocab_size'>;

/**
 * The classic Keras recipe: embedding 50, one GRU of 150 units, dropout and recurrent dropout 0.1.
 */
export const RNN_DEFAULTS: RNNShape = {
  cell: 'gru',
  n_embd: 50,
  n_hidden: 150,
  n_layer: 1,
  dropout: 0.1,
  recurrent_dropout: 0.1,
};

/** One recurrent layer's state: h (B,H), and c (B,H) for an LSTM. */
export interface LayerState {
  h: Tensor;
  c?: Tensor;
}

/** The network: encoder (embedding), rnn (stacked GRU/LSTM layers), decoder (linear to the vocabulary). */
export class CharRNN extends Module {
  readonly encoder: Embedding;
  readonly layers: (GRU | LSTM)[];
  readonly decoder: Linear;
  /** The generator the dropout masks are drawn from. */
  readonly dropoutRng: Rng;

  readonly config: RNNConfig;

  /** A freshly initialized network (seeded; the seed also drives the dropout masks); the config is checked here. */
  constructor(config: Partial<RNNConfig>, seed = 0) {
    super();
    const c = (this.config = validateRNNConfig(config));
    const rng = new Rng(seed);
    this.encoder = this.module('encoder', new Embedding(c.vocab_size, c.n_embd, rng));
    this.layers = Array.from({ length: c.n_layer }, (_, l) => {
      const inputs = l === 0 ? c.n_embd : c.n_hidden;
      const layer = c.cell === 'gru' ? new GRU(inputs, c.n_hidden, rng) : new LSTM(inputs, c.n_hidden, rng);
      return this.module(`rnn.${l}`, layer);
    });
    this.decoder = this.module('decoder', new Linear(c.n_hidden, c.vocab_size, rng));
    this.dropoutRng = new Rng(seed + 1);
  }

  /**
   * ids (B,T), optional per-layer states (zeros when absent) → logits (B,T,V) and each layer's last state.
   * In training mode the dropout masks are drawn once for the whole sequence.
   */
  forward(idx: IntTensor, states?: LayerState[]): { logits: Tensor; states: LayerState[] } {
    if (idx.shape.length !== 2) throw new LmkitError(`RNN: input ids ${idx.describe()} must be (B, T)`);
    const B = idx.shape[0];
    const c = this.config;
    let x = this.encoder.forward(idx); // (B,T,E)
    const out: LayerState[] = [];
    this.layers.forEach((layer, l) => {
      const inputMask = this.mask([B, 1, layer.inputSize], c.dropout);
      if (inputMask) x = mul(x, inputMask); // (B,T,I) ⊙ (B,1,I)
      const hiddenMask = this.mask([B, c.n_hidden], c.recurrent_dropout) ?? undefined;
      const s = states?.[l];
      if (layer instanceof GRU) {
        const r = layer.forward(x, s?.h, hiddenMask);
        x = r.output;
        out.push({ h: r.h });
      } else {
        const r = layer.forward(x, s && s.c ? { h: s.h, c: s.c } : undefined, hiddenMask);
        x = r.output;
        out.push({ h: r.h, c: r.c });
      }
    });
    return { logits: this.decoder.forward(x), states: out }; // (B,T,V)
  }

  /** Mean cross-entropy over every position of windows ids (B,T) with their shifted targets (B,T). */
  loss(idx: IntTensor, targets: IntTensor): Tensor {
    return crossEntropy(this.forward(idx).logits, targets);
  }

  /** An inverted-dropout mask of 0 and 1/(1−p) (constant, no gradient), or null when off. */
  private mask(shape: number[], p: number): Tensor | null {
    if (!this.training || p === 0) return null;
    const n = shape.reduce((a, b) => a * b, 1);
    const m = new Float32Array(n);
    const keep = 1 / (1 - p);
    for (let i = 0; i < n; i++) m[i] = this.dropoutRng.uniform() < p ? 0 : keep;
    return new Tensor(m, shape);
  }
}
