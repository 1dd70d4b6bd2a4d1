// Fused row-wise and element-wise kernels: GELU, layernorm, RMSNorm, softmax / log-softmax,
// softmax cross-entropy, embedding gather / scatter-add, AdamW. Backward kernels accumulate (+=).
#include <cmath>
#include <vector>
#include "fastmath.h"
#include "napi_util.h"

namespace lmkit {
namespace {

constexpr float kGeluK = 0.7978845608028654f;  // sqrt(2/pi)
constexpr float kGeluC = 0.044715f;

// The array's data, or n copies of `value` when it is absent (an optional weight of ones or bias of
// zeros), so that vectorized loops never test for null pointers: masked AVX-512 loads from address 0
// are legal but take a microcode assist on every iteration.
const float* orConstant(const F32& a, int64_t n, float value) {
  if (a.p) return a.p;
  static std::vector<float> ones, zeros;
  std::vector<float>& v = value == 0.0f ? zeros : ones;
  if (static_cast<int64_t>(v.size()) < n) v.assign(n, value);
  return v.data();
}

// geluForward(x, y, n): y = 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))), GPT-2's approximation.
napi_value GeluForward(napi_env env, napi_callback_info info) {
  return guard(env, [&]() -> napi_value {
    Args<3> a(env, info);
    F32 x = a.f32(0, "x"), y = a.f32(1, "y");
    int64_t n = a.count(2, "n");
    needLen(x, n, "x");
    needLen(y, n, "y");
    const float* xp = x.p;
    float* yp = y.p;
#pragma omp simd
    for (int64_t i = 0; i < n; i++) {
      float v = xp[i];
      float t = ftanh(kGeluK * (v + kGeluC * v * v * v));
      yp[i] = 0.5f * v * (1.0f + t);
    }
    return undefinedValue(env);
  });
}

// geluBackward(x, dy, dx, n): dx += gelu'(x) dy.
napi_value GeluBackward(napi_env env, napi_callback_info info) {
  return guard(env, [&]() -> napi_value {
    Args<4> a(env, info);
    F32 x = a.f32(0, "x"), dy = a.f32(1, "dy"), dx = a.f32(2, "dx");
    int64_t n = a.count(3, "n");
    needLen(x, n, "x");
    needLen(dy, n, "dy");
    needLen(dx, n, "dx");
    const float* xp = x.p;
    const float* dyp = dy.p;
    float* dxp = dx.p;
#pragma omp simd
    for (int64_t i = 0; i < n; i++) {
      float v = xp[i];
      float t = ftanh(kGeluK * (v + kGeluC * v * v * v));
      float d = 0.5f * (1.0f + t) + 0.5f * v * (1.0f - t * t) * kGeluK * (1.0f + 3.0f * kGeluC * v * v);
      dxp[i] += d * dyp[i];
    }
    return undefinedValue(env);
  });
}

// layernormForward(x, w|null, b|null, y, mean, rstd, N, C, eps): x, y are (N,C); mean, rstd are (N).
napi_value LayernormForward(napi_env env, napi_callback_info info) {
  return guard(env, [&]() -> napi_value {
    Args<9> a(env, info);
    F32 x = a.f32(0, "x"), w = a.f32OrNull(1, "weight"), b = a.f32OrNull(2, "bias"), y = a.f32(3, "y"),
        mean = a.f32(4, "mean"), rstd = a.f32(5, "rstd");
    int64_t N = a.count(6, "N"), C = a.count(7, "C");
    float eps = static_cast<float>(a.num(8, "eps"));
    needLen(x, W(N) * C, "x");
    needLen(y, W(N) * C, "y");
    needLen(mean, N, "mean");
    needLen(rstd, N, "rstd");
    if (w.p) needLen(w, C, "weight");
    if (b.p) needLen(b, C, "bias");
    for (int64_t i = 0; i < N; i++) {
      const float* xr = x.p + i * C;
      float* yr = y.p + i * C;
      float s = 0.0f;
#pragma omp simd reduction(+ : s)
      for (int64_t j = 0; j < C; j++) s += xr[j];
      float m = s / C;
      float v = 0.0f;
#pragma omp simd reduction(+ : v)
      for (int64_t j = 0; j < C; j++) v += (xr[j] - m) * (xr[j] - m);
      float r = 1.0f / std::sqrt(v / C + eps);
      mean.p[i] = m;
      rstd.p[i] = r;
      const float* wp = orConstant(w, C, 1.0f);
      const float* bp = orConstant(b, C, 0.0f);
#pragma omp simd
      for (int64_t j = 0; j < C; j++) yr[j] = (xr[j] - m) * r * wp[j] + bp[j];
    }
    return undefinedValue(env);
  });
}

// layernormBackward(dy, x, w|null, mean, rstd, dx|null, dw|null, db|null, N, C).
napi_value LayernormBackward(napi_env env, napi_callback_info info) {
  return guard(env, [&]() -> napi_value {
    Args<10> a(env, info);
    F32 dy = a.f32(0, "dy"), x = a.f32(1, "x"), w = a.f32OrNull(2, "weight"), mean = a.f32(3, "mean"),
        rstd = a.f32(4, "rstd"), dx = a.f32OrNull(5, "dx"), dw = a.f32OrNull(6, "dweight"),
        db = a.f32OrNull(7, "dbias");
    int64_t N = a.count(8, "N"), C = a.count(9, "C");
    needLen(dy, W(N) * C, "dy");
    needLen(x, W(N) * C, "x");
    needLen(mean, N, "mean");
    needLen(rstd, N, "rstd");
    if (w.p) needLen(w, C, "weight");
    if (dx.p) needLen(dx, W(N) * C, "dx");
    if (dw.p) needLen(dw, C, "dweight");
    if (db.p) needLen(db, C, "dbias");
    for (int64_t i = 0; i < N; i++) {
      const float* dyr = dy.p + i * C;
      const float* xr = x.p + i * C;
      float m = mean.p[i], r = rstd.p[i];
      const float* wp = orConstant(w, C, 1.0f);
      float sd = 0.0f, sdx = 0.0f;
#pragma omp simd reduction(+ : sd, sdx)
      for (int64_t j = 0; j < C; j++) {
        float xh = (xr[j] - m) * r;
        float dn = dyr[j] * wp[j];
        sd += dn;
        sdx += dn * xh;
      }
      sd /= C;
      sdx /= C;
      if (dx.p) {
        float* dxr = dx.p + i * C;
#pragma omp simd
        for (int64_t j = 0; j < C; j++) {
          float xh = (xr[j] - m) * r;
          dxr[j] += r * (dyr[j] * wp[j] - sd - xh * sdx);
        }
      }
      if (dw.p) {
        float* dwp = dw.p;
#pragma omp simd
        for (int64_t j = 0; j < C; j++) dwp[j] += dyr[j] * (xr[j] - m) * r;
      }
      if (db.p) {
        float* dbp = db.p;
#pragma omp simd
        for (int64_t j = 0; j < C; j++) dbp[j] += dyr[j];
      }
    }
    return undefinedValue(env);
  });
}

// rmsnormForward(x, w|null, y, rstd, N, C, eps): y = x / sqrt(mean(x^2) + eps) * w.
napi_value RmsnormForward(napi_env env, napi_callback_info info) {
  return guard(env, [&]() -> napi_value {
    Args<7> a(env, info);
    F32 x = a.f32(0, "x"), w = a.f32OrNull(1, "weight"), y = a.f32(2, "y"), rstd = a.f32(3, "rstd");
    int64_t N = a.count(4, "N"), C = a.count(5, "C");
    float eps = static_cast<float>(a.num(6, "eps"));
    needLen(x, W(N) * C, "x");
    needLen(y, W(N) * C, "y");
    needLen(rstd, N, "rstd");
    if (w.p) needLen(w, C, "weight");
    for (int64_t i = 0; i < N; i++) {
      const float* xr = x.p + i * C;
      float* yr = y.p + i * C;
      float s = 0.0f;
#pragma omp simd reduction(+ : s)
      for (int64_t j = 0; j < C; j++) s += xr[j] * xr[j];
      float r = 1.0f / std::sqrt(s / C + eps);
      rstd.p[i] = r;
      const float* wp = orConstant(w, C, 1.0f);
#pragma omp simd
      for (int64_t j = 0; j < C; j++) yr[j] = xr[j] * r * wp[j];
    }
    return undefinedValue(env);
  });
}

// rmsnormBackward(dy, x, w|null, rstd, dx|null, dw|null, N, C).
napi_value RmsnormBackward(napi_env env, napi_callback_info info) {
  return guard(env, [&]() -> napi_value {
    Args<8> a(env, info);
    F32 dy = a.f32(0, "dy"), x = a.f32(1, "x"), w = a.f32OrNull(2, "weight"), rstd = a.f32(3, "rstd"),
        dx = a.f32OrNull(4, "dx"), dw = a.f32OrNull(5, "dweight");
    int64_t N = a.count(6, "N"), C = a.count(7, "C");
    needLen(dy, W(N) * C, "dy");
    needLen(x, W(N) * C, "x");
    needLen(rstd, N, "rstd");
    if (w.p) needLen(w, C, "weight");
    if (dx.p) needLen(dx, W(N) * C, "dx");
    if (dw.p) needLen(dw, C, "dweight");
    for (int64_t i = 0; i < N; i++) {
      const float* dyr = dy.p + i * C;
      const float* xr = x.p + i * C;
      float r = rstd.p[i];
      const float* wp = orConstant(w, C, 1.0f);
      float sdx = 0.0f;
#pragma omp simd reduction(+ : sdx)
      for (int64_t j = 0; j < C; j++) sdx += dyr[j] * wp[j] * xr[j] * r;
      sdx /= C;
      if (dx.p) {
        float* dxr = dx.p + i * C;
#pragma omp simd
        for (int64_t j = 0; j < C; j++) dxr[j] += r * (dyr[j] * wp[j] - xr[j] * r * sdx);
      }
      if (dw.p) {
        float* dwp = dw.p;
#pragma omp simd
        for (int64_t j = 0; j < C; j++) dwp[j] += dyr[j] * xr[j] * r;
      }
    }
    return undefinedValue(env);
  });
}

// Writes the softmax (or log-softmax) of one row of n values.
inline void softmaxRow(const float* x, float* y, int64_t n, bool log) {
  float mx = -INFINITY;
  for (int64_t j = 0; j < n; j++) mx = x[j] > mx ? x[j] : mx;
  float s = 0.0f;
  if (log) {
#pragma omp simd reduction(+ : s)
    for (int64_t j = 0; j < n; j++) s += fexp(x[j] - mx);
    float lse = mx + std::log(s);
#pragma omp simd
    for (int64_t j = 0; j < n; j++) y[j] = x[j] - lse;
  } else {
#pragma omp simd reduction(+ : s)
    for (int64_t j = 0; j < n; j++) {
      float e = fexp(x[j] - mx);
      y[j] = e;
      s += e;
    }
    float inv = 1.0f / s;
#pragma omp simd
    for (int64_t j = 0; j < n; j++) y[j] *= inv;
  }
}

// softmaxForward(x, y, rows, cols, log): softmax or log-softmax over the last axis.
napi_value SoftmaxForward(napi_env env, napi_callback_info info) {
  return guard(env, [&]() -> napi_value {
    Args<5> a(env, info);
    F32 x = a.f32(0, "x"), y = a.f32(1, "y");
    int64_t R = a.count(2, "rows"), n = a.count(3, "cols");
    bool log = a.flag(4);
    needLen(x, W(R) * n, "x");
    needLen(y, W(R) * n, "y");
    for (int64_t i = 0; i < R; i++) softmaxRow(x.p + i * n, y.p + i * n, n, log);
    return undefinedValue(env);
  });
}

// softmaxBackward(y, dy, dx, rows, cols, log): dx += the vector-Jacobian product of (log-)softmax.
napi_value SoftmaxBackward(napi_env env, napi_callback_info info) {
  return guard(env, [&]() -> napi_value {
    Args<6> a(env, info);
    F32 y = a.f32(0, "y"), dy = a.f32(1, "dy"), dx = a.f32(2, "dx");
    int64_t R = a.count(3, "rows"), n = a.count(4, "cols");
    bool log = a.flag(5);
    needLen(y, W(R) * n, "y");
    needLen(dy, W(R) * n, "dy");
    needLen(dx, W(R) * n, "dx");
    for (int64_t i = 0; i < R; i++) {
      const float* yr = y.p + i * n;
      const float* dyr = dy.p + i * n;
      float* dxr = dx.p + i * n;
      float s = 0.0f;
      if (log) {
#pragma omp simd reduction(+ : s)
        for (int64_t j = 0; j < n; j++) s += dyr[j];
#pragma omp simd
        for (int64_t j = 0; j < n; j++) dxr[j] += dyr[j] - fexp(yr[j]) * s;
      } else {
#pragma omp simd reduction(+ : s)
        for (int64_t j = 0; j < n; j++) s += dyr[j] * yr[j];
#pragma omp simd
        for (int64_t j = 0; j < n; j++) dxr[j] += yr[j] * (dyr[j] - s);
      }
    }
    return undefinedValue(env);
  });
}

// crossEntropyForward(logits, targets, N, V, ignoreIndex, probs, losses): probs = softmax(logits) (N,V);
// losses[i] = -log probs[i, targets[i]], or 0 where targets[i] == ignoreIndex.
napi_value CrossEntropyForward(napi_env env, napi_callback_info info) {
  return guard(env, [&]() -> napi_value {
    Args<7> a(env, info);
    F32 logits = a.f32(0, "logits");
    I32 targets = a.i32(1, "targets");
    int64_t N = a.count(2, "N"), V = a.count(3, "V"), ignore = a.int64(4, "ignoreIndex");
    F32 probs = a.f32(5, "probs"), losses = a.f32(6, "losses");
    needLen(logits, W(N) * V, "logits");
    needLen(targets, N, "targets");
    needLen(probs, W(N) * V, "probs");
    needLen(losses, N, "losses");
    for (int64_t i = 0; i < N; i++) {
      int64_t t = targets.p[i];
      if (t != ignore && (t < 0 || t >= V))
        fail("target " + std::to_string(t) + " at position " + std::to_string(i) + " is outside the vocabulary [0, " +
             std::to_string(V) + ")");
    }
    for (int64_t i = 0; i < N; i++) {
      const float* xr = logits.p + i * V;
      float* pr = probs.p + i * V;
      float mx = -INFINITY;
      for (int64_t j = 0; j < V; j++) mx = xr[j] > mx ? xr[j] : mx;
      float s = 0.0f;
#pragma omp simd reduction(+ : s)
      for (int64_t j = 0; j < V; j++) {
        float e = fexp(xr[j] - mx);
        pr[j] = e;
        s += e;
      }
      float inv = 1.0f / s;
#pragma omp simd
      for (int64_t j = 0; j < V; j++) pr[j] *= inv;
      int64_t t = targets.p[i];
      losses.p[i] = t == ignore ? 0.0f : std::log(s) - (xr[t] - mx);
    }
    return undefinedValue(env);
  });
}

// crossEntropyBackward(probs, targets, rowScale, dlogits, N, V, ignoreIndex):
// dlogits[i] += rowScale[i] (probs[i] - onehot(targets[i])), skipping ignored rows.
napi_value CrossEntropyBackward(napi_env env, napi_callback_info info) {
  return guard(env, [&]() -> napi_value {
    Args<7> a(env, info);
    F32 probs = a.f32(0, "probs");
    I32 targets = a.i32(1, "targets");
    F32 scale = a.f32(2, "rowScale"), dl = a.f32(3, "dlogits");
    int64_t N = a.count(4, "N"), V = a.count(5, "V"), ignore = a.int64(6, "ignoreIndex");
    needLen(probs, W(N) * V, "probs");
    needLen(targets, N, "targets");
    needLen(scale, N, "rowScale");
    needLen(dl, W(N) * V, "dlogits");
    for (int64_t i = 0; i < N; i++) {
      int64_t t = targets.p[i];
      if (t == ignore) continue;
      if (t < 0 || t >= V) fail("target " + std::to_string(t) + " is outside the vocabulary");
      float s = scale.p[i];
      const float* pr = probs.p + i * V;
      float* dr = dl.p + i * V;
#pragma omp simd
      for (int64_t j = 0; j < V; j++) dr[j] += s * pr[j];
      dr[t] -= s;
    }
    return undefinedValue(env);
  });
}

// Fails unless every id is a row of a V-row table.
void checkIds(const I32& ids, int64_t N, int64_t V) {
  for (int64_t i = 0; i < N; i++)
    if (ids.p[i] < 0 || ids.p[i] >= V)
      fail("token id " + std::to_string(ids.p[i]) + " at position " + std::to_string(i) +
           " is outside the embedding table of " + std::to_string(V) + " rows");
}

// embeddingForward(weight, ids, y, N, V, C): y[i] = weight[ids[i]]; weight (V,C), y (N,C).
napi_value EmbeddingForward(napi_env env, napi_callback_info info) {
  return guard(env, [&]() -> napi_value {
    Args<6> a(env, info);
    F32 w = a.f32(0, "weight");
    I32 ids = a.i32(1, "ids");
    F32 y = a.f32(2, "y");
    int64_t N = a.count(3, "N"), V = a.count(4, "V"), C = a.count(5, "C");
    needLen(w, W(V) * C, "weight");
    needLen(ids, N, "ids");
    needLen(y, W(N) * C, "y");
    checkIds(ids, N, V);
    for (int64_t i = 0; i < N; i++) std::memcpy(y.p + i * C, w.p + ids.p[i] * C, C * sizeof(float));
    return undefinedValue(env);
  });
}

// embeddingBackward(dy, ids, dweight, N, V, C): dweight[ids[i]] += dy[i].
napi_value EmbeddingBackward(napi_env env, napi_callback_info info) {
  return guard(env, [&]() -> napi_value {
    Args<6> a(env, info);
    F32 dy = a.f32(0, "dy");
    I32 ids = a.i32(1, "ids");
    F32 dw = a.f32(2, "dweight");
    int64_t N = a.count(3, "N"), V = a.count(4, "V"), C = a.count(5, "C");
    needLen(dy, W(N) * C, "dy");
    needLen(ids, N, "ids");
    needLen(dw, W(V) * C, "dweight");
    checkIds(ids, N, V);
    for (int64_t i = 0; i < N; i++) {
      float* dr = dw.p + ids.p[i] * C;
      const float* sr = dy.p + i * C;
#pragma omp simd
      for (int64_t j = 0; j < C; j++) dr[j] += sr[j];
    }
    return undefinedValue(env);
  });
}

// adamw(p, g, m, v, n, lr, beta1, beta2, eps, weightDecay, step): one AdamW step as in PyTorch
// (decoupled decay p *= 1 - lr wd, then p -= lr/bc1 m / (sqrt(v)/sqrt(bc2) + eps)).
napi_value AdamW(napi_env env, napi_callback_info info) {
  return guard(env, [&]() -> napi_value {
    Args<11> a(env, info);
    F32 p = a.f32(0, "param"), g = a.f32(1, "grad"), m = a.f32(2, "m"), v = a.f32(3, "v");
    int64_t n = a.count(4, "n");
    double lr = a.num(5, "lr"), b1 = a.num(6, "beta1"), b2 = a.num(7, "beta2"), eps = a.num(8, "eps"),
           wd = a.num(9, "weightDecay");
    int64_t step = a.count(10, "step");
    if (step < 1) fail("step must be at least 1");
    needLen(p, n, "param");
    needLen(g, n, "grad");
    needLen(m, n, "m");
    needLen(v, n, "v");
    const float decay = static_cast<float>(1.0 - lr * wd);
    const float stepSize = static_cast<float>(lr / (1.0 - std::pow(b1, step)));
    const float invSqrtBc2 = static_cast<float>(1.0 / std::sqrt(1.0 - std::pow(b2, step)));
    const float fb1 = static_cast<float>(b1), fb2 = static_cast<float>(b2), feps = static_cast<float>(eps);
    float *pp = p.p, *mp = m.p, *vp = v.p;
    const float* gp = g.p;
#pragma omp simd
    for (int64_t i = 0; i < n; i++) {
      float gi = gp[i];
      float mi = fb1 * mp[i] + (1.0f - fb1) * gi;
      float vi = fb2 * vp[i] + (1.0f - fb2) * gi * gi;
      mp[i] = mi;
      vp[i] = vi;
      pp[i] = pp[i] * decay - stepSize * mi / (std::sqrt(vi) * invSqrtBc2 + feps);
    }
    return undefinedValue(env);
  });
}

// addBroadcast(a, b, out, n, m, sign): out[i] = a[i] + sign b[i mod m]; m divides n.
napi_value AddBroadcast(napi_env env, napi_callback_info info) {
  return guard(env, [&]() -> napi_value {
    Args<6> a(env, info);
    F32 x = a.f32(0, "a"), y = a.f32(1, "b"), z = a.f32(2, "out");
    int64_t n = a.count(3, "n"), m = a.count(4, "m");
    float sign = static_cast<float>(a.num(5, "sign"));
    if (m == 0 ? n != 0 : n % m != 0) fail("broadcast block does not divide the output");
    needLen(x, n, "a");
    needLen(y, m, "b");
    needLen(z, n, "out");
    for (int64_t o = 0; o < n; o += m) {
      const float* xp = x.p + o;
      float* zp = z.p + o;
      const float* yp = y.p;
#pragma omp simd
      for (int64_t j = 0; j < m; j++) zp[j] = xp[j] + sign * yp[j];
    }
    return undefinedValue(env);
  });
}

// accumulateBroadcast(g, dst, n, m, sign): dst[i mod m] += sign g[i]; m divides n.
napi_value AccumulateBroadcast(napi_env env, napi_callback_info info) {
  return guard(env, [&]() -> napi_value {
    Args<5> a(env, info);
    F32 g = a.f32(0, "g"), d = a.f32(1, "dst");
    int64_t n = a.count(2, "n"), m = a.count(3, "m");
    float sign = static_cast<float>(a.num(4, "sign"));
    if (m == 0 ? n != 0 : n % m != 0) fail("broadcast block does not divide the gradient");
    needLen(g, n, "g");
    needLen(d, m, "dst");
    for (int64_t o = 0; o < n; o += m) {
      const float* gp = g.p + o;
      float* dp = d.p;
#pragma omp simd
      for (int64_t j = 0; j < m; j++) dp[j] += sign * gp[j];
    }
    return undefinedValue(env);
  });
}

// sumSquares(a, n): the sum of squares of the first n elements, accumulated in double.
napi_value SumSquares(napi_env env, napi_callback_info info) {
  return guard(env, [&]() -> napi_value {
    Args<2> a(env, info);
    F32 x = a.f32(0, "a");
    int64_t n = a.count(1, "n");
    needLen(x, n, "a");
    double total = 0.0;
    const int64_t block = 4096;
    for (int64_t o = 0; o < n; o += block) {
      float s = 0.0f;
      const int64_t e = o + block < n ? o + block : n;
      const float* p = x.p;
#pragma omp simd reduction(+ : s)
      for (int64_t i = o; i < e; i++) s += p[i] * p[i];
      total += s;
    }
    napi_value out;
    napi_create_double(env, total, &out);
    return out;
  });
}

// scaleInPlace(a, n, s): a[i] *= s.
napi_value ScaleInPlace(napi_env env, napi_callback_info info) {
  return guard(env, [&]() -> napi_value {
    Args<3> a(env, info);
    F32 x = a.f32(0, "a");
    int64_t n = a.count(1, "n");
    float s = static_cast<float>(a.num(2, "s"));
    needLen(x, n, "a");
    float* p = x.p;
#pragma omp simd
    for (int64_t i = 0; i < n; i++) p[i] *= s;
    return undefinedValue(env);
  });
}

}  // namespace

void registerPointwise(napi_env env, napi_value exports) {
  defineFunction(env, exports, "geluForward", GeluForward);
  defineFunction(env, exports, "geluBackward", GeluBackward);
  defineFunction(env, exports, "layernormForward", LayernormForward);
  defineFunction(env, exports, "layernormBackward", LayernormBackward);
  defineFunction(env, exports, "rmsnormForward", RmsnormForward);
  defineFunction(env, exports, "rmsnormBackward", RmsnormBackward);
  defineFunction(env, exports, "softmaxForward", SoftmaxForward);
  defineFunction(env, exports, "softmaxBackward", SoftmaxBackward);
  defineFunction(env, exports, "crossEntropyForward", CrossEntropyForward);
  defineFunction(env, exports, "crossEntropyBackward", CrossEntropyBackward);
  defineFunction(env, exports, "embeddingForward", EmbeddingForward);
  defineFunction(env, exports, "embeddingBackward", EmbeddingBackward);
  defineFunction(env, exports, "adamw", AdamW);
  defineFunction(env, exports, "addBroadcast", AddBroadcast);
  defineFunction(env, exports, "accumulateBroadcast", AccumulateBroadcast);
  defineFunction(env, exports, "sumSquares", SumSquares);
  defineFunction(env, exports, "scaleInPlace", ScaleInPlace);
}

}  // namespace lmkit
