/**
 * A character-level recurrent language model (the network, GRU or LSTM, is nn/char-rnn.ts) as a
 * `LanguageModel`. Training scores every position of a window (from a zero state); decoding carries the
 * hidden state, so the context is unbounded. Decoding starts, like training text, at the beginning of a
 * line: the state first reads the line-break token ({@link lineBreakToken}; config.json records it as
 * `start_token_id`, and loading keeps the recorded one), then the prompt.
 *
 * A checkpoint is a folder like a GPT's: `config.json` (`lmkit_kind: "rnn"`), `model.safetensors` in the
 * names of PyTorch's word_language_model example (`encoder.weight`, `rnn.weight_ih_l0`, ...,
 * `decoder.weight`), and `tokenizer.json`.
 */
import type { Preprocessing } from '../data/clean.js';
import type { DecoderState, LanguageModel } from '../lm.js';
import { CharRNN, validateRNNConfig, type RNNConfig } from '../nn/char-rnn.js';
import { logSoftmaxRow } from '../tensor/ops/softmax.js';
import { IntTensor, Tensor, noGrad, tidy } from '../tensor/tensor.js';
import { lineBreakToken } from '../tokenizers/line-break.js';
import { checkTokenId } from '../tokenizers/tokenizer.js';
import type { SavableTokenizer } from '../tokenizers/tokenizer-file.js';
import { checkConfigVocab } from './checkpoint.js';
import { loadRecurrent, saveRecurrent, type RecurrentFormat } from './recurrent-checkpoint.js';

/** The checkpoint: the stack `rnn` stored as PyTorch's nn.GRU/LSTM (`rnn.0.weight_ih` as `rnn.weight_ih_l0`). */
const RNN_FORMAT: RecurrentFormat<RNNConfig> = {
  kind: 'rnn',
  what: 'an RNN',
  stacks: ['rnn'],
  validate: (json) => validateRNNConfig(json as Partial<RNNConfig>),
};

/** A CharRNN language model: network, tokenizer and config. */
export class RNNModel implements LanguageModel {
  readonly kind = 'rnn';
  readonly net: CharRNN;
  readonly config: RNNConfig;
  /** The token every decoding state reads first (what precedes a line in training). */
  readonly startToken: number;
  /** The hidden state carries the whole past. */
  readonly contextLength = Infinity;
  preprocessing?: Preprocessing;

  /** A freshly initialized model (seeded) for a tokenizer; the config's vocab_size must match it. */
  constructor(
    config: Partial<RNNConfig>,
    readonly tokenizer: SavableTokenizer,
    seed = 0,
    startToken?: number,
  ) {
    this.config = validateRNNConfig(config);
    checkConfigVocab('RNN', this.config.vocab_size, tokenizer);
    this.net = new CharRNN(this.config, seed);
    this.net.eval();
    this.startToken = startToken ?? lineBreakToken(tokenizer);
    checkTokenId(this.startToken, this.config.vocab_size);
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
    saveRecurrent(RNN_FORMAT, this, dir, extra, metadata);
  }

  /** Loads a checkpoint folder; errors name the missing file, the wrong kind, or the bad tensor. */
  static load(dir: string): RNNModel {
    return loadRecurrent(
      RNN_FORMAT,
      dir,
      (config, tokenizer, start) => new RNNModel(config, tokenizer, 0, start),
    );
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
    this.cached ??= logSoftmaxRow(this.logits as Float32Array);
    return this.cached;
  }

  /** Reads one more token into the hidden state. */
  push(token: number): void {
    checkTokenId(token, this.model.config.vocab_size);
    this.read([token]);
  }
}
