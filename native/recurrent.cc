// Fused element-wise parts of the LSTM and GRU cells (gate nonlinearities and state update) in PyTorch's
// gate order; the input and hidden projections are ordinary matmuls done before these kernels.
#include "fastmath.h"
#include "napi_util.h"

namespace lmkit {
namespace {

inline float sigm(float x) { return 1.0f / (1.0f + fexp(-x)); }

// lstmCellForward(gates, c, act, cNext, tanhC, hNext, N, H): gates (N,4H) pre-activations i|f|g|o;
// act (N,4H) the activated gates; cNext = f c + i g; tanhC = tanh(cNext); hNext = o tanhC, all (N,H).
napi_value LstmCellForward(napi_env env, napi_callback_info info) {
  return guard(env, [&]() -> napi_value {
    Args<8> a(env, info);
    F32 gates = a.f32(0, "gates"), c = a.f32(1, "c"), act = a.f32(2, "act"), cn = a.f32(3, "cNext"),
        tc = a.f32(4, "tanhC"), hn = a.f32(5, "hNext");
    int64_t N = a.count(6, "N"), H = a.count(7, "H");
    needLen(gates, W(N) * 4 * H, "gates");
    needLen(act, W(N) * 4 * H, "act");
    needLen(c, W(N) * H, "c");
    needLen(cn, W(N) * H, "cNext");
    needLen(tc, W(N) * H, "tanhC");
    needLen(hn, W(N) * H, "hNext");
    for (int64_t r = 0; r < N; r++) {
      const float* g = gates.p + r * 4 * H;
      float* ac = act.p + r * 4 * H;
#pragma omp simd
      for (int64_t j = 0; j < H; j++) {
        float ig = sigm(g[j]), fg = sigm(g[H + j]), gg = ftanh(g[2 * H + j]), og = sigm(g[3 * H + j]);
        ac[j] = ig;
        ac[H + j] = fg;
        ac[2 * H + j] = gg;
        ac[3 * H + j] = og;
        float cv = fg * c.p[r * H + j] + ig * gg;
        float t = ftanh(cv);
        cn.p[r * H + j] = cv;
        tc.p[r * H + j] = t;
        hn.p[r * H + j] = og * t;
      }
    }
    return undefinedValue(env);
  });
}

// lstmCellBackward(act, c, tanhC, dh|null, dc|null, dgates, dcPrev|null, N, H): accumulates into dgates
// (pre-activation gradients, (N,4H)) and dcPrev (N,H).
napi_value LstmCellBackward(napi_env env, napi_callback_info info) {
  return guard(env, [&]() -> napi_value {
    Args<9> a(env, info);
    F32 act = a.f32(0, "act"), c = a.f32(1, "c"), tc = a.f32(2, "tanhC"), dh = a.f32OrNull(3, "dh"),
        dc = a.f32OrNull(4, "dc"), dg = a.f32(5, "dgates"), dcp = a.f32OrNull(6, "dcPrev");
    int64_t N = a.count(7, "N"), H = a.count(8, "H");
    needLen(act, W(N) * 4 * H, "act");
    needLen(dg, W(N) * 4 * H, "dgates");
    needLen(c, W(N) * H, "c");
    needLen(tc, W(N) * H, "tanhC");
    if (dh.p) needLen(dh, W(N) * H, "dh");
    if (dc.p) needLen(dc, W(N) * H, "dc");
    if (dcp.p) needLen(dcp, W(N) * H, "dcPrev");
    for (int64_t r = 0; r < N; r++) {
      const float* ac = act.p + r * 4 * H;
      float* d = dg.p + r * 4 * H;
      for (int64_t j = 0; j < H; j++) {
        int64_t k = r * H + j;
        float ig = ac[j], fg = ac[H + j], gg = ac[2 * H + j], og = ac[3 * H + j], t = tc.p[k];
        float dhv = dh.p ? dh.p[k] : 0.0f;
        float dcn = (dc.p ? dc.p[k] : 0.0f) + dhv * og * (1.0f - t * t);
        d[j] += dcn * gg * ig * (1.0f - ig);
        d[H + j] += dcn * c.p[k] * fg * (1.0f - fg);
        d[2 * H + j] += dcn * ig * (1.0f - gg * gg);
        d[3 * H + j] += dhv * t * og * (1.0f - og);
        if (dcp.p) dcp.p[k] += dcn * fg;
      }
    }
    return undefinedValue(env);
  });
}

// gruCellForward(gi, gh, h, act, hNext, N, H): gi = x W_ih^T + b_ih and gh = h W_hh^T + b_hh, both (N,3H)
// in r|z|n order; act (N,3H) receives r|z|n; hNext = (1 - z) n + z h with n = tanh(gi_n + r gh_n).
napi_value GruCellForward(napi_env env, napi_callback_info info) {
  return guard(env, [&]() -> napi_value {
    Args<7> a(env, info);
    F32 gi = a.f32(0, "gi"), gh = a.f32(1, "gh"), h = a.f32(2, "h"), act = a.f32(3, "act"),
        hn = a.f32(4, "hNext");
    int64_t N = a.count(5, "N"), H = a.count(6, "H");
    needLen(gi, W(N) * 3 * H, "gi");
    needLen(gh, W(N) * 3 * H, "gh");
    needLen(act, W(N) * 3 * H, "act");
    needLen(h, W(N) * H, "h");
    needLen(hn, W(N) * H, "hNext");
    for (int64_t r = 0; r < N; r++) {
      const float* x = gi.p + r * 3 * H;
      const float* y = gh.p + r * 3 * H;
      float* ac = act.p + r * 3 * H;
#pragma omp simd
      for (int64_t j = 0; j < H; j++) {
        float rg = sigm(x[j] + y[j]), zg = sigm(x[H + j] + y[H + j]);
        float ng = ftanh(x[2 * H + j] + rg * y[2 * H + j]);
        ac[j] = rg;
        ac[H + j] = zg;
        ac[2 * H + j] = ng;
        hn.p[r * H + j] = (1.0f - zg) * ng + zg * h.p[r * H + j];
      }
    }
    return undefinedValue(env);
  });
}

// gruCellBackward(gh, h, act, dhNext, dgi|null, dgh|null, dh|null, N, H): accumulates the gradients.
napi_value GruCellBackward(napi_env env, napi_callback_info info) {
  return guard(env, [&]() -> napi_value {
    Args<9> a(env, info);
    F32 gh = a.f32(0, "gh"), h = a.f32(1, "h"), act = a.f32(2, "act"), dhn = a.f32(3, "dhNext"),
        dgi = a.f32OrNull(4, "dgi"), dgh = a.f32OrNull(5, "dgh"), dh = a.f32OrNull(6, "dh");
    int64_t N = a.count(7, "N"), H = a.count(8, "H");
    needLen(gh, W(N) * 3 * H, "gh");
    needLen(act, W(N) * 3 * H, "act");
    needLen(h, W(N) * H, "h");
    needLen(dhn, W(N) * H, "dhNext");
    if (dgi.p) needLen(dgi, W(N) * 3 * H, "dgi");
    if (dgh.p) needLen(dgh, W(N) * 3 * H, "dgh");
    if (dh.p) needLen(dh, W(N) * H, "dh");
    for (int64_t r = 0; r < N; r++) {
      const float* ac = act.p + r * 3 * H;
      const float* y = gh.p + r * 3 * H;
      for (int64_t j = 0; j < H; j++) {
        int64_t k = r * H + j;
        float rg = ac[j], zg = ac[H + j], ng = ac[2 * H + j], d = dhn.p[k];
        float dnp = d * (1.0f - zg) * (1.0f - ng * ng);
        float dzp = d * (h.p[k] - ng) * zg * (1.0f - zg);
        float drp = dnp * y[2 * H + j] * rg * (1.0f - rg);
        if (dgi.p) {
          float* o = dgi.p + r * 3 * H;
          o[j] += drp;
          o[H + j] += dzp;
          o[2 * H + j] += dnp;
        }
        if (dgh.p) {
          float* o = dgh.p + r * 3 * H;
          o[j] += drp;
          o[H + j] += dzp;
          o[2 * H + j] += dnp * rg;
        }
        if (dh.p) dh.p[k] += d * zg;
      }
    }
    return undefinedValue(env);
  });
}

}  // namespace

void registerRecurrent(napi_env env, napi_value exports) {
  defineFunction(env, exports, "lstmCellForward", LstmCellForward);
  defineFunction(env, exports, "lstmCellBackward", LstmCellBackward);
  defineFunction(env, exports, "gruCellForward", GruCellForward);
  defineFunction(env, exports, "gruCellBackward", GruCellBackward);
}

}  // namespace lmkit
