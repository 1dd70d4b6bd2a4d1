/**
 * A character-level recurrent language model, the classic Keras recipe (Karpathy's char-rnn in spirit):
 * an embedding (n_embd, default 50), n_layer stacked GRU or LSTM layers (n_hidden units, default 150)
 * and a linear layer to the vocabulary, whose softmax gives the next token. Regularisation as in Keras:
 * `dropout` multiplies each recurrent layer's input by a mask and `recurrent_dropout` the previous
 * hidden state where it enters the hidden matmul (Gal & Ghahramani 2016), both drawn once per sequence.
 *
 * Training scores every position of a window (from a zero state); decoding carries the hidden state, so
 * the context is unbounded. Decoding starts, like training text, at the beginning of a line: the state
 * first reads the line break (or `<s>` when the tokenizer has none), then the prompt.
 *
 * A checkpoint is a directory like a GPT's: `config.json` (`lmkit_kind: "rnn"`), `model.safetensors` in
 * the names of PyTorch's word_language_model example (`encoder.weight`, `rnn.weight_ih_l0`, ...,
 * `decoder.weight`), and `tokenizer.json`.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { LmkitError } from '../errors.js';
import type { DecoderState, LanguageModel } from '../lm.js';
import { Embedding, Linear } from '../nn/layers.js';
import { Module } from '../nn/module.js';
import { GRU, LSTM } from '../nn/recurrent.js';
import { readSafetensors } from '../nn/safetensors.js';
import { crossEntropy } from '../tensor/ops/cross_entropy.js';
import { mul } from '../tensor/ops/elementwise.js';
import { Rng } from '../tensor/random.js';
import { IntTensor, Tensor, noGrad, tidy } from '../tensor/tensor.js';
import type { SavableTokenizer } from '../tokenizers/tokenizer-file.js';
import {
  CHECKPOINT_FILES,
  checkConfigVocab,
  checkTokenId,
  lineStartToken,
  loadNamedTensors,
  logSoftmax,
  readCheckpointTokenizer,
  readKindConfig,
  writeCheckpointFiles,
  type StoredWeights,
} from './checkpoint-parts.js';

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

/** Checks an RNN config, throwing an error that names the bad value; returns a clean copy. */
export function validateRNNConfig(c: Partial<RNNConfig>): RNNConfig {
  const whole = (name: 'n_embd' | 'n_hidden' | 'n_layer' | 'vocab_size') => {
    const v = c[name];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1)
      throw new LmkitError(`RNN config: ${name} must be a whole number ≥ 1 (got ${JSON.stringify(v)})`);
    return v;
  };
  const probability = (name: 'dropout' | 'recurrent_dropout') => {
    const v = c[name] ?? 0;
    if (typeof v !== 'number' || !(v >= 0 && v < 1))
      throw new LmkitError(`RNN config: ${name} must be in [0, 1) (got ${JSON.stringify(v)})`);
    return v;
  };
  const cell = c.cell ?? 'gru';
  if (!RNN_CELLS.includes(cell))
    throw new LmkitError(`RNN config: cell must be gru or lstm (got ${JSON.stringify(c.cell)})`);
  return {
    cell,
    n_embd: whole('n_embd'),
    n_hidden: whole('n_hidden'),
    n_layer: whole('n_layer'),
    dropout: probability('dropout'),
    recurrent_dropout: probability('recurrent_dropout'),
    vocab_size: whole('vocab_size'),
  };
}

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

  /** A freshly initialized network (seeded; the seed also drives the dropout masks). */
  constructor(
    readonly config: RNNConfig,
    seed = 0,
  ) {
    super();
    const rng = new Rng(seed);
    const c = config;
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

/** The stored name of a parameter: `rnn.0.weight_ih` ↔ PyTorch nn.GRU/LSTM's `rnn.weight_ih_l0`. */
function storedName(name: string): string {
  return name.replace(/^rnn\.(\d+)\.(\w+)$/, 'rnn.$2_l$1');
}

/** The parameter name of a stored tensor (inverse of {@link storedName}). */
function paramName(stored: string): string {
  return stored.replace(/^rnn\.(\w+)_l(\d+)$/, 'rnn.$2.$1');
}

/** A CharRNN language model: network, tokenizer and config. */
export class RNNModel implements LanguageModel {
  readonly kind = 'rnn';
  readonly net: CharRNN;
  readonly config: RNNConfig;
  /** The token every decoding state reads first (what precedes a line in training). */
  readonly startToken: number;
  /** The hidden state carries the whole past. */
  readonly contextLength = Infinity;

  /** A freshly initialized model (seeded) for a tokenizer; the config's vocab_size must match it. */
  constructor(
    config: Partial<RNNConfig>,
    readonly tokenizer: SavableTokenizer,
    seed = 0,
  ) {
    this.config = validateRNNConfig(config);
    checkConfigVocab('RNN', this.config.vocab_size, tokenizer);
    this.net = new CharRNN(this.config, seed);
    this.net.eval();
    this.startToken = lineStartToken(tokenizer);
  }

  /** Starts after the line start and the prompt, carrying the hidden state. */
  start(prompt: number[]): DecoderState {
    for (const t of prompt) checkTokenId(t, this.config.vocab_size);
    const state = new RNNDecoderState(this);
    state.read([this.startToken, ...prompt]);
    return state;
  }

  /**
   * Writes model.safetensors, tokenizer.json and config.json (last) into `dir`, each atomically; `extra`
   * adds keys to config.json and `metadata` to the safetensors header.
   */
  save(dir: string, extra: Record<string, unknown> = {}, metadata: Record<string, string> = {}): void {
    const tensors: StoredWeights = new Map();
    for (const { name, tensor } of this.net.namedParameters())
      tensors.set(storedName(name), { shape: tensor.shape, data: tensor.data as Float32Array });
    const config = { lmkit_kind: 'rnn', ...this.config, start_token_id: this.startToken, ...extra };
    writeCheckpointFiles(dir, 'rnn', tensors, this.tokenizer, config, metadata);
  }

  /** Loads a checkpoint directory; errors name the missing file, the wrong kind, or the bad tensor. */
  static load(dir: string): RNNModel {
    const config = readRNNConfig(dir);
    const tokenizer = readCheckpointTokenizer(dir, CHECKPOINT_FILES.tokenizer, config.vocab_size);
    const model = new RNNModel(config, tokenizer);
    const path = join(dir, CHECKPOINT_FILES.weights);
    if (!existsSync(path)) throw new LmkitError(`checkpoint weights ${path} do not exist`);
    const values = new Map<string, { shape: readonly number[]; data: ArrayLike<number> }>();
    for (const [name, t] of readSafetensors(path).tensors) values.set(paramName(name), t);
    loadNamedTensors(model.net, path, values);
    return model;
  }
}

/** An RNN's decoding state: each layer's hidden state after the tokens read, and the logits they give. */
class RNNDecoderState implements DecoderState {
  private states: { h: Float32Array; c?: Float32Array }[] | null = null;
  private logits: Float32Array | null = null;
  private cached: Float32Array | null = null;

  constructor(private readonly model: RNNModel) {}

  /** Runs tokens (at least one) through the network from the current state, in one forward pass. */
  read(tokens: readonly number[]): void {
    const net = this.model.net;
    const H = net.config.n_hidden;
    const V = net.config.vocab_size;
    const T = tokens.length;
    const { logits, states } = noGrad(() =>
      tidy(() => {
        const h0 = this.states?.map((s) => ({
          h: new Tensor(s.h, [1, H]),
          c: s.c && new Tensor(s.c, [1, H]),
        }));
        const r = net.forward(IntTensor.from(tokens, [1, T]), h0);
        return {
          logits: r.logits.data.slice((T - 1) * V, T * V) as Float32Array,
          states: r.states.map((s) => ({
            h: s.h.data.slice() as Float32Array,
            c: s.c?.data.slice() as Float32Array | undefined,
          })),
        };
      }),
    );
    this.states = states;
    this.logits = logits;
    this.cached = null;
  }

  /** Next-token log-probabilities (computed once per position). */
  logProbs(): Float32Array {
    this.cached ??= logSoftmax(this.logits as Float32Array);
    return this.cached;
  }

  /** Reads one more token into the hidden state. */
  push(token: number): void {
    checkTokenId(token, this.model.config.vocab_size);
    this.read([token]);
  }
}

/** Reads and validates an RNN checkpoint's config.json; another kind of model is a clear error. */
export function readRNNConfig(dir: string): RNNConfig {
  return readKindConfig(dir, 'rnn', 'an RNN', (json) => validateRNNConfig(json as Partial<RNNConfig>));
}
