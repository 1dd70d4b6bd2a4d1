// BLAS entry points: (batched, strided) sgemm (sgemv for one-row products) and the OpenBLAS configuration queries used by `doctor`.
#include <cblas.h>
#include <algorithm>
#include "napi_util.h"

namespace lmkit {
namespace {

// Elements a row-major rows x cols matrix with leading dimension ld spans, starting at its first element.
Wide span(int64_t rows, int64_t cols, int64_t ld, const char* name) {
  if (rows == 0 || cols == 0) return 0;
  if (ld < cols) fail(std::string("leading dimension of ") + name + " is smaller than its row length");
  return W(rows - 1) * ld + cols;
}

// gemm(transA, transB, M, N, K, alpha, A, aOff, lda, B, bOff, ldb, beta, C, cOff, ldc, batch, sA, sB, sC)
// For each b < batch: C_b = alpha op(A_b) op(B_b) + beta C_b, op(A_b) is M x K, op(B_b) is K x N, C_b is M x N,
// X_b starts at xOff + b * sX.
napi_value Gemm(napi_env env, napi_callback_info info) {
  return guard(env, [&]() -> napi_value {
    Args<20> a(env, info);
    bool ta = a.flag(0), tb = a.flag(1);
    int64_t M = a.count(2, "M"), N = a.count(3, "N"), K = a.count(4, "K");
    float alpha = static_cast<float>(a.num(5, "alpha"));
    F32 A = a.f32(6, "A");
    int64_t aOff = a.count(7, "aOff"), lda = a.count(8, "lda");
    F32 B = a.f32(9, "B");
    int64_t bOff = a.count(10, "bOff"), ldb = a.count(11, "ldb");
    float beta = static_cast<float>(a.num(12, "beta"));
    F32 C = a.f32(13, "C");
    int64_t cOff = a.count(14, "cOff"), ldc = a.count(15, "ldc");
    int64_t batch = a.count(16, "batch"), sA = a.count(17, "strideA"), sB = a.count(18, "strideB"),
            sC = a.count(19, "strideC");
    if (batch == 0 || M == 0 || N == 0) return undefinedValue(env);
    Wide spanA = ta ? span(K, M, lda, "A") : span(M, K, lda, "A");
    Wide spanB = tb ? span(N, K, ldb, "B") : span(K, N, ldb, "B");
    Wide spanC = span(M, N, ldc, "C");
    if (K > 0) {
      needLen(A, W(aOff) + W(batch - 1) * sA + spanA, "A");
      needLen(B, W(bOff) + W(batch - 1) * sB + spanB, "B");
    }
    needLen(C, W(cOff) + W(batch - 1) * sC + spanC, "C");
    if (M > INT32_MAX || N > INT32_MAX || K > INT32_MAX) fail("matrix dimension too large for BLAS");
    if (K == 0) lda = ta ? (M > 0 ? M : 1) : 1, ldb = tb ? 1 : (N > 0 ? N : 1);
    for (int64_t b = 0; b < batch; b++) {
      if (M == 1 && K > 0) {
        // One row (a decoding step): sgemv, since OpenBLAS 0.3.21 packs the whole B for a 1-row sgemm.
        float* c = C.p + cOff + b * sC;
        if (beta == 0.0f) std::fill(c, c + N, 0.0f);  // beta 0 must not read what C held (NaN · 0)
        const float* x = A.p + aOff + b * sA;
        int incx = ta ? (int)lda : 1;
        cblas_sgemv(CblasRowMajor, tb ? CblasNoTrans : CblasTrans, tb ? (int)N : (int)K, tb ? (int)K : (int)N,
                    alpha, B.p + bOff + b * sB, (int)ldb, x, incx, beta, c, 1);
        continue;
      }
      cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, (int)M, (int)N,
                  (int)K, alpha, A.p + aOff + b * sA, (int)lda, B.p + bOff + b * sB, (int)ldb, beta,
                  C.p + cOff + b * sC, (int)ldc);
    }
    return undefinedValue(env);
  });
}

// info() -> { config, corename, threads, procs, parallel }: what OpenBLAS says about itself.
napi_value Info(napi_env env, napi_callback_info) {
  napi_value obj, v;
  napi_create_object(env, &obj);
  napi_create_string_utf8(env, openblas_get_config(), NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, obj, "config", v);
  napi_create_string_utf8(env, openblas_get_corename(), NAPI_AUTO_LENGTH, &v);
  napi_set_named_property(env, obj, "corename", v);
  napi_create_int32(env, openblas_get_num_threads(), &v);
  napi_set_named_property(env, obj, "threads", v);
  napi_create_int32(env, openblas_get_num_procs(), &v);
  napi_set_named_property(env, obj, "procs", v);
  napi_create_int32(env, openblas_get_parallel(), &v);
  napi_set_named_property(env, obj, "parallel", v);
  return obj;
}

// setThreads(n): the number of threads OpenBLAS uses from now on.
napi_value SetThreads(napi_env env, napi_callback_info info) {
  return guard(env, [&]() -> napi_value {
    Args<1> a(env, info);
    int64_t n = a.count(0, "threads");
    if (n < 1 || n > 1024) fail("threads must be between 1 and 1024");
    openblas_set_num_threads(static_cast<int>(n));
    return undefinedValue(env);
  });
}

}  // namespace

void registerBlas(napi_env env, napi_value exports) {
  defineFunction(env, exports, "gemm", Gemm);
  defineFunction(env, exports, "info", Info);
  defineFunction(env, exports, "setThreads", SetThreads);
}

}  // namespace lmkit
