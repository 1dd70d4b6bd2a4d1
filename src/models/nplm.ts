/**
 * The neural probabilistic language model of Bengio et al. (2003) as a `LanguageModel`. The n−1 previous
 * tokens are looked up in one shared embedding table C (m dims each) and concatenated into x
 * ((n−1)·m); logits = b + U tanh(d + H x) + W x, where W (the direct connections) is optional; a
 * softmax over the vocabulary gives the next token. A checkpoint is a directory like a GPT's:
 * `config.json` (with `lmkit_kind: "nplm"`), `model.safetensors` and `tokenizer.json`.
 *
 * Context before the first tokens is padded with the token that separates sentences in training
 * ({@link lineStartToken}): `</s>` for word tokenizers (word corpora are joined with `</s>`), the line
 * break for character and BPE tokenizers (joined with "\n"), else `<s>` or id 0.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { LmkitError } from '../errors.js';
import type { DecoderState, LanguageModel } from '../lm.js';
import { Embedding, Linear } from '../nn/layers.js';
import { Module } from '../nn/module.js';
import { readSafetensors } from '../nn/safetensors.js';
import { crossEntropy } from '../tensor/ops/cross_entropy.js';
import { add } from '../tensor/ops/elementwise.js';
import { reshape } from '../tensor/ops/shape.js';
import { tanh } from '../tensor/ops/unary.js';
import { Rng } from '../tensor/random.js';
import { IntTensor, noGrad, tidy, type Tensor } from '../tensor/tensor.js';
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

/** The sizes of an NPLM, in the paper's terms: order n, embedding m, hidden h. */
export interface NPLMConfig {
  /** n: the model sees n−1 previous tokens. */
  order: number;
  /** m: dimensions of each token's embedding. */
  n_embd: number;
  /** h: tanh hidden units (0: none, logits = b + W x, which needs direct). */
  n_hidden: number;
  /** Direct connections W from the concatenated embeddings to the output. */
  direct: boolean;
  vocab_size: number;
}

/** Checks an NPLM config, throwing an error that names the bad value; returns a clean copy. */
export function validateNPLMConfig(c: Partial<NPLMConfig>): NPLMConfig {
  const whole = (name: 'order' | 'n_embd' | 'n_hidden' | 'vocab_size', min: number) => {
    const v = c[name];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min)
      throw new LmkitError(`NPLM config: ${name} must be a whole number ≥ ${min} (got ${JSON.stringify(v)})`);
    return v;
  };
  const direct = c.direct ?? false;
  if (typeof direct !== 'boolean')
    throw new LmkitError(`NPLM config: direct must be true or false (got ${JSON.stringify(c.direct)})`);
  const out: NPLMConfig = {
    order: whole('order', 2),
    n_embd: whole('n_embd', 1),
    n_hidden: whole('n_hidden', 0),
    direct,
    vocab_size: whole('vocab_size', 1),
  };
  if (out.n_hidden === 0 && !out.direct)
    throw new LmkitError('NPLM config: n_hidden is 0 and direct is off, so nothing reaches the output', {
      hint: 'give n_hidden ≥ 1 or turn on direct connections',
    });
  return out;
}

/** The network: C, then H and d (hidden), U and b (output), W (direct, optional). */
export class NPLMNet extends Module {
  readonly C: Embedding;
  readonly hidden: Linear | null;
  readonly output: Linear | null;
  readonly direct: Linear | null;
  /** n−1: the context width. */
  readonly width: number;

  /** A freshly initialized network (seeded). */
  constructor(
    readonly config: NPLMConfig,
    seed = 0,
  ) {
    super();
    const rng = new Rng(seed);
    const c = config;
    this.width = c.order - 1;
    const inFeatures = this.width * c.n_embd;
    this.C = this.module('C', new Embedding(c.vocab_size, c.n_embd, rng));
    this.hidden = c.n_hidden > 0 ? this.module('hidden', new Linear(inFeatures, c.n_hidden, rng)) : null;
    this.output = c.n_hidden > 0 ? this.module('output', new Linear(c.n_hidden, c.vocab_size, rng)) : null;
    this.direct = c.direct
      ? this.module('direct', new Linear(inFeatures, c.vocab_size, rng, { bias: !this.output }))
      : null;
  }

  /** Contexts (B, n−1) of token ids → logits (B, V). */
  forward(idx: IntTensor): Tensor {
    if (idx.shape.length !== 2 || idx.shape[1] !== this.width)
      throw new LmkitError(`NPLM: input ids ${idx.describe()} must be (B, ${this.width})`);
    const B = idx.shape[0];
    const x = reshape(this.C.forward(idx), [B, this.width * this.config.n_embd]);
    let logits: Tensor | null = null;
    if (this.hidden && this.output) logits = this.output.forward(tanh(this.hidden.forward(x)));
    if (this.direct) {
      const w = this.direct.forward(x);
      logits = logits ? add(logits, w) : w;
    }
    return logits as Tensor;
  }

  /**
   * Mean cross-entropy over windows: ids (B, n−1) and their shifted targets (B, n−1), as the training
   * batches give them; only the last target of each window (the token after the whole context) counts.
   */
  loss(idx: IntTensor, targets: IntTensor): Tensor {
    const [B, T] = targets.shape;
    if (T !== this.width)
      throw new LmkitError(`NPLM: targets ${targets.describe()} must be (B, ${this.width})`);
    const last = new Int32Array(B);
    for (let b = 0; b < B; b++) last[b] = targets.data[b * T + T - 1];
    return crossEntropy(this.forward(idx), new IntTensor(last, [B]));
  }
}

/** An NPLM language model: network, tokenizer and config. */
export class NPLMModel implements LanguageModel {
  readonly kind = 'nplm';
  readonly net: NPLMNet;
  readonly config: NPLMConfig;
  /** The padding id before the first tokens. */
  readonly pad: number;
  /** Training windows score one target each (the loop counts tokens per step with this). */
  readonly targetsPerWindow = 1;

  /** A freshly initialized NPLM (seeded) for a tokenizer; the config's vocab_size must match it. */
  constructor(
    config: Partial<NPLMConfig>,
    readonly tokenizer: SavableTokenizer,
    seed = 0,
  ) {
    this.config = validateNPLMConfig(config);
    checkConfigVocab('NPLM', this.config.vocab_size, tokenizer);
    this.net = new NPLMNet(this.config, seed);
    this.net.eval();
    this.pad = lineStartToken(tokenizer);
  }

  /** n−1 tokens of context. */
  get contextLength(): number {
    return this.config.order - 1;
  }

  /** Starts after the prompt, padded on the left. */
  start(prompt: number[]): DecoderState {
    for (const t of prompt) this.checkToken(t);
    return new NPLMDecoderState(this, [...prompt]);
  }

  /** Next-token natural-log probabilities after `context` (its last n−1 tokens, padded on the left). */
  nextLogProbs(context: readonly number[]): Float32Array {
    const n1 = this.contextLength;
    const ids = context.slice(-n1);
    while (ids.length < n1) ids.unshift(this.pad);
    const logits = noGrad(() => tidy(() => this.net.forward(IntTensor.from(ids, [1, n1])).data.slice()));
    return logSoftmax(logits);
  }

  /**
   * Writes model.safetensors, tokenizer.json and config.json (last) into `dir`, each atomically; `extra`
   * adds keys to config.json and `metadata` to the safetensors header.
   */
  save(dir: string, extra: Record<string, unknown> = {}, metadata: Record<string, string> = {}): void {
    const tensors: StoredWeights = new Map();
    for (const { name, tensor } of this.net.namedParameters())
      tensors.set(name, { shape: tensor.shape, data: tensor.data as Float32Array });
    const config = { lmkit_kind: 'nplm', ...this.config, pad_token_id: this.pad, ...extra };
    writeCheckpointFiles(dir, 'nplm', tensors, this.tokenizer, config, metadata);
  }

  /** Loads a checkpoint directory; errors name the missing file, the wrong kind, or the bad tensor. */
  static load(dir: string): NPLMModel {
    const config = readNPLMConfig(dir);
    const tokenizer = readCheckpointTokenizer(dir, CHECKPOINT_FILES.tokenizer, config.vocab_size);
    const model = new NPLMModel(config, tokenizer);
    const path = join(dir, CHECKPOINT_FILES.weights);
    if (!existsSync(path)) throw new LmkitError(`checkpoint weights ${path} do not exist`);
    loadNamedTensors(model.net, path, readSafetensors(path).tensors);
    return model;
  }

  private checkToken(t: number): void {
    checkTokenId(t, this.config.vocab_size);
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

/** Reads and validates an NPLM checkpoint's config.json; another kind of model is a clear error. */
export function readNPLMConfig(dir: string): NPLMConfig {
  return readKindConfig(dir, 'nplm', 'an NPLM', (json) => validateNPLMConfig(json as Partial<NPLMConfig>));
}
