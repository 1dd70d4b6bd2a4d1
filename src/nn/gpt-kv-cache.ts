/**
 * A GPT's key/value cache for decoding: each block's keys and values of the tokens seen so far are
 * kept, so a new token costs one position's projections and an attention over the cache instead of a
 * forward pass over the whole context. Inference runs straight on the backend's kernels with buffers
 * reused from call to call (no tape, no tensors, nothing allocated per token but the returned logits):
 * a one-row product is a matrix-vector product, and attention is two products per head over the cache.
 * Several caches can advance in one pass (batched decoding): their rows share every projection.
 */
import type { Block, GPT, Norm } from './gpt.js';
import type { Linear } from './layers.js';
import { RMSNorm } from './layers.js';
import { kernels, type Kernels } from '../tensor/backend.js';
import { rotateQK } from '../tensor/ops/rope.js';

/** New tokens for one cache in a (batched) forward. */
export interface CacheRun {
  cache: KVCache;
  tokens: readonly number[];
}

/** Keys and values of every block for up to block_size positions; storage grows as it fills. */
export class KVCache {
  /** Positions held. */
  length = 0;
  private capacity = 0;
  private keys: Float32Array[] = [];
  private values: Float32Array[] = [];

  /** An empty cache for the network's sizes (room for `reserve` positions at first). */
  constructor(
    readonly net: GPT,
    reserve = 0,
  ) {
    if (reserve > 0) this.grow(reserve);
  }

  /** Room left before the block is full. */
  get free(): number {
    return this.net.config.block_size - this.length;
  }

  /** Runs `tokens` after the cached ones (they must fit); returns the logits (V) after the last one. */
  extend(tokens: readonly number[]): Float32Array {
    return KVCache.extendAll([{ cache: this, tokens }])[0];
  }

  /** Runs each cache's new tokens in one pass (all caches of one network); returns each run's last logits. */
  static extendAll(runs: readonly CacheRun[]): Float32Array[] {
    if (runs.length === 0) return [];
    const net = runs[0].cache.net;
    for (const { cache, tokens } of runs) {
      if (cache.net !== net) throw new RangeError('KVCache.extendAll: caches of different networks');
      if (tokens.length < 1 || tokens.length > cache.free)
        throw new RangeError(`KVCache: ${tokens.length} tokens do not fit the ${cache.free} free positions`);
    }
    const logits = forward(net, runs);
    for (const { cache, tokens } of runs) cache.length += tokens.length;
    return logits;
  }

  /** Makes room for `n` positions in all. */
  private grow(n: number): void {
    const { n_layer: nLayer, n_embd: nEmbd, block_size: blockSize } = this.net.config;
    if (n <= this.capacity) return;
    const cap = Math.min(blockSize, Math.max(n, 2 * this.capacity, 16));
    const fresh = () => new Float32Array(cap * nEmbd);
    const copy = (old: Float32Array | undefined) => {
      const a = fresh();
      if (old) a.set(old.subarray(0, this.length * nEmbd));
      return a;
    };
    this.keys = Array.from({ length: nLayer }, (_, l) => copy(this.keys[l]));
    this.values = Array.from({ length: nLayer }, (_, l) => copy(this.values[l]));
    this.capacity = cap;
  }

  /**
   * Stores the keys and values of T new rows of one block (rows of a fused qkv (·,3C) from `row`), then
   * writes softmax(q kᵀ/√d + causal mask) v per head into `out` (·,C) at the same rows.
   */
  attend(layer: number, qkv: Float32Array, row: number, T: number, out: Float32Array, s: Scratch): void {
    const { n_embd: C, n_head: H } = this.net.config;
    const k = s.k;
    const P = this.length;
    const n = P + T;
    this.grow(n);
    const K = this.keys[layer];
    const V = this.values[layer];
    for (let t = 0; t < T; t++) {
      const src = (row + t) * 3 * C;
      K.set(qkv.subarray(src + C, src + 2 * C), (P + t) * C);
      V.set(qkv.subarray(src + 2 * C, src + 3 * C), (P + t) * C);
    }
    const d = C / H;
    // every head in one batched call each way (head h: its d columns of q, K and V, its own T×n scores)
    const scores = s.get('scores', H * T * n);
    // scores_h (T,n) = q_h (T,d) K_hᵀ / √d, then a causal softmax per row
    k.gemm(
      false,
      true,
      T,
      n,
      d,
      1 / Math.sqrt(d),
      qkv,
      row * 3 * C,
      3 * C,
      K,
      0,
      C,
      0,
      scores,
      0,
      n,
      H,
      d,
      d,
      T * n,
    );
    for (let r = 0; r < H * T; r++) {
      const o = r * n;
      const seen = P + (r % T) + 1;
      let max = -Infinity;
      for (let j = 0; j < seen; j++) if (scores[o + j] > max) max = scores[o + j];
      let sum = 0;
      for (let j = 0; j < seen; j++) sum += scores[o + j] = Math.exp(scores[o + j] - max);
      const inv = 1 / sum;
      for (let j = 0; j < seen; j++) scores[o + j] *= inv;
      scores.fill(0, o + seen, o + n);
    }
    // out_h (T,d) = scores_h (T,n) V_h (n,d)
    k.gemm(false, false, T, d, n, 1, scores, 0, n, V, 0, C, 0, out, row * C, C, H, T * n, d, d);
  }
}

/** Buffers reused by every forward of one network, grown on demand (decoding is synchronous). */
class Scratch {
  readonly k: Kernels = kernels();
  private readonly buffers = new Map<string, Float32Array>();

  /** A buffer of at least n floats (contents undefined). */
  get(name: string, n: number): Float32Array {
    let b = this.buffers.get(name);
    if (!b || b.length < n) {
      b = new Float32Array(Math.max(n, 2 * (b?.length ?? 0)));
      this.buffers.set(name, b);
    }
    return b;
  }
}

const scratches = new WeakMap<GPT, Scratch>();

/** out (R,N) = x (R,K) Wᵀ + b for a Linear layer (W stored (N,K)). */
function linear(s: Scratch, layer: Linear, x: Float32Array, out: Float32Array, R: number): void {
  const [N, K] = layer.weight.shape;
  const bias = layer.bias?.data as Float32Array | undefined;
  if (bias) for (let r = 0; r < R; r++) out.set(bias, r * N);
  s.k.gemm(false, true, R, N, K, 1, x, 0, K, layer.weight.data, 0, K, bias ? 1 : 0, out, 0, N, 1, 0, 0, 0);
}

/** out (R,C) = norm(x) (R,C) with the layer's own weights. */
function norm(s: Scratch, layer: Norm, x: Float32Array, out: Float32Array, R: number, C: number): void {
  const rstd = s.get('rstd', R);
  if (layer instanceof RMSNorm) s.k.rmsnormForward(x, layer.weight.data, out, rstd, R, C, layer.eps);
  else
    s.k.layernormForward(
      x,
      layer.weight.data,
      layer.bias?.data ?? null,
      out,
      s.get('mean', R),
      rstd,
      R,
      C,
      layer.eps,
    );
}

/** The whole inference pass for the runs' new rows; returns each run's logits after its last token. */
function forward(net: GPT, runs: readonly CacheRun[]): Float32Array[] {
  let s = scratches.get(net);
  if (!s || s.k !== kernels()) scratches.set(net, (s = new Scratch()));
  const { n_embd: C, n_head: H, vocab_size: V, rope } = net.config;
  const R = runs.reduce((n, r) => n + r.tokens.length, 0);
  const x = s.get('x', R * C);
  const h = s.get('h', R * C);
  const qkv = s.get('qkv', R * 3 * C);
  const att = s.get('att', R * C);
  const proj = s.get('proj', R * C);
  const fc = s.get('fc', R * 4 * C);
  const act = s.get('act', R * 4 * C);
  const wte = net.wte.weight.data;
  const wpe = net.wpe?.weight.data;
  let row = 0;
  for (const { cache, tokens } of runs) {
    tokens.forEach((tok, t) => {
      const o = (row + t) * C;
      x.set(wte.subarray(tok * C, (tok + 1) * C), o);
      if (wpe) {
        const p = (cache.length + t) * C;
        for (let c = 0; c < C; c++) x[o + c] += wpe[p + c];
      }
    });
    row += tokens.length;
  }
  net.h.forEach((block: Block, layer) => {
    norm(s, block.ln_1, x, h, R, C);
    linear(s, block.attn.c_attn, h, qkv, R);
    let r0 = 0;
    for (const { cache, tokens } of runs) {
      const T = tokens.length;
      if (rope) rotateQK(qkv, r0 * 3 * C, T, C, H, (t) => cache.length + t);
      cache.attend(layer, qkv, r0, T, att, s);
      r0 += T;
    }
    linear(s, block.attn.c_proj, att, proj, R);
    for (let i = 0; i < R * C; i++) x[i] += proj[i];
    norm(s, block.ln_2, x, h, R, C);
    linear(s, block.mlp.c_fc, h, fc, R);
    s.k.geluForward(fc, act, R * 4 * C);
    linear(s, block.mlp.c_proj, act, proj, R);
    for (let i = 0; i < R * C; i++) x[i] += proj[i];
  });
  // the last row of each run → final norm → tied head
  const B = runs.length;
  const last = s.get('last', B * C);
  row = 0;
  runs.forEach(({ tokens }, b) => {
    row += tokens.length;
    last.set(x.subarray((row - 1) * C, row * C), b * C);
  });
  norm(s, net.ln_f, last, h, B, C);
  const logits = s.get('logits', B * V);
  s.k.gemm(false, true, B, V, C, 1, h, 0, C, wte, 0, C, 0, logits, 0, V, 1, 0, 0, 0);
  return runs.map((_, b) => logits.slice(b * V, (b + 1) * V));
}
