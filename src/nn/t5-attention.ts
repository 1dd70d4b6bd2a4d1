/**
 * T5's attention (Raffel et al., 2020) under Hugging Face's names: projections `q`, `k`, `v`, `o` without
 * biases, no 1/√d scaling (folded into the initialization), and, in each stack's first block only, the
 * `relative_attention_bias` table (buckets, H) whose position bias every block of the stack adds to its
 * self-attention scores. Relative distances fall into buckets: half of them exact small distances, the
 * rest logarithmically wider up to max_distance; the encoder's buckets tell left from right, the
 * decoder's see only the past.
 * Legend: B batch, Tq queries, Tk keys, C n_embd, H n_head.
 */
import { multiHeadAttention } from '../tensor/ops/multi-head-attention.js';
import { permute } from '../tensor/ops/shape.js';
import { IntTensor, Tensor } from '../tensor/tensor.js';
import type { Rng } from '../util/rng.js';
import type { T5Config } from './t5-config.js';
import { Embedding, Linear } from './layers.js';
import { Module } from './module.js';

/**
 * T5's bucket of a relative position (key − query): bidirectional, half the buckets for keys after the
 * query; then distances below half the (remaining) buckets exactly, larger ones on a log scale up to
 * maxDistance, beyond it the last bucket. The log is computed in float32, as PyTorch does.
 */
export function relativePositionBucket(
  relative: number,
  bidirectional: boolean,
  numBuckets: number,
  maxDistance: number,
): number {
  let buckets = numBuckets;
  let bucket = 0;
  let n: number;
  if (bidirectional) {
    buckets = Math.floor(buckets / 2);
    if (relative > 0) bucket += buckets;
    n = Math.abs(relative);
  } else n = Math.max(-relative, 0);
  const maxExact = Math.floor(buckets / 2);
  if (n < maxExact) return bucket + n;
  const f = Math.fround;
  const scaled = f(
    f(f(Math.log(f(n / maxExact))) / f(Math.log(maxDistance / maxExact))) * (buckets - maxExact),
  );
  return bucket + Math.min(maxExact + Math.trunc(scaled), buckets - 1);
}

/** The bucket ids (Tq,Tk) of queries at positions offset.. and keys at 0..Tk−1. */
export function bucketIds(
  Tq: number,
  Tk: number,
  offset: number,
  bidirectional: boolean,
  c: Pick<T5Config, 'relative_attention_num_buckets' | 'relative_attention_max_distance'>,
): IntTensor {
  const ids = new Int32Array(Tq * Tk);
  for (let i = 0; i < Tq; i++)
    for (let j = 0; j < Tk; j++)
      ids[i * Tk + j] = relativePositionBucket(
        j - (offset + i),
        bidirectional,
        c.relative_attention_num_buckets,
        c.relative_attention_max_distance,
      );
  return new IntTensor(ids, [Tq, Tk]);
}

/** One T5 attention: q, k, v, o (C,C) and, in a stack's first block, the relative position bias table. */
export class T5Attention extends Module {
  readonly q: Linear;
  readonly k: Linear;
  readonly v: Linear;
  readonly o: Linear;
  /** (buckets, H); null in blocks after the first (they reuse the first block's bias). */
  readonly relative_attention_bias: Embedding | null;
  /** Bucket ids by shape and offset, computed once each. */
  private readonly buckets = new Map<string, IntTensor>();

  /** Initialized as Hugging Face's T5 (factor 1): q N(0, (C·d_kv)^−½), k and v N(0, C^−½), o N(0, C^−½). */
  constructor(
    private readonly c: T5Config,
    hasRelativeBias: boolean,
    rng: Rng,
  ) {
    super();
    const C = c.n_embd;
    const dkv = C / c.n_head;
    const linear = (std: number) => new Linear(C, C, rng, { bias: false, std });
    this.q = this.module('q', linear((C * dkv) ** -0.5));
    this.k = this.module('k', linear(C ** -0.5));
    this.v = this.module('v', linear(C ** -0.5));
    this.o = this.module('o', linear(C ** -0.5));
    this.relative_attention_bias = hasRelativeBias
      ? this.module(
          'relative_attention_bias',
          new Embedding(c.relative_attention_num_buckets, c.n_head, rng, C ** -0.5),
        )
      : null;
  }

  /** The position bias (H,Tq,Tk) of queries at offset.. over keys 0..Tk−1 (this block must hold the table). */
  positionBias(Tq: number, Tk: number, offset: number, bidirectional: boolean): Tensor {
    if (!this.relative_attention_bias)
      throw new Error('T5Attention: this block has no relative_attention_bias');
    const key = `${Tq},${Tk},${offset},${bidirectional}`;
    let ids = this.buckets.get(key);
    if (!ids) {
      if (this.buckets.size >= 256) this.buckets.clear(); // the shapes of a run repeat: a small memo
      ids = bucketIds(Tq, Tk, offset, bidirectional, this.c);
      this.buckets.set(key, ids);
    }
    const rows = this.relative_attention_bias.forward(ids); // (Tq,Tk,H)
    return permute(rows, [2, 0, 1]);
  }

  /** Queries from x (B,Tq,C) over keys and values from kv (B,Tk,C) → (B,Tq,C). */
  forward(
    x: Tensor,
    kv: Tensor,
    o: { bias?: Tensor | null; keyMask?: IntTensor | null; causal?: boolean } = {},
  ): Tensor {
    const a = multiHeadAttention(this.q.forward(x), this.k.forward(kv), this.v.forward(kv), this.c.n_head, {
      ...o,
      scale: 1,
    });
    return this.o.forward(a);
  }
}
