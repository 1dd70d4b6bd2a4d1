/**
 * The GPT of nanoGPT / GPT-2 as modules named like Hugging Face's GPT-2 (`wte`, `wpe`, `h.N.ln_1`,
 * `h.N.attn.c_attn`, `h.N.attn.c_proj`, `h.N.ln_2`, `h.N.mlp.c_fc`, `h.N.mlp.c_proj`, `ln_f`), with the
 * output head tied to `wte`. Linear weights are stored (out, in) like torch.nn.Linear; Hugging Face's
 * Conv1D checkpoints hold the transpose. GELU is the tanh approximation, as in GPT-2.
 * Two options leave GPT-2's layout: `rope` (rotary position embeddings on q and k instead of the learned
 * position table `wpe`, which then does not exist) and `norm: 'rmsnorm'` (RMSNorm, weight only, in
 * place of every LayerNorm, under the same names).
 */
import { add } from '../tensor/ops/elementwise.js';
import { causalSelfAttention } from '../tensor/ops/attention.js';
import { crossEntropy, type CrossEntropyOptions } from '../tensor/ops/cross-entropy.js';
import { matmul } from '../tensor/ops/matmul.js';
import { rotary } from '../tensor/ops/rope.js';
import { gelu } from '../tensor/ops/unary.js';
import { ShapeError } from '../tensor/errors.js';
import { Rng } from '../util/rng.js';
import { IntTensor, Tensor } from '../tensor/tensor.js';
import { Dropout, Embedding, LayerNorm, Linear, RMSNorm } from './layers.js';
import { validateGPTConfig, type GPTConfig } from './gpt-config.js';
import { Module } from './module.js';

/** The normalization layer a config asks for (GPT-2's LayerNorm, or RMSNorm). */
export type Norm = LayerNorm | RMSNorm;

/** A LayerNorm (with bias when the config has biases) or an RMSNorm over n_embd features, eps 1e-5. */
function makeNorm(config: GPTConfig): Norm {
  return config.norm === 'rmsnorm'
    ? new RMSNorm(config.n_embd, 1e-5)
    : new LayerNorm(config.n_embd, 1e-5, config.bias);
}

/** Multi-head causal self-attention: one qkv projection, the fused attention kernel, an output projection. */
export class CausalSelfAttention extends Module {
  readonly c_attn: Linear;
  readonly c_proj: Linear;
  readonly resid_dropout: Dropout;

  /** Attention for the config's width and heads; c_proj is scaled by 1/√(2·n_layer) as GPT-2. */
  constructor(
    readonly config: GPTConfig,
    rng: Rng,
  ) {
    super();
    const C = config.n_embd;
    this.c_attn = this.module('c_attn', new Linear(C, 3 * C, rng, { bias: config.bias, std: 0.02 }));
    this.c_proj = this.module(
      'c_proj',
      new Linear(C, C, rng, { bias: config.bias, std: 0.02 / Math.sqrt(2 * config.n_layer) }),
    );
    this.resid_dropout = this.module('resid_dropout', new Dropout(config.dropout, rng));
  }

  /** x (B,T,C) → (B,T,C). */
  forward(x: Tensor): Tensor {
    let qkv = this.c_attn.forward(x); // (B,T,3C)
    if (this.config.rope) qkv = rotary(qkv, this.config.n_head);
    const y = causalSelfAttention(qkv, this.config.n_head);
    return this.resid_dropout.forward(this.c_proj.forward(y));
  }
}

/** The feed-forward part of a block: C → 4C → GELU → C. */
export class MLP extends Module {
  readonly c_fc: Linear;
  readonly c_proj: Linear;
  readonly dropout: Dropout;

  /** The MLP for the config's width. */
  constructor(config: GPTConfig, rng: Rng) {
    super();
    const C = config.n_embd;
    this.c_fc = this.module('c_fc', new Linear(C, 4 * C, rng, { bias: config.bias, std: 0.02 }));
    this.c_proj = this.module(
      'c_proj',
      new Linear(4 * C, C, rng, { bias: config.bias, std: 0.02 / Math.sqrt(2 * config.n_layer) }),
    );
    this.dropout = this.module('dropout', new Dropout(config.dropout, rng));
  }

  /** x (B,T,C) → (B,T,C). */
  forward(x: Tensor): Tensor {
    return this.dropout.forward(this.c_proj.forward(gelu(this.c_fc.forward(x))));
  }
}

/** A pre-norm transformer block: x + attn(ln_1(x)), then + mlp(ln_2(x)). */
export class Block extends Module {
  readonly ln_1: Norm;
  readonly attn: CausalSelfAttention;
  readonly ln_2: Norm;
  readonly mlp: MLP;

  /** A block for the config. */
  constructor(config: GPTConfig, rng: Rng) {
    super();
    this.ln_1 = this.module('ln_1', makeNorm(config));
    this.attn = this.module('attn', new CausalSelfAttention(config, rng));
    this.ln_2 = this.module('ln_2', makeNorm(config));
    this.mlp = this.module('mlp', new MLP(config, rng));
  }

  /** x (B,T,C) → (B,T,C). */
  forward(x: Tensor): Tensor {
    const h = add(x, this.attn.forward(this.ln_1.forward(x)));
    return add(h, this.mlp.forward(this.ln_2.forward(h)));
  }
}

/** The whole network: token (+ position) embeddings, blocks, final norm, tied output head. */
export class GPT extends Module {
  readonly wte: Embedding;
  /** The learned position table; null with rotary embeddings. */
  readonly wpe: Embedding | null;
  readonly drop: Dropout;
  readonly h: Block[];
  readonly ln_f: Norm;
  /** The generator the dropout layers draw masks from (the one that initialized the weights, continued). */
  readonly dropoutRng: Rng;
  private readonly positions: IntTensor[] = [];

  readonly config: GPTConfig;

  /** A GPT initialized as nanoGPT does (N(0, 0.02), scaled residual projections), from a seed; the config is checked here. */
  constructor(config: Partial<GPTConfig>, seed = 0) {
    super();
    const c = (this.config = validateGPTConfig(config));
    const rng = new Rng(seed);
    this.wte = this.module('wte', new Embedding(c.vocab_size, c.n_embd, rng, 0.02));
    this.wpe = c.rope ? null : this.module('wpe', new Embedding(c.block_size, c.n_embd, rng, 0.02));
    this.drop = this.module('drop', new Dropout(c.dropout, rng));
    this.h = [];
    for (let i = 0; i < c.n_layer; i++) this.h.push(this.module(`h.${i}`, new Block(c, rng)));
    this.ln_f = this.module('ln_f', makeNorm(c));
    this.dropoutRng = rng;
  }

  /** Token ids (B,T) → logits (B,T,V). */
  forward(idx: IntTensor): Tensor {
    return matmul(this.hidden(idx), this.wte.weight, { transB: true });
  }

  /** Token ids (B,T) → the last hidden states after the final norm (B,T,C), what the tied head (or a scalar head) reads. */
  hidden(idx: IntTensor): Tensor {
    if (idx.shape.length !== 2) throw new ShapeError(`GPT: input ids ${idx.describe()} must be (B, T)`);
    const T = idx.shape[1];
    if (T > this.config.block_size)
      throw new ShapeError(
        `GPT: sequence of ${T} tokens is longer than the block size ${this.config.block_size}`,
      );
    const tok = this.wte.forward(idx);
    let x = this.drop.forward(this.wpe ? add(tok, this.wpe.forward(this.positionIds(T))) : tok);
    for (const block of this.h) x = block.forward(x);
    return this.ln_f.forward(x);
  }

  /** Mean cross-entropy of next-token predictions: ids (B,T), targets (B,T) → scalar. */
  loss(idx: IntTensor, targets: IntTensor, opts: CrossEntropyOptions = {}): Tensor {
    return crossEntropy(this.forward(idx), targets, opts);
  }

  private positionIds(T: number): IntTensor {
    return (this.positions[T] ??= IntTensor.from(
      Array.from({ length: T }, (_, i) => i),
      [T],
    ));
  }
}
