/**
 * A T5 (the network is nn/t5.ts) as a `LanguageModel` that answers its prompt: `start(prompt)` encodes the
 * prompt (with `</s>`) once and decodes an answer from the start token, through a KV cache
 * (nn/t5-decoder-cache.ts) or, with `kvCache` off, the whole decoder afresh each token. A checkpoint is a
 * folder with `config.json` (lmkit's names and Hugging Face's `T5Config` keys, `model_type: "t5"`,
 * `architectures: ["T5ForConditionalGeneration"]`), `model.safetensors` under
 * `T5ForConditionalGeneration`'s tensor names (the tied embeddings stored once, as `shared.weight`) and
 * `tokenizer.json` (lmkit's, with `<pad>`, `</s>` and the sentinels `<extra_id_N>` added).
 *
 * Pretraining batches are span corruption (t5-span-corruption.ts). Scoring text (`lmkit eval`) is an
 * infilling pseudo-log-likelihood, T5's analogue of BERT's: each token in turn is hidden behind
 * `<extra_id_0>` in a window of block_size − 1 tokens around it, and its score is ln p(token) after the
 * decoder has read `<extra_id_0>`, the first step of the answer span corruption taught.
 */
import type { Preprocessing } from '../data/clean.js';
import { LmkitError } from '../errors.js';
import type { DecoderState, LanguageModel, ScoreOptions } from '../lm.js';
import { T5ForConditionalGeneration, shiftRight } from '../nn/t5.js';
import { T5_CONFIG_KEYS, validateT5Config, type T5Config } from '../nn/t5-config.js';
import { T5DecoderCache } from '../nn/t5-decoder-cache.js';
import { logSoftmaxRow } from '../tensor/ops/softmax.js';
import { IntTensor, noGrad, tidy } from '../tensor/tensor.js';
import { addSpecialTokens } from '../tokenizers/add-special-tokens.js';
import { checkTokenId } from '../tokenizers/tokenizer.js';
import type { SavableTokenizer } from '../tokenizers/tokenizer-file.js';
import type { Rng } from '../util/rng.js';
import { checkConfigVocab, loadCheckpoint, saveCheckpoint } from './checkpoint.js';
import {
  padPairs,
  sentinelToken,
  spanCorruptionBatch,
  spanWindowLength,
  type SpanCorruptionIds,
} from './t5-span-corruption.js';

/** T5's padding (and decoder start) and end-of-sequence tokens, added when a tokenizer lacks them. */
export const T5_TOKENS = { pad: '<pad>', eos: '</s>' } as const;

/** A T5's config plus its span corruption (not part of the architecture but the sentinel count). */
export interface T5ModelConfig extends T5Config {
  /** Sentinel tokens `<extra_id_0>` … added to the tokenizer (T5: 100). */
  extra_ids: number;
  /** Share of tokens corrupted in pretraining (T5: 0.15). */
  noise_density: number;
  /** Mean corrupted span length (T5: 3). */
  mean_noise_span_length: number;
}

/** Span-corruption settings when none are given: T5's. */
export const T5_DEFAULTS = { extra_ids: 100, noise_density: 0.15, mean_noise_span_length: 3 } as const;

/** The activations one scoring pass may hold, in floats (16 MB): rows are batched up to this. */
const SCORE_BUDGET_FLOATS = 1 << 22;

/** The tokenizer with `<pad>`, an end-of-sequence token (its own, else `</s>`) and `extraIds` sentinels. */
export function withT5Tokens(tokenizer: SavableTokenizer, extraIds: number): SavableTokenizer {
  const wanted = [
    ...(tokenizer.special.pad === undefined ? [T5_TOKENS.pad] : []),
    ...(tokenizer.special.eos === undefined ? [T5_TOKENS.eos] : []),
    ...Array.from({ length: extraIds }, (_, i) => sentinelToken(i)),
  ];
  return addSpecialTokens(tokenizer, wanted).tokenizer;
}

/** A T5: network, tokenizer and config. */
export class T5Model implements LanguageModel {
  readonly kind = 't5';
  readonly generates = 'answer';
  readonly scoring = 'infilling';
  readonly net: T5ForConditionalGeneration;
  readonly config: T5ModelConfig;
  /** Decode through the KV cache (default); off: the whole decoder afresh each token (a reference). */
  kvCache = true;
  preprocessing?: Preprocessing;
  private readonly ids: SpanCorruptionIds;

  /** A freshly initialized T5 (seeded) for a tokenizer holding T5's tokens (see {@link withT5Tokens}). */
  constructor(
    config: Partial<T5ModelConfig>,
    readonly tokenizer: SavableTokenizer,
    seed = 0,
  ) {
    this.config = validateT5ModelConfig({
      ...config,
      pad_token_id: config.pad_token_id ?? tokenizer.special.pad,
      eos_token_id: config.eos_token_id ?? tokenizer.special.eos,
    });
    checkConfigVocab('T5', this.config.vocab_size, tokenizer);
    const sentinels = Array.from({ length: this.config.extra_ids }, (_, i) => {
      const id = tokenizer.tokenToId(sentinelToken(i));
      if (id === undefined) throw new LmkitError(`the tokenizer lacks T5's sentinel ${sentinelToken(i)}`);
      return id;
    });
    this.ids = { sentinels, eos: this.config.eos_token_id, pad: this.config.pad_token_id };
    this.net = new T5ForConditionalGeneration(this.config, seed);
    this.net.eval();
  }

  /** The longest input (and answer) in tokens, `</s>` included. */
  get contextLength(): number {
    return this.config.block_size;
  }

  /** Targets per span-corruption window (tokens/s counts these). */
  get targetsPerWindow(): number {
    return spanWindowLength(this.config.block_size, this.corruption).target;
  }

  private get corruption() {
    return { noiseDensity: this.config.noise_density, meanSpanLength: this.config.mean_noise_span_length };
  }

  /** The encoder's input for text ids: at most block_size − 1 of them (the start kept), then `</s>`. */
  inputIds(ids: readonly number[]): number[] {
    return [...ids.slice(0, this.config.block_size - 1), this.config.eos_token_id];
  }

  /** The decoder's labels for an answer: at most block_size − 1 tokens, then `</s>`. */
  targetIds(ids: readonly number[]): number[] {
    return this.inputIds(ids);
  }

  /** A training pair: input and target ids each cut to block_size − 1, then `</s>`. */
  encodePair(input: number[], target: number[]): { input: number[]; target: number[] } {
    return { input: this.inputIds(input), target: this.targetIds(target) };
  }

  /** Encoded pairs as x (B,S) padded with `<pad>` and labels y (B,T) padded with −100. */
  pairBatch(pairs: readonly { input: number[]; target: number[] }[]): { x: IntTensor; y: IntTensor } {
    return padPairs(pairs, this.config.pad_token_id);
  }

  /** Encodes `prompt` (token ids) and starts its answer. */
  start(prompt: number[]): T5DecoderState {
    for (const t of prompt) checkTokenId(t, this.config.vocab_size);
    return new T5DecoderState(this, this.inputIds(prompt));
  }

  /** A span-corruption batch drawn from a token stream (see t5-span-corruption.ts). */
  trainingBatch(
    stream: Int32Array,
    batchSize: number,
    blockSize: number,
    rng: Rng,
  ): { x: IntTensor; y: IntTensor } {
    return spanCorruptionBatch(stream, batchSize, blockSize, this.corruption, this.ids, rng);
  }

  /** Infilling pseudo-log-likelihood of every token of every sequence (see the module comment). */
  scoreSequences(sequences: readonly (readonly number[])[], o: ScoreOptions = {}): Float64Array[] {
    let done = 0;
    const W = this.config.block_size - 1;
    return sequences.map((seq) => {
      for (const t of seq) checkTokenId(t, this.config.vocab_size);
      const out = new Float64Array(seq.length);
      const C = this.config.n_embd;
      const rows = Math.max(1, Math.floor(SCORE_BUDGET_FLOATS / (W * 24 * C + 2 * this.config.vocab_size)));
      for (let a = 0; a < seq.length; a += rows) {
        const n = Math.min(rows, seq.length - a);
        const from = (i: number) => Math.max(0, Math.min(i - Math.floor(W / 2), seq.length - W));
        const S = Math.min(W, seq.length) + 1;
        const x = new Int32Array(n * S);
        const y = new Int32Array(n * 2);
        for (let r = 0; r < n; r++) {
          const i = a + r;
          const window = seq
            .slice(from(i), from(i) + W)
            .map((t, k) => (from(i) + k === i ? this.ids.sentinels[0] : t));
          x.set([...window, this.ids.eos], r * S);
          y.set([this.ids.sentinels[0], seq[i]], r * 2);
        }
        const V = this.config.vocab_size;
        const logits = noGrad(() =>
          tidy(() => {
            const labels = new IntTensor(y, [n, 2]);
            const memory = this.net.encode(new IntTensor(x, [n, S]));
            return this.net.decode(shiftRight(labels, this.ids.pad), memory).data.slice();
          }),
        );
        for (let r = 0; r < n; r++)
          out[a + r] = logSoftmaxRow(logits.subarray((r * 2 + 1) * V, (r * 2 + 2) * V))[seq[a + r]];
        done += n;
        o.onProgress?.(done);
      }
      return out;
    });
  }

  /** Windows are placed around the scored token: no stride to choose. */
  scoreStride(): null {
    return null;
  }

  /**
   * Writes model.safetensors, tokenizer.json and config.json (last) into `dir`, each atomically; `extra`
   * adds keys to config.json and `metadata` to the safetensors header.
   */
  save(dir: string, extra: Record<string, unknown> = {}, metadata: Record<string, string> = {}): void {
    saveCheckpoint(dir, {
      kind: 't5',
      net: this.net,
      tokenizer: this.tokenizer,
      config: t5CheckpointConfig(this.config, extra),
      metadata,
    });
  }

  /** Loads a checkpoint folder written by {@link save}; errors name the missing file or mismatched tensor. */
  static load(dir: string): T5Model {
    return loadCheckpoint(dir, {
      kind: 't5',
      what: 'a T5',
      validate: (json) => validateT5ModelConfig(t5ConfigFromJSON(json)),
      build: (config, tokenizer) => new T5Model(config, tokenizer),
      names: {
        load: (name, t) =>
          /^(encoder|decoder)\.embed_tokens\.weight$|^lm_head\.weight$/.test(name) ? null : [name, t],
      },
    });
  }
}

/** One answer being decoded: through the KV cache, or (kvCache off) the whole decoder each token. */
export class T5DecoderState implements DecoderState {
  private readonly answer: number[] = [];
  private cache: T5DecoderCache | null;
  private cached: Float32Array | null = null;

  /** Encodes `input` (ending in `</s>`); nothing is decoded until the first `logProbs()`. */
  constructor(
    private readonly model: T5Model,
    private readonly input: readonly number[],
    from?: T5DecoderState,
  ) {
    if (from) {
      this.answer = [...from.answer];
      this.cache = from.cache?.fork() ?? null;
      this.cached = from.cached;
    } else this.cache = model.kvCache ? T5DecoderCache.encode(model.net, input) : null;
  }

  /** Log-probabilities of the answer's next token. */
  logProbs(): Float32Array {
    if (this.cached) return this.cached;
    const c = this.model.config;
    if (this.answer.length >= c.block_size - 1) {
      // the answer is as long as targets were trained (block_size with `</s>`): only `</s>` may follow
      this.cached = new Float32Array(c.vocab_size).fill(-Infinity);
      this.cached[c.eos_token_id] = 0;
      return this.cached;
    }
    if (this.cache) {
      // the cache holds every token but the newest (the start token first)
      const tokens = [c.pad_token_id, ...this.answer];
      while (this.cache.length < tokens.length) this.cached = this.cache.step(tokens[this.cache.length]);
    } else this.cached = this.decodeAfresh();
    return this.cached as Float32Array;
  }

  /** Appends a token to the answer. */
  push(token: number): void {
    checkTokenId(token, this.model.config.vocab_size);
    this.answer.push(token);
    this.cached = null;
  }

  /** A copy that decodes on independently (beam search). */
  fork(): T5DecoderState {
    return new T5DecoderState(this.model, this.input, this);
  }

  private decodeAfresh(): Float32Array {
    const net = this.model.net;
    const c = this.model.config;
    const decoderIds = [c.pad_token_id, ...this.answer];
    const T = decoderIds.length;
    const logits = noGrad(() =>
      tidy(() => {
        const memory = net.encode(IntTensor.from(this.input, [1, this.input.length]));
        return net.decode(IntTensor.from(decoderIds, [1, T]), memory).data.slice((T - 1) * c.vocab_size);
      }),
    );
    return logSoftmaxRow(logits);
  }
}

/** Checks a T5 model config, filling the span-corruption defaults. */
function validateT5ModelConfig(c: Partial<T5ModelConfig>): T5ModelConfig {
  const density = c.noise_density ?? T5_DEFAULTS.noise_density;
  if (typeof density !== 'number' || !(density > 0 && density < 1))
    throw new LmkitError(`noise_density must be between 0 and 1 (got ${JSON.stringify(density)})`);
  const mean = c.mean_noise_span_length ?? T5_DEFAULTS.mean_noise_span_length;
  if (typeof mean !== 'number' || !(mean >= 1))
    throw new LmkitError(`mean_noise_span_length must be at least 1 (got ${JSON.stringify(mean)})`);
  const extra = c.extra_ids ?? T5_DEFAULTS.extra_ids;
  if (typeof extra !== 'number' || !Number.isInteger(extra) || extra < 1)
    throw new LmkitError(`extra_ids must be a whole number ≥ 1 (got ${JSON.stringify(extra)})`);
  return { ...validateT5Config(c), extra_ids: extra, noise_density: density, mean_noise_span_length: mean };
}

/** Whether a value is unset in a config.json. */
const absent = (v: unknown) => v === undefined || v === null;

/** A T5 config from a config.json: lmkit's names, else Hugging Face's T5Config keys. */
export function t5ConfigFromJSON(json: Record<string, unknown>): Partial<T5ModelConfig> {
  const pick = (own: string, hf: string) => (absent(json[own]) ? json[hf] : json[own]);
  return {
    ...Object.fromEntries(T5_CONFIG_KEYS.map((k) => [k, json[k] ?? undefined])),
    n_layer: pick('n_layer', 'num_layers') as number,
    n_head: pick('n_head', 'num_heads') as number,
    n_embd: pick('n_embd', 'd_model') as number,
    dropout: (pick('dropout', 'dropout_rate') ?? 0) as number,
    extra_ids: json.extra_ids as number | undefined,
    noise_density: json.noise_density as number | undefined,
    mean_noise_span_length: json.mean_noise_span_length as number | undefined,
  };
}

/** config.json of a T5: lmkit's names and Hugging Face's T5Config keys for the same numbers. */
export function t5CheckpointConfig(
  c: T5ModelConfig,
  extra: Record<string, unknown>,
): Record<string, unknown> {
  return {
    ...c,
    model_type: 't5',
    architectures: ['T5ForConditionalGeneration'],
    d_model: c.n_embd,
    d_kv: c.n_embd / c.n_head,
    num_layers: c.n_layer,
    num_decoder_layers: c.n_layer,
    num_heads: c.n_head,
    dropout_rate: c.dropout,
    feed_forward_proj: 'relu', // T5 v1.0
    layer_norm_epsilon: 1e-6,
    initializer_factor: 1.0,
    is_encoder_decoder: true,
    tie_word_embeddings: true,
    decoder_start_token_id: c.pad_token_id,
    n_positions: c.block_size,
    ...extra,
  };
}
