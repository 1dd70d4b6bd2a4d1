/**
 * ELMo's biLM (the network is nn/elmo.ts) as a `LanguageModel`. As a language model it is its forward
 * direction: decoding carries the forward LSTMs' state from the line-break token (`start_token_id` in
 * config.json), as an RNN does. Its capabilities add the rest: `scoreReadings` scores the same tokens with
 * each direction (the backward LM reads each sequence from its end, after the same boundary token), and
 * `contextualLayers` gives ELMo's per-token layers; `embed` is the mean over tokens of their equal mix.
 *
 * Contextual layers of a text t₀ … t_{N−1} (Peters et al. 2018, §3.2): the biLM reads the boundary token,
 * the text and the boundary token again (ELMo's <S> … </S>), and token i gets
 * layer 0 = [xᵢ ; xᵢ] (the token layer duplicated, so every layer is 2·n_embd wide) and
 * layer l = [→h_{i,l} ; ←h_{i,l}]: the forward state having read up to tᵢ, the backward state having read
 * back to tᵢ. The boundary tokens' own vectors are dropped.
 *
 * A checkpoint is a folder like the other kinds': `config.json` (`lmkit_kind: "elmo"`),
 * `model.safetensors` (`encoder.weight`, `forward.weight_ih_l0`, …, `backward.…`, `decoder.…`) and
 * `tokenizer.json`.
 */
import type { Preprocessing } from '../data/clean.js';
import type { DecoderState, LanguageModel, ScoreOptions } from '../lm.js';
import { BiLM, validateElmoConfig, type ElmoConfig, type LSTMState } from '../nn/elmo.js';
import { equalMix } from '../nn/scalar-mix.js';
import { logSoftmax } from '../tensor/ops/softmax.js';
import { IntTensor, Tensor, noGrad, tidy } from '../tensor/tensor.js';
import { lineBreakToken } from '../tokenizers/line-break.js';
import { checkTokenId } from '../tokenizers/tokenizer.js';
import type { SavableTokenizer } from '../tokenizers/tokenizer-file.js';
import { checkConfigVocab } from './checkpoint.js';
import { loadRecurrent, saveRecurrent, type RecurrentFormat } from './recurrent-checkpoint.js';

/** Tokens per forward pass when scoring a long sequence (the state is carried between chunks). */
const SCORE_CHUNK = 256;

/** The checkpoint: both stacks stored as PyTorch's nn.LSTM (`forward.0.weight_ih` as `forward.weight_ih_l0`). */
const ELMO_FORMAT: RecurrentFormat<ElmoConfig> = {
  kind: 'elmo',
  what: 'an ELMo biLM',
  stacks: ['forward', 'backward'],
  validate: (json) => validateElmoConfig(json as Partial<ElmoConfig>),
};

/** Floats of one state kept between chunks. */
type Carried = { h: Float32Array; c: Float32Array }[];

/** A biLM language model: network, tokenizer and config. */
export class ElmoModel implements LanguageModel {
  readonly kind = 'elmo';
  readonly net: BiLM;
  readonly config: ElmoConfig;
  /** The boundary token both directions read first (what separates lines in training). */
  readonly startToken: number;
  /** The forward LSTMs' state carries the whole past. */
  readonly contextLength = Infinity;
  preprocessing?: Preprocessing;

  /** A freshly initialized biLM (seeded) for a tokenizer; the config's vocab_size must match it. */
  constructor(
    config: Partial<ElmoConfig>,
    readonly tokenizer: SavableTokenizer,
    seed = 0,
    startToken?: number,
  ) {
    this.config = validateElmoConfig(config);
    checkConfigVocab('ELMo', this.config.vocab_size, tokenizer);
    this.net = new BiLM(this.config, seed);
    this.net.eval();
    this.startToken = startToken ?? lineBreakToken(tokenizer);
    checkTokenId(this.startToken, this.config.vocab_size);
  }

  /** Starts the forward LM after the boundary token and the prompt. */
  start(prompt: number[]): DecoderState {
    for (const t of prompt) checkTokenId(t, this.config.vocab_size);
    const state = new ElmoDecoderState(this);
    state.read([this.startToken, ...prompt]);
    return state;
  }

  /**
   * One direction's stack over `ids` from carried state `from` (zeros when null) → the top layer's
   * next-token log-probabilities (T,V) and the new state. No gradient.
   */
  step(
    direction: 'forward' | 'backward',
    ids: readonly number[],
    from: Carried | null,
  ): { logp: Float32Array; state: Carried } {
    const C = this.config.n_embd;
    return noGrad(() =>
      tidy(() => {
        const x = this.net.tokens(IntTensor.from(ids, [1, ids.length]));
        const states: LSTMState[] | undefined = from?.map((s) => ({
          h: new Tensor(s.h, [1, C]),
          c: new Tensor(s.c, [1, C]),
        }));
        const r = this.net.run(direction, x, states);
        const top = r.outputs[r.outputs.length - 1];
        return {
          logp: logSoftmax(this.net.logits(top)).data.slice() as Float32Array,
          state: r.states.map((s) => ({
            h: s.h.data.slice() as Float32Array,
            c: s.c.data.slice() as Float32Array,
          })),
        };
      }),
    );
  }

  /** ln p of every token of each sequence by the forward LM (after the boundary token), chunk by chunk. */
  scoreSequences(sequences: readonly (readonly number[])[], o: ScoreOptions = {}): Float64Array[] {
    let done = 0;
    const scores = sequences.map((seq) => {
      const out = this.scoreDirection('forward', seq);
      done += seq.length;
      o.onProgress?.(done);
      return out;
    });
    this.lastForward = { sequences, scores };
    return scores;
  }

  /** The last sequences scored forward and their scores (eval asks for the readings of the same ones). */
  private lastForward: { sequences: readonly (readonly number[])[]; scores: Float64Array[] } | null = null;

  /**
   * The same sequences scored by each direction: `forward` as {@link scoreSequences}; `backward` as ELMo's
   * backward LM over the same stream (see {@link scoreDirection}): both score as many tokens, each with a
   * boundary token as its first context, and the same ones when a sequence ends in the boundary token.
   */
  scoreReadings(
    sequences: readonly (readonly number[])[],
    o: ScoreOptions = {},
  ): { name: string; scores: Float64Array[] }[] {
    const forward =
      this.lastForward?.sequences === sequences ? this.lastForward.scores : this.scoreSequences(sequences, o);
    this.lastForward = null;
    const backward = sequences.map((seq) => this.scoreDirection('backward', seq));
    return [
      { name: 'forward', scores: forward },
      { name: 'backward', scores: backward },
    ];
  }

  /**
   * One direction's ln p of each token of `seq`. Forward reads [start, t₀ … t_{k−2}] and scores t₀ … t_{k−1};
   * backward reads the stream [start, t₀ … t_{k−1}] from its end (t_{k−1} … t₀) and scores
   * t_{k−2} … t₀ and then start — ELMo's backward LM over the same stream — so when the sequence ends in
   * the boundary token (a sentence's end) both directions score the same tokens. Entry j of the result
   * scores stream token j + 1 (forward) or stream token j (backward).
   */
  private scoreDirection(direction: 'forward' | 'backward', seq: readonly number[]): Float64Array {
    const V = this.config.vocab_size;
    for (const t of seq) checkTokenId(t, V);
    const k = seq.length;
    const out = new Float64Array(k);
    if (k === 0) return out;
    const stream = [this.startToken, ...seq];
    // inputs and targets in reading order
    const inputs = direction === 'forward' ? stream.slice(0, k) : stream.slice(1).reverse();
    const targets = direction === 'forward' ? stream.slice(1) : stream.slice(0, k).reverse();
    let state: Carried | null = null;
    for (let from = 0; from < k; from += SCORE_CHUNK) {
      const ids = inputs.slice(from, from + SCORE_CHUNK);
      const r = this.step(direction, ids, state);
      state = r.state;
      for (let t = 0; t < ids.length; t++) {
        const i = from + t;
        // the forward reading's i-th target is seq[i]; the backward one's is stream[k−1−i]
        out[direction === 'forward' ? i : k - 1 - i] = r.logp[t * V + targets[i]];
      }
    }
    return out;
  }

  /**
   * ELMo's layers for the tokens of `ids` (see the module comment): n_layer + 1 arrays, each (N, 2·n_embd)
   * row-major; layer 0 is the token layer duplicated.
   */
  contextualLayers(ids: readonly number[]): Float32Array[] {
    for (const t of ids) checkTokenId(t, this.config.vocab_size);
    const N = ids.length;
    const C = this.config.n_embd;
    const L = this.config.n_layer;
    const out = Array.from({ length: L + 1 }, () => new Float32Array(N * 2 * C));
    if (N === 0) return out;
    noGrad(() =>
      tidy(() => {
        const all = [this.startToken, ...ids, this.startToken];
        const r = this.net.layers(IntTensor.from(all, [1, N + 2]));
        const put = (layer: Float32Array, src: Float32Array, half: number) => {
          for (let i = 0; i < N; i++) layer.set(src.subarray((i + 1) * C, (i + 2) * C), i * 2 * C + half * C);
        };
        put(out[0], r.tokens.data as Float32Array, 0);
        put(out[0], r.tokens.data as Float32Array, 1);
        for (let l = 0; l < L; l++) {
          put(out[l + 1], r.forward[l].data as Float32Array, 0);
          put(out[l + 1], r.backward[l].data as Float32Array, 1);
        }
      }),
    );
    return out;
  }

  /** The mean over the tokens of `ids` of the equal-weight mix of their layers (2·n_embd). */
  embed(ids: readonly number[]): Float32Array {
    const D = 2 * this.config.n_embd;
    const mix = equalMix(this.contextualLayers(ids));
    const out = new Float32Array(D);
    const N = ids.length;
    for (let i = 0; i < N; i++) for (let d = 0; d < D; d++) out[d] += mix[i * D + d] / N;
    return out;
  }

  /**
   * Writes model.safetensors, tokenizer.json and config.json (last) into `dir`, each atomically; `extra`
   * adds keys to config.json and `metadata` to the safetensors header.
   */
  save(dir: string, extra: Record<string, unknown> = {}, metadata: Record<string, string> = {}): void {
    saveRecurrent(ELMO_FORMAT, this, dir, extra, metadata);
  }

  /** Loads a checkpoint folder; errors name the missing file, the wrong kind, or the bad tensor. */
  static load(dir: string): ElmoModel {
    return loadRecurrent(
      ELMO_FORMAT,
      dir,
      (config, tokenizer, start) => new ElmoModel(config, tokenizer, 0, start),
    );
  }
}

/** The forward LM's decoding state: each layer's (h, c) after the tokens read, and the last log-probs. */
class ElmoDecoderState implements DecoderState {
  private state: Carried | null = null;
  private last: Float32Array | null = null;

  constructor(private readonly model: ElmoModel) {}

  /** Reads tokens (at least one) from the current state. */
  read(tokens: readonly number[]): void {
    const V = this.model.config.vocab_size;
    const r = this.model.step('forward', tokens, this.state);
    this.state = r.state;
    this.last = r.logp.slice((tokens.length - 1) * V);
  }

  /** Next-token log-probabilities. */
  logProbs(): Float32Array {
    return this.last as Float32Array;
  }

  /** Reads one more token. */
  push(token: number): void {
    checkTokenId(token, this.model.config.vocab_size);
    this.read([token]);
  }
}
