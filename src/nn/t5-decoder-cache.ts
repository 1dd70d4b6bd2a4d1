/**
 * Step-by-step decoding of a T5: the input is encoded once, each decoder block's cross-attention keys and
 * values over it are computed once, and each block's self-attention keys and values of the tokens decoded
 * so far are kept, so a new token costs one position's projections and attention over the cache.
 * `fork` copies the self-attention cache (the cross-attention one is shared), for beam search.
 * Runs under noGrad; the cache owns plain Float32Arrays, so nothing outlives a step but them.
 */
import { embedding } from '../tensor/ops/embedding.js';
import { add } from '../tensor/ops/elementwise.js';
import { multiHeadAttention } from '../tensor/ops/multi-head-attention.js';
import { logSoftmaxRow } from '../tensor/ops/softmax.js';
import { IntTensor, Tensor, noGrad, tidy } from '../tensor/tensor.js';
import type { T5ForConditionalGeneration } from './t5.js';

/** Keys and values (S or t positions, C) of one block, as owned arrays. */
interface BlockKV {
  keys: Float32Array;
  values: Float32Array;
}

/** One input's decoder: cross-attention memory computed once, self-attention cache grown per token. */
export class T5DecoderCache {
  /** Tokens decoded so far (the start token included). */
  length = 0;
  private self: BlockKV[];

  /** Encodes `input` (ids, ending in eos) and computes every block's cross-attention keys and values. */
  static encode(net: T5ForConditionalGeneration, input: readonly number[]): T5DecoderCache {
    const cross = noGrad(() =>
      tidy(() => {
        const memory = net.encode(IntTensor.from(input, [1, input.length])).hidden; // (1,S,C)
        return net.decoder.block.map((b) => {
          const a = b.crossAttention!.attention;
          return { keys: copy(a.k.forward(memory)), values: copy(a.v.forward(memory)) };
        });
      }),
    );
    return new T5DecoderCache(net, cross, input.length);
  }

  private constructor(
    readonly net: T5ForConditionalGeneration,
    private readonly cross: readonly BlockKV[],
    private readonly inputLength: number,
    self?: BlockKV[],
  ) {
    const C = net.config.n_embd;
    this.self =
      self ?? cross.map(() => ({ keys: new Float32Array(16 * C), values: new Float32Array(16 * C) }));
  }

  /** A copy that decodes on independently (the cross-attention memory shared). */
  fork(): T5DecoderCache {
    const f = new T5DecoderCache(
      this.net,
      this.cross,
      this.inputLength,
      this.self.map((kv) => ({ keys: kv.keys.slice(), values: kv.values.slice() })),
    );
    f.length = this.length;
    return f;
  }

  /** Runs `token` at the next position; returns the next token's log-probabilities (V). */
  step(token: number): Float32Array {
    const net = this.net;
    const c = net.config;
    const C = c.n_embd;
    const t = this.length;
    if (t >= c.block_size)
      throw new RangeError(`T5DecoderCache: the target is full (${c.block_size} tokens)`);
    this.grow(t + 1);
    const logits = noGrad(() =>
      tidy(() => {
        const view = (a: Float32Array, n: number) => new Tensor(a.subarray(0, n * C), [1, n, C]);
        let x = embedding(net.shared.weight, IntTensor.from([token], [1, 1])); // (1,1,C)
        const bias = net.decoder.positionBias(1, t + 1, t); // (H,1,t+1)
        net.decoder.block.forEach((b, l) => {
          const sa = b.selfAttention.attention;
          let h = b.selfAttention.layer_norm.forward(x);
          this.self[l].keys.set(sa.k.forward(h).data, t * C);
          this.self[l].values.set(sa.v.forward(h).data, t * C);
          const q = sa.q.forward(h);
          x = add(
            x,
            sa.o.forward(
              multiHeadAttention(
                q,
                view(this.self[l].keys, t + 1),
                view(this.self[l].values, t + 1),
                c.n_head,
                { bias, scale: 1 },
              ),
            ),
          );
          const ca = b.crossAttention!;
          h = ca.layer_norm.forward(x);
          const S = this.inputLength;
          const kv = this.cross[l];
          const a = multiHeadAttention(
            ca.attention.q.forward(h),
            view(kv.keys, S),
            view(kv.values, S),
            c.n_head,
            { scale: 1 },
          );
          x = add(x, ca.attention.o.forward(a));
          x = b.feedForward.forward(x);
        });
        return net.head(net.decoder.final_layer_norm.forward(x)).data.slice() as Float32Array;
      }),
    );
    this.length = t + 1;
    return logSoftmaxRow(logits);
  }

  /** Room for n positions in every block's self-attention cache. */
  private grow(n: number): void {
    const C = this.net.config.n_embd;
    if (this.self[0].keys.length >= n * C) return;
    const cap = Math.min(this.net.config.block_size, Math.max(n, 2 * (this.self[0].keys.length / C))) * C;
    for (const kv of this.self) {
      const keys = new Float32Array(cap);
      keys.set(kv.keys);
      const values = new Float32Array(cap);
      values.set(kv.values);
      kv.keys = keys;
      kv.values = values;
    }
  }
}

/** A tensor's values as an owned Float32Array. */
function copy(t: Tensor): Float32Array {
  return Float32Array.from(t.data);
}
