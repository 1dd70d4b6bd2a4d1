/**
 * A GPT's key/value cache for decoding: each block's keys and values of the tokens seen so far are
 * kept, so a new token costs one position's projections and an attention over the cache instead of a
 * forward pass over the whole context. The blocks' own layers compute everything but the attention,
 * which reads q (T,C) of the new tokens against k, v (P+T, C) of the cache, causally.
 */
import type { GPT } from '../nn/gpt.js';
import { add } from '../tensor/ops/elementwise.js';
import { matmul } from '../tensor/ops/matmul.js';
import { IntTensor, Tensor, noGrad, tidy } from '../tensor/tensor.js';

/** Keys and values of every block for up to block_size positions. */
export class KVCache {
  /** Positions held. */
  length = 0;
  private readonly keys: Float32Array[];
  private readonly values: Float32Array[];
  private readonly C: number;

  /** An empty cache for the network's sizes. */
  constructor(private readonly net: GPT) {
    const { nLayer, nEmbd, blockSize } = net.config;
    this.C = nEmbd;
    this.keys = Array.from({ length: nLayer }, () => new Float32Array(blockSize * nEmbd));
    this.values = Array.from({ length: nLayer }, () => new Float32Array(blockSize * nEmbd));
  }

  /** Room left before the block is full. */
  get free(): number {
    return this.net.config.blockSize - this.length;
  }

  /** Runs `tokens` after the cached ones (they must fit); returns the logits (V) after the last one. */
  extend(tokens: readonly number[]): ArrayLike<number> {
    const T = tokens.length;
    if (T < 1 || T > this.free)
      throw new RangeError(`KVCache: ${T} tokens do not fit the ${this.free} free positions`);
    const net = this.net;
    const P = this.length;
    const logits = noGrad(() =>
      tidy(() => {
        const ids = IntTensor.from(tokens, [1, T]);
        const pos = IntTensor.from(
          Array.from({ length: T }, (_, i) => P + i),
          [1, T],
        );
        let x = add(net.wte.forward(ids), net.wpe.forward(pos)); // (1,T,C)
        net.h.forEach((block, layer) => {
          const qkv = block.attn.c_attn.forward(block.ln_1.forward(x)); // (1,T,3C)
          const y = this.attend(layer, qkv.data, T, P); // (1,T,C)
          x = add(x, block.attn.c_proj.forward(y));
          x = add(x, block.mlp.forward(block.ln_2.forward(x)));
        });
        const last = new Tensor(x.data.slice((T - 1) * this.C, T * this.C), [1, this.C]);
        return matmul(net.ln_f.forward(last), net.wte.weight, { transB: true }).data.slice();
      }),
    );
    this.length = P + T;
    return logits;
  }

  /** Stores the new keys and values of one block and returns softmax(q kᵀ/√d + causal mask) v per head. */
  private attend(layer: number, qkv: ArrayLike<number>, T: number, P: number): Tensor {
    const C = this.C;
    const H = this.net.config.nHead;
    const d = C / H;
    const K = this.keys[layer];
    const Vs = this.values[layer];
    for (let t = 0; t < T; t++) {
      for (let c = 0; c < C; c++) {
        K[(P + t) * C + c] = qkv[t * 3 * C + C + c];
        Vs[(P + t) * C + c] = qkv[t * 3 * C + 2 * C + c];
      }
    }
    const out = new Float32Array(T * C);
    const scores = new Float64Array(P + T);
    const scale = 1 / Math.sqrt(d);
    for (let t = 0; t < T; t++) {
      const n = P + t + 1; // positions this token may see
      for (let h = 0; h < H; h++) {
        const q = t * 3 * C + h * d;
        let max = -Infinity;
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let i = 0; i < d; i++) s += qkv[q + i] * K[j * C + h * d + i];
          scores[j] = s * scale;
          if (scores[j] > max) max = scores[j];
        }
        let sum = 0;
        for (let j = 0; j < n; j++) sum += scores[j] = Math.exp(scores[j] - max);
        const o = t * C + h * d;
        for (let j = 0; j < n; j++) {
          const p = scores[j] / sum;
          for (let i = 0; i < d; i++) out[o + i] += p * Vs[j * C + h * d + i];
        }
      }
    }
    return new Tensor(out, [1, T, C]);
  }
}
