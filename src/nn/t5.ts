/**
 * T5 (Raffel et al., 2020), v1.0's layout, as modules named like Hugging Face's
 * `T5ForConditionalGeneration`, so a state dict is theirs name for name: `shared` (the token embeddings of
 * both stacks and, tied, the output layer), `{encoder,decoder}.block.N.layer.0.SelfAttention.{q,k,v,o}`,
 * `…block.0.layer.0.SelfAttention.relative_attention_bias`, `…layer.0.layer_norm`, the decoder's
 * `…layer.1.EncDecAttention.{q,k,v,o}` and `…layer.1.layer_norm`, the feed-forward
 * `…layer.{1,2}.DenseReluDense.{wi,wo}` and its `layer_norm`, `{encoder,decoder}.final_layer_norm`.
 * Pre-norm with T5's RMSNorm (no mean, no bias, eps 1e-6): x = x + sublayer(RMSNorm(x)); no biases
 * anywhere; ReLU feed-forward (v1.0; v1.1's gated GELU would untie the output layer too); relative position
 * buckets instead of position embeddings, one table per stack; the decoder's output scaled by d_model^−½
 * before the tied output layer. Initialized as Hugging Face's T5 (factor 1).
 * Legend: B batch, S input positions, T target positions, C n_embd, F d_ff, V vocabulary.
 */
import { crossEntropy } from '../tensor/ops/cross-entropy.js';
import { add, scale } from '../tensor/ops/elementwise.js';
import { matmul } from '../tensor/ops/matmul.js';
import { relu } from '../tensor/ops/unary.js';
import { ShapeError } from '../tensor/errors.js';
import { IntTensor, Tensor } from '../tensor/tensor.js';
import { Rng } from '../util/rng.js';
import { validateT5Config, type T5Config } from './t5-config.js';
import { T5Attention } from './t5-attention.js';
import { Dropout, Embedding, Linear, RMSNorm } from './layers.js';
import { Module } from './module.js';

/** T5's RMSNorm epsilon. */
export const T5_NORM_EPS = 1e-6;

/** Labels ignored by the loss (padding of a target). */
export const IGNORE_INDEX = -100;

/** The feed-forward sublayer: x + wo(dropout(ReLU(wi RMSNorm(x)))). */
export class T5FeedForward extends Module {
  readonly wi: Linear;
  readonly wo: Linear;
  readonly layer_norm: RMSNorm;

  /** wi N(0, C^−½), wo N(0, F^−½), as Hugging Face's T5. */
  constructor(
    c: T5Config,
    rng: Rng,
    private readonly dropout: Dropout,
  ) {
    super();
    this.wi = this.module(
      'DenseReluDense.wi',
      new Linear(c.n_embd, c.d_ff, rng, { bias: false, std: c.n_embd ** -0.5 }),
    );
    this.wo = this.module(
      'DenseReluDense.wo',
      new Linear(c.d_ff, c.n_embd, rng, { bias: false, std: c.d_ff ** -0.5 }),
    );
    this.layer_norm = this.module('layer_norm', new RMSNorm(c.n_embd, T5_NORM_EPS));
  }

  /** x (B,T,C) → (B,T,C) through (B,T,F). */
  forward(x: Tensor): Tensor {
    const h = this.dropout.forward(relu(this.wi.forward(this.layer_norm.forward(x))));
    return add(x, this.dropout.forward(this.wo.forward(h)));
  }
}

/** An attention sublayer: x + dropout(attention(RMSNorm(x), over kv or itself)). */
export class T5AttentionLayer extends Module {
  readonly attention: T5Attention;
  readonly layer_norm: RMSNorm;

  /** Named `SelfAttention` or `EncDecAttention` as Hugging Face's. */
  constructor(
    c: T5Config,
    name: 'SelfAttention' | 'EncDecAttention',
    hasRelativeBias: boolean,
    rng: Rng,
    private readonly dropout: Dropout,
  ) {
    super();
    this.attention = this.module(name, new T5Attention(c, hasRelativeBias, rng));
    this.layer_norm = this.module('layer_norm', new RMSNorm(c.n_embd, T5_NORM_EPS));
  }

  /** x (B,T,C); keys and values from `memory` (B,S,C) (cross-attention) or from x itself → (B,T,C). */
  forward(
    x: Tensor,
    o: { memory?: Tensor; bias?: Tensor | null; keyMask?: IntTensor | null; causal?: boolean } = {},
  ): Tensor {
    const h = this.layer_norm.forward(x);
    return add(x, this.dropout.forward(this.attention.forward(h, o.memory ?? h, o)));
  }
}

/** One block: self-attention, (in the decoder) cross-attention, feed-forward. */
export class T5Block extends Module {
  readonly selfAttention: T5AttentionLayer;
  readonly crossAttention: T5AttentionLayer | null;
  readonly feedForward: T5FeedForward;

  /** Block `index` of the encoder or the decoder (the first holds the relative position table). */
  constructor(c: T5Config, isDecoder: boolean, index: number, rng: Rng, dropout: Dropout) {
    super();
    this.selfAttention = this.module(
      'layer.0',
      new T5AttentionLayer(c, 'SelfAttention', index === 0, rng, dropout),
    );
    this.crossAttention = isDecoder
      ? this.module('layer.1', new T5AttentionLayer(c, 'EncDecAttention', false, rng, dropout))
      : null;
    this.feedForward = this.module(`layer.${isDecoder ? 2 : 1}`, new T5FeedForward(c, rng, dropout));
  }
}

/** What a decoder pass attends to: the encoder's output and which of its positions are padding. */
export interface EncoderMemory {
  /** The encoder's last hidden states (B,S,C). */
  hidden: Tensor;
  /** (B,S): 1 a token, 0 padding; null when no row is padded. */
  mask: IntTensor | null;
}

/** A stack of blocks over the shared embeddings: the encoder (bidirectional) or the decoder (causal, cross-attending). */
export class T5Stack extends Module {
  readonly block: T5Block[] = [];
  readonly final_layer_norm: RMSNorm;
  readonly dropout: Dropout;

  /** n_layer blocks; `embed` is the shared table (registered by the model, not here). */
  constructor(
    readonly config: T5Config,
    readonly isDecoder: boolean,
    private readonly embed: Embedding,
    rng: Rng,
  ) {
    super();
    this.dropout = this.module('dropout', new Dropout(config.dropout, rng));
    for (let i = 0; i < config.n_layer; i++)
      this.block.push(this.module(`block.${i}`, new T5Block(config, isDecoder, i, rng, this.dropout)));
    this.final_layer_norm = this.module('final_layer_norm', new RMSNorm(config.n_embd, T5_NORM_EPS));
  }

  /** The stack's position bias (H,Tq,Tk) for queries at offset.. over keys 0..Tk−1. */
  positionBias(Tq: number, Tk: number, offset = 0): Tensor {
    return this.block[0].selfAttention.attention.positionBias(Tq, Tk, offset, !this.isDecoder);
  }

  /** ids (B,T) → hidden states (B,T,C); the encoder masks `mask` (B,T), the decoder attends to `memory`. */
  forward(ids: IntTensor, o: { mask?: IntTensor | null; memory?: EncoderMemory }): Tensor {
    if (ids.shape.length !== 2) throw new ShapeError(`T5: ids ${ids.describe()} must be (B, T)`);
    const T = ids.shape[1];
    let x = this.dropout.forward(this.embed.forward(ids));
    const bias = this.positionBias(T, T);
    for (const b of this.block) {
      x = b.selfAttention.forward(
        x,
        this.isDecoder ? { bias, causal: true } : { bias, keyMask: o.mask ?? null },
      );
      if (b.crossAttention) {
        if (!o.memory) throw new Error('T5Stack: the decoder needs the encoder memory');
        x = b.crossAttention.forward(x, { memory: o.memory.hidden, keyMask: o.memory.mask });
      }
      x = b.feedForward.forward(x);
    }
    return this.dropout.forward(this.final_layer_norm.forward(x));
  }
}

/** T5 with its language-modelling head (Hugging Face's T5ForConditionalGeneration). */
export class T5ForConditionalGeneration extends Module {
  readonly shared: Embedding;
  readonly encoder: T5Stack;
  readonly decoder: T5Stack;
  /** Where dropout masks come from (the generator that initialized the weights, continued). */
  readonly dropoutRng: Rng;
  readonly config: T5Config;

  /** A T5 initialized from a seed; the config is checked here. */
  constructor(config: Partial<T5Config>, seed = 0) {
    super();
    const c = (this.config = validateT5Config(config));
    const rng = new Rng(seed);
    this.shared = this.module('shared', new Embedding(c.vocab_size, c.n_embd, rng, 1));
    this.encoder = this.module('encoder', new T5Stack(c, false, this.shared, rng));
    this.decoder = this.module('decoder', new T5Stack(c, true, this.shared, rng));
    this.dropoutRng = rng;
  }

  /** Input ids (B,S), padded with pad_token_id → the encoder memory. */
  encode(ids: IntTensor): EncoderMemory {
    this.checkLength(ids, 'input');
    const mask = paddingMask(ids, this.config.pad_token_id);
    return { hidden: this.encoder.forward(ids, { mask }), mask };
  }

  /** Decoder input ids (B,T) attending to `memory` → logits (B,T,V). */
  decode(decoderIds: IntTensor, memory: EncoderMemory): Tensor {
    this.checkLength(decoderIds, 'target');
    return this.head(this.decoder.forward(decoderIds, { memory }));
  }

  /** The tied output layer of decoder states (..., C) → logits (..., V): (h · C^−½) Eᵀ. */
  head(hidden: Tensor): Tensor {
    return matmul(scale(hidden, this.config.n_embd ** -0.5), this.shared.weight, { transB: true });
  }

  /**
   * Mean cross-entropy of the targets: input ids (B,S) padded with pad_token_id, labels (B,T) padded with
   * −100; the decoder reads the labels shifted right after the start token (pad), as Hugging Face's.
   */
  loss(inputIds: IntTensor, labels: IntTensor): Tensor {
    return crossEntropy(
      this.decode(shiftRight(labels, this.config.pad_token_id), this.encode(inputIds)),
      labels,
    );
  }

  private checkLength(ids: IntTensor, what: string): void {
    if (ids.shape.length !== 2) throw new ShapeError(`T5: ${what} ids ${ids.describe()} must be (B, T)`);
    if (ids.shape[1] > this.config.block_size)
      throw new ShapeError(
        `T5: the ${what} of ${ids.shape[1]} tokens is longer than block_size ${this.config.block_size}`,
      );
  }
}

/** The decoder's input for labels (B,T): the start token (pad), then the labels but the last, −100 read as pad. */
export function shiftRight(labels: IntTensor, pad: number): IntTensor {
  const [B, T] = labels.shape;
  const out = new Int32Array(B * T);
  for (let b = 0; b < B; b++) {
    out[b * T] = pad;
    for (let t = 1; t < T; t++) {
      const l = labels.data[b * T + t - 1];
      out[b * T + t] = l === IGNORE_INDEX ? pad : l;
    }
  }
  return new IntTensor(out, [B, T]);
}

/** The attention mask (B,S) of ids: 0 at padding, 1 elsewhere; null when nothing is padding. */
export function paddingMask(ids: IntTensor, pad: number): IntTensor | null {
  if (!ids.data.includes(pad)) return null;
  return new IntTensor(
    ids.data.map((t) => (t === pad ? 0 : 1)),
    ids.shape,
  );
}
