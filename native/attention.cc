// Fused causal multi-head self-attention over a packed qkv tensor, forward and backward, with the
// score and value products done by cblas_sgemm per (batch, head) and a masked softmax in between.
#include <cblas.h>
#include <algorithm>
#include <cmath>
#include <vector>
#include "fastmath.h"
#include "napi_util.h"

namespace lmkit {
namespace {

struct Dims {
  int64_t B, T, C, H, hs;
};

template <size_t K>
Dims readDims(const Args<K>& a, int first) {
  Dims d{a.count(first, "B"), a.count(first + 1, "T"), a.count(first + 2, "C"), a.count(first + 3, "H"), 0};
  if (d.H == 0 || d.C % d.H != 0) fail("n_embd " + std::to_string(d.C) + " is not divisible by n_head " + std::to_string(d.H));
  d.hs = d.C / d.H;
  if (d.T > INT32_MAX || d.C > INT32_MAX) fail("attention dimensions too large");
  return d;
}

// Rows and columns are processed in blocks of kBlock: row block r only needs key columns [0, end of r),
// so the score and value products skip the blocks above the diagonal.
constexpr int64_t kBlock = 32;

// attentionForward(qkv, y, att, B, T, C, H): qkv (B,T,3C) holds q|k|v; y (B,T,C); att (B,H,T,T) receives
// the causal attention probabilities (zero above the diagonal) for the backward pass.
napi_value AttentionForward(napi_env env, napi_callback_info info) {
  return guard(env, [&]() -> napi_value {
    Args<7> a(env, info);
    F32 qkv = a.f32(0, "qkv"), y = a.f32(1, "y"), att = a.f32(2, "att");
    Dims d = readDims(a, 3);
    const int64_t B = d.B, T = d.T, C = d.C, H = d.H, hs = d.hs;
    needLen(qkv, W(B) * T * 3 * C, "qkv");
    needLen(y, W(B) * T * C, "y");
    needLen(att, W(B) * H * T * T, "att");
    const float scale = 1.0f / std::sqrt(static_cast<float>(hs));
    const int it = (int)T, ihs = (int)hs, ld3 = (int)(3 * C), ldc = (int)C;
    for (int64_t b = 0; b < B; b++) {
      for (int64_t h = 0; h < H; h++) {
        const float* q = qkv.p + b * T * 3 * C + h * hs;
        const float* k = q + C;
        const float* v = q + 2 * C;
        float* P = att.p + (b * H + h) * T * T;
        float* yh = y.p + b * T * C + h * hs;
        for (int64_t r0 = 0; r0 < T; r0 += kBlock) {
          const int rn = (int)std::min(kBlock, T - r0), cend = (int)(r0 + rn);
          // P[r0:r0+rn, 0:cend] = scale q[r0:r0+rn] k[0:cend]^T
          cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rn, cend, ihs, scale, q + r0 * ld3, ld3, k, ld3, 0.0f,
                      P + r0 * T, it);
          for (int64_t i = r0; i < r0 + rn; i++) {
            float* row = P + i * T;
            float mx = -INFINITY;
            for (int64_t j = 0; j <= i; j++) mx = row[j] > mx ? row[j] : mx;
            float s = 0.0f;
#pragma omp simd reduction(+ : s)
            for (int64_t j = 0; j <= i; j++) {
              float e = fexp(row[j] - mx);
              row[j] = e;
              s += e;
            }
            float inv = 1.0f / s;
#pragma omp simd
            for (int64_t j = 0; j <= i; j++) row[j] *= inv;
            for (int64_t j = i + 1; j < T; j++) row[j] = 0.0f;
          }
          // y[r0:r0+rn] = P[r0:r0+rn, 0:cend] v[0:cend]
          cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, rn, ihs, cend, 1.0f, P + r0 * T, it, v, ld3, 0.0f,
                      yh + r0 * C, ldc);
        }
      }
    }
    return undefinedValue(env);
  });
}

// attentionBackward(dy, qkv, att, dqkv, B, T, C, H): dqkv += the gradient of attentionForward.
napi_value AttentionBackward(napi_env env, napi_callback_info info) {
  return guard(env, [&]() -> napi_value {
    Args<8> a(env, info);
    F32 dy = a.f32(0, "dy"), qkv = a.f32(1, "qkv"), att = a.f32(2, "att");
    Dims d = readDims(a, 4);
    F32 dqkv = a.f32(3, "dqkv");
    const int64_t B = d.B, T = d.T, C = d.C, H = d.H, hs = d.hs;
    needLen(dy, W(B) * T * C, "dy");
    needLen(qkv, W(B) * T * 3 * C, "qkv");
    needLen(att, W(B) * H * T * T, "att");
    needLen(dqkv, W(B) * T * 3 * C, "dqkv");
    const float scale = 1.0f / std::sqrt(static_cast<float>(hs));
    const int it = (int)T, ihs = (int)hs, ld3 = (int)(3 * C), ldc = (int)C;
    std::vector<float> dS(T * T);
    float* dP = dS.data();
    for (int64_t b = 0; b < B; b++) {
      for (int64_t h = 0; h < H; h++) {
        const int64_t base = b * T * 3 * C + h * hs;
        const float* q = qkv.p + base;
        const float* k = q + C;
        const float* v = q + 2 * C;
        float* dq = dqkv.p + base;
        float* dk = dq + C;
        float* dv = dq + 2 * C;
        const float* P = att.p + (b * H + h) * T * T;
        const float* dyh = dy.p + b * T * C + h * hs;
        for (int64_t r0 = 0; r0 < T; r0 += kBlock) {
          const int rn = (int)std::min(kBlock, T - r0), cend = (int)(r0 + rn);
          // dP[r0:r0+rn, 0:cend] = dy[r0:r0+rn] v[0:cend]^T
          cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, rn, cend, ihs, 1.0f, dyh + r0 * C, ldc, v, ld3, 0.0f,
                      dP + r0 * T, it);
          // dS = P * (dP - rowsum(P * dP)), zero above the diagonal
          for (int64_t i = r0; i < r0 + rn; i++) {
            const float* pr = P + i * T;
            float* dr = dP + i * T;
            float s = 0.0f;
#pragma omp simd reduction(+ : s)
            for (int64_t j = 0; j <= i; j++) s += pr[j] * dr[j];
#pragma omp simd
            for (int64_t j = 0; j <= i; j++) dr[j] = pr[j] * (dr[j] - s);
            for (int64_t j = i + 1; j < cend; j++) dr[j] = 0.0f;
          }
          // dq[r0:r0+rn] += scale dS[r0:r0+rn, 0:cend] k[0:cend]
          cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, rn, ihs, cend, scale, dP + r0 * T, it, k, ld3, 1.0f,
                      dq + r0 * ld3, ld3);
        }
        for (int64_t c0 = 0; c0 < T; c0 += kBlock) {
          const int cn = (int)std::min(kBlock, T - c0), rows = (int)(T - c0);
          // dv[c0:c0+cn] += P[c0:T, c0:c0+cn]^T dy[c0:T]; dk[c0:c0+cn] += scale dS[c0:T, c0:c0+cn]^T q[c0:T]
          cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, cn, ihs, rows, 1.0f, P + c0 * T + c0, it, dyh + c0 * C,
                      ldc, 1.0f, dv + c0 * ld3, ld3);
          cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, cn, ihs, rows, scale, dP + c0 * T + c0, it,
                      q + c0 * ld3, ld3, 1.0f, dk + c0 * ld3, ld3);
        }
      }
    }
    return undefinedValue(env);
  });
}

}  // namespace

void registerAttention(napi_env env, napi_value exports) {
  defineFunction(env, exports, "attentionForward", AttentionForward);
  defineFunction(env, exports, "attentionBackward", AttentionBackward);
}

}  // namespace lmkit
