/**
 * BERT (Devlin et al., 2019) as modules named like Hugging Face's `BertForMaskedLM`,
 * `BertForSequenceClassification` and `BertForTokenClassification`, so a state dict is theirs name for
 * name: `bert.embeddings.{word,position,token_type}_embeddings`, `bert.embeddings.LayerNorm`,
 * `bert.encoder.layer.N.attention.self.{query,key,value}`, `…attention.output.{dense,LayerNorm}`,
 * `…intermediate.dense`, `…output.{dense,LayerNorm}`, `bert.pooler.dense`; the masked-LM head
 * `cls.predictions.transform.{dense,LayerNorm}` and `cls.predictions.bias`, its decoder tied to the word
 * embeddings; a fine-tuning head `classifier`.
 * Post-LN as BERT (x = LN(x + sublayer(x))), so the weights are BERT's and load in `transformers`; LayerNorm
 * eps 1e-12. GELU is the tanh approximation (lmkit's kernel), which config.json states as
 * `hidden_act: "gelu_new"` so `transformers` computes the same function. Initialized as BERT: N(0, 0.02)
 * weights and embeddings, zero biases.
 * Legend: B batch, T positions, C n_embd, H n_head, V vocabulary, L labels.
 */
import { selfAttention } from '../tensor/ops/attention.js';
import { crossEntropy } from '../tensor/ops/cross-entropy.js';
import { add } from '../tensor/ops/elementwise.js';
import { gatherRows } from '../tensor/ops/gather.js';
import { matmul } from '../tensor/ops/matmul.js';
import { concat, reshape } from '../tensor/ops/shape.js';
import { gelu, tanh } from '../tensor/ops/unary.js';
import { ShapeError } from '../tensor/errors.js';
import { zeros } from '../tensor/create.js';
import { IntTensor, Tensor } from '../tensor/tensor.js';
import { Rng } from '../util/rng.js';
import { validateBertConfig, type BertConfig } from './bert-config.js';
import { Dropout, Embedding, LayerNorm, Linear } from './layers.js';
import { Module } from './module.js';

/** BERT's LayerNorm epsilon. */
export const BERT_LN_EPS = 1e-12;

/** What an encoder pass reads besides the token ids. */
export interface EncoderInputs {
  /** Segment ids (B,T): 0 for sentence A, 1 for B (default all 0). */
  tokenTypes?: IntTensor | null;
  /** Hugging Face's attention_mask (B,T): 1 a token, 0 padding no position attends to (default all 1). */
  attentionMask?: IntTensor | null;
}

/** A Linear initialized as BERT: N(0, 0.02) weight, zero bias. */
function dense(inF: number, outF: number, rng: Rng): Linear {
  return new Linear(inF, outF, rng, { std: 0.02 });
}

/** Word + position + segment embeddings, then LayerNorm and dropout. */
export class BertEmbeddings extends Module {
  readonly word_embeddings: Embedding;
  readonly position_embeddings: Embedding;
  readonly token_type_embeddings: Embedding;
  readonly LayerNorm: LayerNorm;
  readonly dropout: Dropout;
  private readonly positions: IntTensor[] = [];

  /** The embedding tables of the config. */
  constructor(c: BertConfig, rng: Rng) {
    super();
    this.word_embeddings = this.module('word_embeddings', new Embedding(c.vocab_size, c.n_embd, rng, 0.02));
    this.position_embeddings = this.module(
      'position_embeddings',
      new Embedding(c.block_size, c.n_embd, rng, 0.02),
    );
    this.token_type_embeddings = this.module(
      'token_type_embeddings',
      new Embedding(c.type_vocab_size, c.n_embd, rng, 0.02),
    );
    this.LayerNorm = this.module('LayerNorm', new LayerNorm(c.n_embd, BERT_LN_EPS));
    this.dropout = this.module('dropout', new Dropout(c.dropout, rng));
  }

  /** ids (B,T), segment ids (B,T) → (B,T,C). */
  forward(ids: IntTensor, tokenTypes: IntTensor): Tensor {
    const T = ids.shape[1];
    const pos = (this.positions[T] ??= IntTensor.from(
      Array.from({ length: T }, (_, i) => i),
      [T],
    ));
    const x = add(
      add(this.word_embeddings.forward(ids), this.position_embeddings.forward(pos)),
      this.token_type_embeddings.forward(tokenTypes),
    );
    return this.dropout.forward(this.LayerNorm.forward(x));
  }
}

/** One post-LN encoder layer: x = LN(x + attention(x)); x = LN(x + W₂ GELU(W₁ x)). */
export class BertLayer extends Module {
  readonly query: Linear;
  readonly key: Linear;
  readonly value: Linear;
  readonly attentionDense: Linear;
  readonly attentionNorm: LayerNorm;
  readonly intermediate: Linear;
  readonly outputDense: Linear;
  readonly outputNorm: LayerNorm;
  private readonly dropout: Dropout;

  /** A layer of the config's width (feed-forward 4·n_embd). */
  constructor(
    private readonly c: BertConfig,
    rng: Rng,
  ) {
    super();
    const C = c.n_embd;
    this.query = this.module('attention.self.query', dense(C, C, rng));
    this.key = this.module('attention.self.key', dense(C, C, rng));
    this.value = this.module('attention.self.value', dense(C, C, rng));
    this.attentionDense = this.module('attention.output.dense', dense(C, C, rng));
    this.attentionNorm = this.module('attention.output.LayerNorm', new LayerNorm(C, BERT_LN_EPS));
    this.intermediate = this.module('intermediate.dense', dense(C, 4 * C, rng));
    this.outputDense = this.module('output.dense', dense(4 * C, C, rng));
    this.outputNorm = this.module('output.LayerNorm', new LayerNorm(C, BERT_LN_EPS));
    this.dropout = this.module('dropout', new Dropout(c.dropout, rng));
  }

  /** x (B,T,C), attention mask (B,T) or null → (B,T,C). */
  forward(x: Tensor, mask: IntTensor | null): Tensor {
    const qkv = concat([this.query.forward(x), this.key.forward(x), this.value.forward(x)], 2); // (B,T,3C)
    const a = selfAttention(qkv, this.c.n_head, mask); // (B,T,C)
    const h = this.attentionNorm.forward(add(x, this.dropout.forward(this.attentionDense.forward(a))));
    const f = this.outputDense.forward(gelu(this.intermediate.forward(h))); // (B,T,C) through (B,T,4C)
    return this.outputNorm.forward(add(h, this.dropout.forward(f)));
  }
}

/** The encoder: embeddings, n_layer layers and (for sequence classification) the [CLS] pooler. */
export class BertModel extends Module {
  readonly embeddings: BertEmbeddings;
  readonly layer: BertLayer[] = [];
  /** dense + tanh over the first position's hidden state; null when the model has no pooler (masked LM). */
  readonly pooler: Linear | null;

  /** An encoder for the config, with a pooler when asked. */
  constructor(
    readonly config: BertConfig,
    rng: Rng,
    withPooler: boolean,
  ) {
    super();
    this.embeddings = this.module('embeddings', new BertEmbeddings(config, rng));
    for (let i = 0; i < config.n_layer; i++)
      this.layer.push(this.module(`encoder.layer.${i}`, new BertLayer(config, rng)));
    this.pooler = withPooler ? this.module('pooler.dense', dense(config.n_embd, config.n_embd, rng)) : null;
  }

  /** ids (B,T) → last hidden states (B,T,C). */
  forward(ids: IntTensor, o: EncoderInputs = {}): Tensor {
    if (ids.shape.length !== 2) throw new ShapeError(`BERT: input ids ${ids.describe()} must be (B, T)`);
    const [B, T] = ids.shape;
    if (T > this.config.block_size)
      throw new ShapeError(`BERT: ${T} tokens are more than the block size ${this.config.block_size}`);
    const types = o.tokenTypes ?? new IntTensor(new Int32Array(B * T), [B, T]);
    let x = this.embeddings.forward(ids, types);
    for (const l of this.layer) x = l.forward(x, o.attentionMask ?? null);
    return x;
  }

  /** The pooled [CLS] vector tanh(W h₀ + b) of hidden states (B,T,C) → (B,C). */
  pool(hidden: Tensor): Tensor {
    if (!this.pooler) throw new Error('BertModel.pool: this encoder has no pooler');
    return tanh(this.pooler.forward(firstPositions(hidden)));
  }
}

/** The hidden state of each sequence's first position ([CLS]): (B,T,C) → (B,C). */
function firstPositions(hidden: Tensor): Tensor {
  const [B, T, C] = hidden.shape;
  return gatherRows(
    reshape(hidden, [B * T, C]),
    Int32Array.from({ length: B }, (_, b) => b * T),
  );
}

/** BERT with its masked-LM head (Hugging Face's BertForMaskedLM; no next-sentence head, as RoBERTa). */
export class BertForMaskedLM extends Module {
  readonly bert: BertModel;
  readonly transform: Linear;
  readonly transformNorm: LayerNorm;
  /** The decoder's bias (V); its weight is the word embedding table. */
  readonly bias: Tensor;
  /** Where dropout masks come from (the generator that initialized the weights, continued). */
  readonly dropoutRng: Rng;
  readonly config: BertConfig;

  /** A BERT initialized from a seed; the config is checked here. */
  constructor(config: Partial<BertConfig>, seed = 0) {
    super();
    const c = (this.config = validateBertConfig(config));
    const rng = new Rng(seed);
    this.bert = this.module('bert', new BertModel(c, rng, false));
    this.transform = this.module('cls.predictions.transform.dense', dense(c.n_embd, c.n_embd, rng));
    this.transformNorm = this.module(
      'cls.predictions.transform.LayerNorm',
      new LayerNorm(c.n_embd, BERT_LN_EPS),
    );
    this.bias = this.param('cls.predictions.bias', zeros([c.vocab_size]), 'bias');
    this.dropoutRng = rng;
  }

  /** Token ids (B,T) → logits (B,T,V) at every position. */
  forward(ids: IntTensor, o: EncoderInputs = {}): Tensor {
    return this.head(this.bert.forward(ids, o));
  }

  /** The masked-LM head of hidden states (..., C) → logits (..., V): LN(GELU(W h + b)) Eᵀ + bias. */
  head(hidden: Tensor): Tensor {
    const h = this.transformNorm.forward(gelu(this.transform.forward(hidden)));
    return add(matmul(h, this.bert.embeddings.word_embeddings.weight, { transB: true }), this.bias);
  }

  /**
   * The masked-LM head restricted to some tokens: hidden (M,C) → logits (M,K) of tokens (K) only, the
   * columns of {@link head}'s (M,V) at those ids (a cloze verbalizer's words), without the other V − K.
   */
  headAt(hidden: Tensor, tokens: Int32Array): Tensor {
    const h = this.transformNorm.forward(gelu(this.transform.forward(hidden))); // (M,C)
    const E = gatherRows(this.bert.embeddings.word_embeddings.weight, tokens); // (K,C)
    const b = reshape(gatherRows(reshape(this.bias, [this.config.vocab_size, 1]), tokens), [tokens.length]); // (K)
    return add(matmul(h, E, { transB: true }), b);
  }

  /**
   * Mean cross-entropy of the masked-LM predictions: ids (B,T) with some tokens masked, targets (B,T)
   * holding the original token where one was chosen and −100 elsewhere → scalar. Only the chosen
   * positions go through the head.
   */
  loss(ids: IntTensor, targets: IntTensor, o: EncoderInputs = {}): Tensor {
    const hidden = this.bert.forward(ids, o);
    const [B, T, C] = hidden.shape;
    const rows: number[] = [];
    for (let i = 0; i < B * T; i++) if (targets.data[i] !== -100) rows.push(i);
    if (rows.length === 0) rows.push(0); // nothing chosen: a zero loss through one ignored row
    const picked = gatherRows(reshape(hidden, [B * T, C]), Int32Array.from(rows)); // (M,C)
    const t = IntTensor.from(
      rows.map((i) => targets.data[i]),
      [rows.length],
    );
    return crossEntropy(this.head(picked), t);
  }
}

/** BERT with a classifier over the pooled [CLS] vector (Hugging Face's BertForSequenceClassification). */
export class BertForSequenceClassification extends Module {
  readonly bert: BertModel;
  readonly classifier: Linear;
  readonly dropoutRng: Rng;
  private readonly dropout: Dropout;

  /** A BERT for `numLabels` classes, initialized from a seed. */
  constructor(
    readonly config: BertConfig,
    readonly numLabels: number,
    seed = 0,
  ) {
    super();
    const rng = new Rng(seed);
    this.bert = this.module('bert', new BertModel(validateBertConfig(config), rng, true));
    this.dropout = this.module('dropout', new Dropout(config.dropout, rng));
    this.classifier = this.module('classifier', dense(config.n_embd, numLabels, rng));
    this.dropoutRng = rng;
  }

  /** ids (B,T) → class logits (B,L). */
  forward(ids: IntTensor, o: EncoderInputs = {}): Tensor {
    return this.classifier.forward(this.dropout.forward(this.bert.pool(this.bert.forward(ids, o))));
  }

  /** Mean cross-entropy of the class logits against labels (B). */
  loss(ids: IntTensor, labels: IntTensor, o: EncoderInputs = {}): Tensor {
    return crossEntropy(this.forward(ids, o), labels);
  }
}

/** BERT with a classifier at every position (Hugging Face's BertForTokenClassification). */
export class BertForTokenClassification extends Module {
  readonly bert: BertModel;
  readonly classifier: Linear;
  readonly dropoutRng: Rng;
  private readonly dropout: Dropout;

  /** A BERT tagging each token with one of `numLabels` tags, initialized from a seed. */
  constructor(
    readonly config: BertConfig,
    readonly numLabels: number,
    seed = 0,
  ) {
    super();
    const rng = new Rng(seed);
    this.bert = this.module('bert', new BertModel(validateBertConfig(config), rng, false));
    this.dropout = this.module('dropout', new Dropout(config.dropout, rng));
    this.classifier = this.module('classifier', dense(config.n_embd, numLabels, rng));
    this.dropoutRng = rng;
  }

  /** ids (B,T) → tag logits (B,T,L). */
  forward(ids: IntTensor, o: EncoderInputs = {}): Tensor {
    return this.classifier.forward(this.dropout.forward(this.bert.forward(ids, o)));
  }

  /** Mean cross-entropy of the tags (B,T), −100 where a position has none (padding, a word's later pieces). */
  loss(ids: IntTensor, tags: IntTensor, o: EncoderInputs = {}): Tensor {
    return crossEntropy(this.forward(ids, o), tags);
  }
}
