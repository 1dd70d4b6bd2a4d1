/**
 * The `ref` backend: every kernel in plain TypeScript, written for clarity. It is the correctness
 * reference for the native addon, runs float64 gradient checks, and is the fallback when the addon
 * cannot be built. Sums accumulate in JavaScript numbers (float64).
 */
import type { Kernels } from '../backend.js';
import type { Floats } from '../tensor.js';

const GELU_K = Math.sqrt(2 / Math.PI);
const GELU_C = 0.044715;

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

function span(rows: number, cols: number, ld: number): number {
  if (rows === 0 || cols === 0) return 0;
  if (ld < cols) throw new RangeError('gemm: leading dimension smaller than the row length');
  return (rows - 1) * ld + cols;
}

function needLen(a: ArrayLike<number>, n: number, name: string): void {
  if (n > a.length) throw new RangeError(`${name} has ${a.length} elements, the kernel needs ${n}`);
}

function checkIds(ids: Int32Array, N: number, V: number): void {
  for (let i = 0; i < N; i++)
    if (ids[i] < 0 || ids[i] >= V)
      throw new RangeError(`token id ${ids[i]} at position ${i} is outside the embedding table of ${V} rows`);
}

/** The plain TypeScript kernels. */
export const refKernels: Kernels = {
  name: 'ref',

  gemm(ta, tb, M, N, K, alpha, A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc, batch, sA, sB, sC) {
    if (batch === 0 || M === 0 || N === 0) return;
    if (K > 0) {
      needLen(A, aOff + (batch - 1) * sA + (ta ? span(K, M, lda) : span(M, K, lda)), 'A');
      needLen(B, bOff + (batch - 1) * sB + (tb ? span(N, K, ldb) : span(K, N, ldb)), 'B');
    }
    needLen(C, cOff + (batch - 1) * sC + span(M, N, ldc), 'C');
    const row = new Float64Array(N);
    for (let b = 0; b < batch; b++) {
      const a0 = aOff + b * sA;
      const b0 = bOff + b * sB;
      const c0 = cOff + b * sC;
      for (let i = 0; i < M; i++) {
        row.fill(0);
        for (let p = 0; p < K; p++) {
          const av = ta ? A[a0 + p * lda + i] : A[a0 + i * lda + p];
          if (av === 0) continue;
          if (tb) for (let j = 0; j < N; j++) row[j] += av * B[b0 + j * ldb + p];
          else {
            const br = b0 + p * ldb;
            for (let j = 0; j < N; j++) row[j] += av * B[br + j];
          }
        }
        const cr = c0 + i * ldc;
        if (beta === 0) for (let j = 0; j < N; j++) C[cr + j] = alpha * row[j];
        else for (let j = 0; j < N; j++) C[cr + j] = alpha * row[j] + beta * C[cr + j];
      }
    }
  },

  addBroadcast(a, b, out, n, m, sign) {
    for (let o = 0, j = 0; o < n; o++, j = j + 1 === m ? 0 : j + 1) out[o] = a[o] + sign * b[j];
  },

  accumulateBroadcast(g, dst, n, m, sign) {
    for (let o = 0, j = 0; o < n; o++, j = j + 1 === m ? 0 : j + 1) dst[j] += sign * g[o];
  },

  sumSquares(a, n) {
    let s = 0;
    for (let i = 0; i < n; i++) s += a[i] * a[i];
    return s;
  },

  scaleInPlace(a, n, s) {
    for (let i = 0; i < n; i++) a[i] *= s;
  },

  geluForward(x, y, n) {
    for (let i = 0; i < n; i++) {
      const v = x[i];
      y[i] = 0.5 * v * (1 + Math.tanh(GELU_K * (v + GELU_C * v * v * v)));
    }
  },

  geluBackward(x, dy, dx, n) {
    for (let i = 0; i < n; i++) {
      const v = x[i];
      const t = Math.tanh(GELU_K * (v + GELU_C * v * v * v));
      dx[i] += (0.5 * (1 + t) + 0.5 * v * (1 - t * t) * GELU_K * (1 + 3 * GELU_C * v * v)) * dy[i];
    }
  },

  layernormForward(x, w, b, y, mean, rstd, N, C, eps) {
    for (let i = 0; i < N; i++) {
      const o = i * C;
      let s = 0;
      for (let j = 0; j < C; j++) s += x[o + j];
      const m = s / C;
      let v = 0;
      for (let j = 0; j < C; j++) v += (x[o + j] - m) ** 2;
      const r = 1 / Math.sqrt(v / C + eps);
      mean[i] = m;
      rstd[i] = r;
      for (let j = 0; j < C; j++) {
        let val = (x[o + j] - m) * r;
        if (w) val *= w[j];
        if (b) val += b[j];
        y[o + j] = val;
      }
    }
  },

  layernormBackward(dy, x, w, mean, rstd, dx, dw, db, N, C) {
    for (let i = 0; i < N; i++) {
      const o = i * C;
      const m = mean[i];
      const r = rstd[i];
      let sd = 0;
      let sdx = 0;
      for (let j = 0; j < C; j++) {
        const dn = w ? dy[o + j] * w[j] : dy[o + j];
        sd += dn;
        sdx += dn * (x[o + j] - m) * r;
      }
      sd /= C;
      sdx /= C;
      for (let j = 0; j < C; j++) {
        const xh = (x[o + j] - m) * r;
        if (dx) dx[o + j] += r * ((w ? dy[o + j] * w[j] : dy[o + j]) - sd - xh * sdx);
        if (dw) dw[j] += dy[o + j] * xh;
        if (db) db[j] += dy[o + j];
      }
    }
  },

  rmsnormForward(x, w, y, rstd, N, C, eps) {
    for (let i = 0; i < N; i++) {
      const o = i * C;
      let s = 0;
      for (let j = 0; j < C; j++) s += x[o + j] * x[o + j];
      const r = 1 / Math.sqrt(s / C + eps);
      rstd[i] = r;
      for (let j = 0; j < C; j++) y[o + j] = w ? x[o + j] * r * w[j] : x[o + j] * r;
    }
  },

  rmsnormBackward(dy, x, w, rstd, dx, dw, N, C) {
    for (let i = 0; i < N; i++) {
      const o = i * C;
      const r = rstd[i];
      let sdx = 0;
      for (let j = 0; j < C; j++) sdx += (w ? dy[o + j] * w[j] : dy[o + j]) * x[o + j] * r;
      sdx /= C;
      for (let j = 0; j < C; j++) {
        const xh = x[o + j] * r;
        if (dx) dx[o + j] += r * ((w ? dy[o + j] * w[j] : dy[o + j]) - xh * sdx);
        if (dw) dw[j] += dy[o + j] * xh;
      }
    }
  },

  softmaxForward(x, y, rows, cols, log) {
    for (let i = 0; i < rows; i++) softmaxRow(x, y, i * cols, cols, log);
  },

  softmaxBackward(y, dy, dx, rows, cols, log) {
    for (let i = 0; i < rows; i++) {
      const o = i * cols;
      let s = 0;
      if (log) {
        for (let j = 0; j < cols; j++) s += dy[o + j];
        for (let j = 0; j < cols; j++) dx[o + j] += dy[o + j] - Math.exp(y[o + j]) * s;
      } else {
        for (let j = 0; j < cols; j++) s += dy[o + j] * y[o + j];
        for (let j = 0; j < cols; j++) dx[o + j] += y[o + j] * (dy[o + j] - s);
      }
    }
  },

  crossEntropyForward(logits, targets, N, V, ignoreIndex, probs, losses) {
    for (let i = 0; i < N; i++) {
      const t = targets[i];
      if (t !== ignoreIndex && (t < 0 || t >= V))
        throw new RangeError(`target ${t} at position ${i} is outside the vocabulary [0, ${V})`);
    }
    for (let i = 0; i < N; i++) {
      const o = i * V;
      const lse = softmaxRow(logits, probs, o, V, false);
      const t = targets[i];
      losses[i] = t === ignoreIndex ? 0 : lse - logits[o + t];
    }
  },

  crossEntropyBackward(probs, targets, rowScale, dlogits, N, V, ignoreIndex) {
    for (let i = 0; i < N; i++) {
      const t = targets[i];
      if (t === ignoreIndex) continue;
      const o = i * V;
      const s = rowScale[i];
      for (let j = 0; j < V; j++) dlogits[o + j] += s * probs[o + j];
      dlogits[o + t] -= s;
    }
  },

  attentionForward(qkv, y, att, B, T, C, H) {
    const hs = C / H;
    const scale = 1 / Math.sqrt(hs);
    for (let b = 0; b < B; b++)
      for (let h = 0; h < H; h++) {
        const q0 = b * T * 3 * C + h * hs;
        const p0 = (b * H + h) * T * T;
        for (let i = 0; i < T; i++) {
          let mx = -Infinity;
          for (let j = 0; j <= i; j++) {
            let s = 0;
            for (let d = 0; d < hs; d++) s += qkv[q0 + i * 3 * C + d] * qkv[q0 + C + j * 3 * C + d];
            att[p0 + i * T + j] = s * scale;
            mx = Math.max(mx, s * scale);
          }
          let sum = 0;
          for (let j = 0; j <= i; j++) {
            const e = Math.exp(att[p0 + i * T + j] - mx);
            att[p0 + i * T + j] = e;
            sum += e;
          }
          for (let j = 0; j <= i; j++) att[p0 + i * T + j] /= sum;
          for (let j = i + 1; j < T; j++) att[p0 + i * T + j] = 0;
          for (let d = 0; d < hs; d++) {
            let s = 0;
            for (let j = 0; j <= i; j++) s += att[p0 + i * T + j] * qkv[q0 + 2 * C + j * 3 * C + d];
            y[b * T * C + i * C + h * hs + d] = s;
          }
        }
      }
  },

  attentionBackward(dy, qkv, att, dqkv, B, T, C, H) {
    const hs = C / H;
    const scale = 1 / Math.sqrt(hs);
    const dP = new Float64Array(T);
    for (let b = 0; b < B; b++)
      for (let h = 0; h < H; h++) {
        const q0 = b * T * 3 * C + h * hs;
        const p0 = (b * H + h) * T * T;
        for (let i = 0; i < T; i++) {
          const dy0 = b * T * C + i * C + h * hs;
          // dP_ij = dy_i · v_j ; dv_j += P_ij dy_i
          let s = 0;
          for (let j = 0; j <= i; j++) {
            const v0 = q0 + 2 * C + j * 3 * C;
            const p = att[p0 + i * T + j];
            let acc = 0;
            for (let d = 0; d < hs; d++) {
              acc += dy[dy0 + d] * qkv[v0 + d];
              dqkv[v0 + d] += p * dy[dy0 + d];
            }
            dP[j] = acc;
            s += p * acc;
          }
          // dS_ij = P_ij (dP_ij − s); dq_i += scale dS_ij k_j ; dk_j += scale dS_ij q_i
          for (let j = 0; j <= i; j++) {
            const ds = att[p0 + i * T + j] * (dP[j] - s) * scale;
            const qi = q0 + i * 3 * C;
            const kj = q0 + C + j * 3 * C;
            for (let d = 0; d < hs; d++) {
              dqkv[qi + d] += ds * qkv[kj + d];
              dqkv[kj + d] += ds * qkv[qi + d];
            }
          }
        }
      }
  },

  embeddingForward(weight, ids, y, N, V, C) {
    checkIds(ids, N, V);
    for (let i = 0; i < N; i++) {
      const src = ids[i] * C;
      for (let j = 0; j < C; j++) y[i * C + j] = weight[src + j];
    }
  },

  embeddingBackward(dy, ids, dweight, N, V, C) {
    checkIds(ids, N, V);
    for (let i = 0; i < N; i++) {
      const dst = ids[i] * C;
      for (let j = 0; j < C; j++) dweight[dst + j] += dy[i * C + j];
    }
  },

  adamw(p, g, m, v, n, lr, beta1, beta2, eps, weightDecay, step) {
    const decay = 1 - lr * weightDecay;
    const stepSize = lr / (1 - beta1 ** step);
    const sqrtBc2 = Math.sqrt(1 - beta2 ** step);
    for (let i = 0; i < n; i++) {
      const gi = g[i];
      m[i] = beta1 * m[i] + (1 - beta1) * gi;
      v[i] = beta2 * v[i] + (1 - beta2) * gi * gi;
      p[i] = p[i] * decay - (stepSize * m[i]) / (Math.sqrt(v[i]) / sqrtBc2 + eps);
    }
  },

  lstmCellForward(gates, c, act, cNext, tanhC, hNext, N, H) {
    for (let r = 0; r < N; r++) {
      const g0 = r * 4 * H;
      for (let j = 0; j < H; j++) {
        const i = sigmoid(gates[g0 + j]);
        const f = sigmoid(gates[g0 + H + j]);
        const g = Math.tanh(gates[g0 + 2 * H + j]);
        const o = sigmoid(gates[g0 + 3 * H + j]);
        act[g0 + j] = i;
        act[g0 + H + j] = f;
        act[g0 + 2 * H + j] = g;
        act[g0 + 3 * H + j] = o;
        const k = r * H + j;
        const cv = f * c[k] + i * g;
        cNext[k] = cv;
        tanhC[k] = Math.tanh(cv);
        hNext[k] = o * Math.tanh(cv);
      }
    }
  },

  lstmCellBackward(act, c, tanhC, dh, dc, dgates, dcPrev, N, H) {
    for (let r = 0; r < N; r++) {
      const g0 = r * 4 * H;
      for (let j = 0; j < H; j++) {
        const k = r * H + j;
        const i = act[g0 + j];
        const f = act[g0 + H + j];
        const g = act[g0 + 2 * H + j];
        const o = act[g0 + 3 * H + j];
        const t = tanhC[k];
        const dhv = dh ? dh[k] : 0;
        const dcn = (dc ? dc[k] : 0) + dhv * o * (1 - t * t);
        dgates[g0 + j] += dcn * g * i * (1 - i);
        dgates[g0 + H + j] += dcn * c[k] * f * (1 - f);
        dgates[g0 + 2 * H + j] += dcn * i * (1 - g * g);
        dgates[g0 + 3 * H + j] += dhv * t * o * (1 - o);
        if (dcPrev) dcPrev[k] += dcn * f;
      }
    }
  },

  gruCellForward(gi, gh, h, act, hNext, N, H) {
    for (let r = 0; r < N; r++) {
      const g0 = r * 3 * H;
      for (let j = 0; j < H; j++) {
        const rg = sigmoid(gi[g0 + j] + gh[g0 + j]);
        const zg = sigmoid(gi[g0 + H + j] + gh[g0 + H + j]);
        const ng = Math.tanh(gi[g0 + 2 * H + j] + rg * gh[g0 + 2 * H + j]);
        act[g0 + j] = rg;
        act[g0 + H + j] = zg;
        act[g0 + 2 * H + j] = ng;
        hNext[r * H + j] = (1 - zg) * ng + zg * h[r * H + j];
      }
    }
  },

  gruCellBackward(gh, h, act, dhNext, dgi, dgh, dh, N, H) {
    for (let r = 0; r < N; r++) {
      const g0 = r * 3 * H;
      for (let j = 0; j < H; j++) {
        const k = r * H + j;
        const rg = act[g0 + j];
        const zg = act[g0 + H + j];
        const ng = act[g0 + 2 * H + j];
        const d = dhNext[k];
        const dnp = d * (1 - zg) * (1 - ng * ng);
        const dzp = d * (h[k] - ng) * zg * (1 - zg);
        const drp = dnp * gh[g0 + 2 * H + j] * rg * (1 - rg);
        if (dgi) {
          dgi[g0 + j] += drp;
          dgi[g0 + H + j] += dzp;
          dgi[g0 + 2 * H + j] += dnp;
        }
        if (dgh) {
          dgh[g0 + j] += drp;
          dgh[g0 + H + j] += dzp;
          dgh[g0 + 2 * H + j] += dnp * rg;
        }
        if (dh) dh[k] += d * zg;
      }
    }
  },
};

/** Writes softmax or log-softmax of x[o..o+n) into y[o..o+n); returns the row's log-sum-exp. */
function softmaxRow(x: Floats, y: Floats, o: number, n: number, log: boolean): number {
  let mx = -Infinity;
  for (let j = 0; j < n; j++) if (x[o + j] > mx) mx = x[o + j];
  let s = 0;
  for (let j = 0; j < n; j++) s += Math.exp(x[o + j] - mx);
  const lse = mx + Math.log(s);
  if (log) for (let j = 0; j < n; j++) y[o + j] = x[o + j] - lse;
  else for (let j = 0; j < n; j++) y[o + j] = Math.exp(x[o + j] - lse);
  return lse;
}
