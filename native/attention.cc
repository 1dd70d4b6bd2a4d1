// Fused causal multi-head self-attention over a packed qkv tensor, forward and backward, with the
// score and value products done by cblas_sgemm per (batch, head) and a masked softmax in between.
#include <cblas.h>
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
        // P = scale q k^T  (T,T)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, it, it, ihs, scale, q, ld3, k, ld3, 0.0f, P, it);
        for (int64_t i = 0; i < T; i++) {
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
        // y_h = P v  (T,hs)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, it, ihs, it, 1.0f, P, it, v, ld3, 0.0f,
                    y.p + b * T * C + h * hs, ldc);
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
    std::vector<float> dP(T * T);
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
        // dP = dy_h v^T (T,T); dv += P^T dy_h (T,hs)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, it, it, ihs, 1.0f, dyh, ldc, v, ld3, 0.0f, dP.data(), it);
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, it, ihs, it, 1.0f, P, it, dyh, ldc, 1.0f, dv, ld3);
        // dS = P * (dP - rowsum(P * dP)), zero above the diagonal
        for (int64_t i = 0; i < T; i++) {
          const float* pr = P + i * T;
          float* dr = dP.data() + i * T;
          float s = 0.0f;
#pragma omp simd reduction(+ : s)
          for (int64_t j = 0; j <= i; j++) s += pr[j] * dr[j];
#pragma omp simd
          for (int64_t j = 0; j <= i; j++) dr[j] = pr[j] * (dr[j] - s);
          for (int64_t j = i + 1; j < T; j++) dr[j] = 0.0f;
        }
        // dq += scale dS k; dk += scale dS^T q
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, it, ihs, it, scale, dP.data(), it, k, ld3, 1.0f, dq, ld3);
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, it, ihs, it, scale, dP.data(), it, q, ld3, 1.0f, dk, ld3);
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
