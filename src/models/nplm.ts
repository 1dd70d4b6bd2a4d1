/**
 * Bengio et al. (2003)'s neural probabilistic language model (the network is nn/nplm.ts) as a
 * `LanguageModel`. A checkpoint is a folder like a GPT's: `config.json` (`lmkit_kind: "nplm"`),
 * `model.safetensors` and `tokenizer.json`.
 *
 * Context before the first tokens is padded with the token that separates lines in training
 * ({@link lineBreakToken}); config.json records it as `pad_token_id`, and loading keeps the recorded one.
 */
import type { Preprocessing } from '../data/clean.js';
import type { DecoderState, LanguageModel, ScoreOptions } from '../lm.js';
import { NPLMNet, validateNPLMConfig, type NPLMConfig } from '../nn/nplm.js';
import { logSoftmax, logSoftmaxRow } from '../tensor/ops/softmax.js';
import { IntTensor, noGrad, tidy } from '../tensor/tensor.js';
import { lineBreakToken } from '../tokenizers/line-break.js';
import { checkTokenId } from '../tokenizers/tokenizer.js';
import type { SavableTokenizer } from '../tokenizers/tokenizer-file.js';
import { checkConfigVocab, loadCheckpoint, recordedTokenId, saveCheckpoint } from './checkpoint.js';

/** NPLM contexts per forward pass when scoring. */
const NPLM_BATCH = 512;

/** An NPLM language model: network, tokenizer and config. */
export class NPLMModel implements LanguageModel {
  readonly kind = 'nplm';
  readonly net: NPLMNet;
  readonly config: NPLMConfig;
  /** The padding id before the first tokens. */
  readonly pad: number;
  /** Training windows score one target each (the loop counts tokens per step with this). */
  readonly targetsPerWindow = 1;
  /** An n-gram-like model scores sentences one by one by default. */
  readonly evalMode = 'sentences';
  preprocessing?: Preprocessing;

  /** A freshly initialized NPLM (seeded) for a tokenizer; the config's vocab_size must match it. */
  constructor(
    config: Partial<NPLMConfig>,
    readonly tokenizer: SavableTokenizer,
    seed = 0,
    pad?: number,
  ) {
    this.config = validateNPLMConfig(config);
    checkConfigVocab('NPLM', this.config.vocab_size, tokenizer);
    this.net = new NPLMNet(this.config, seed);
    this.net.eval();
    this.pad = pad ?? lineBreakToken(tokenizer);
    checkTokenId(this.pad, this.config.vocab_size);
  }

  /** n−1 tokens of context. */
  get contextLength(): number {
    return this.config.order - 1;
  }

  /** Starts after the prompt, padded on the left. */
  start(prompt: number[]): DecoderState {
    for (const t of prompt) checkTokenId(t, this.config.vocab_size);
    return new NPLMDecoderState(this, [...prompt]);
  }

  /** Next-token natural-log probabilities after `context` (its last n−1 tokens, padded on the left). */
  nextLogProbs(context: readonly number[]): Float32Array {
    const n1 = this.contextLength;
    const ids = context.slice(-n1);
    while (ids.length < n1) ids.unshift(this.pad);
    const logits = noGrad(() => tidy(() => this.net.forward(IntTensor.from(ids, [1, n1])).data.slice()));
    return logSoftmaxRow(logits);
  }

  /** Every target's n−1 previous tokens (padded at the start) as rows of batched forward passes. */
  scoreSequences(sequences: readonly (readonly number[])[], o: ScoreOptions = {}): Float64Array[] {
    const n1 = this.contextLength;
    const V = this.config.vocab_size;
    const out = sequences.map((s) => new Float64Array(s.length));
    let done = 0;
    // (sequence, position) pairs, scored NPLM_BATCH at a time
    const pending: [number, number][] = [];
    const flush = () => {
      if (!pending.length) return;
      const B = pending.length;
      const ctx = new Int32Array(B * n1);
      pending.forEach(([s, i], b) => {
        const seq = sequences[s];
        for (let j = 0; j < n1; j++) {
          const k = i - n1 + j;
          ctx[b * n1 + j] = k >= 0 ? seq[k] : this.pad;
        }
      });
      // read the targets' entries inside tidy: copying (B, V) out costs more than the forward pass
      noGrad(() =>
        tidy(() => {
          const logp = logSoftmax(this.net.forward(new IntTensor(ctx, [B, n1]))).data; // (B, V)
          pending.forEach(([s, i], b) => {
            out[s][i] = logp[b * V + sequences[s][i]];
          });
        }),
      );
      done += B;
      o.onProgress?.(done);
      pending.length = 0;
    };
    sequences.forEach((seq, s) => {
      for (let i = 0; i < seq.length; i++) {
        checkTokenId(seq[i], V);
        pending.push([s, i]);
        if (pending.length === NPLM_BATCH) flush();
      }
    });
    flush();
    return out;
  }

  /**
   * Writes model.safetensors, tokenizer.json and config.json (last) into `dir`, each atomically; `extra`
   * adds keys to config.json and `metadata` to the safetensors header.
   */
  save(dir: string, extra: Record<string, unknown> = {}, metadata: Record<string, string> = {}): void {
    const config = { ...this.config, pad_token_id: this.pad, ...extra };
    saveCheckpoint(dir, { kind: 'nplm', net: this.net, tokenizer: this.tokenizer, config, metadata });
  }

  /** Loads a checkpoint folder; errors name the missing file, the wrong kind, or the bad tensor. */
  static load(dir: string): NPLMModel {
    return loadCheckpoint(dir, {
      kind: 'nplm',
      what: 'an NPLM',
      validate: (json) => validateNPLMConfig(json as Partial<NPLMConfig>),
      build: (config, tokenizer, json) =>
        new NPLMModel(config, tokenizer, 0, recordedTokenId(json, 'pad_token_id')),
    });
  }
}

/** An NPLM's decoding state: the token context (only its last n−1 tokens matter). */
class NPLMDecoderState implements DecoderState {
  private cached: Float32Array | null = null;

  constructor(
    private readonly model: NPLMModel,
    private readonly context: number[],
  ) {}

  /** Next-token log-probabilities (computed once per position). */
  logProbs(): Float32Array {
    this.cached ??= this.model.nextLogProbs(this.context);
    return this.cached;
  }

  /** Appends a token. */
  push(token: number): void {
    checkTokenId(token, this.model.config.vocab_size);
    this.context.push(token);
    if (this.context.length > this.model.contextLength) this.context.shift();
    this.cached = null;
  }
}
