// BLAS entry points: (batched, strided) sgemm (sgemv for one-row products) and the OpenBLAS configuration queries used by `doctor`.
#include <cblas.h>
#ifdef __AVX__
#include <immintrin.h>
#endif
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

// Eight floats in a register (AVX on x86-64 with -march=native; the compiler splits it where narrower),
// and the same read from any float's address (one unaligned load).
typedef float v8 __attribute__((vector_size(32)));
typedef float v8u __attribute__((vector_size(32), aligned(4), may_alias));

// v8 from 8 floats anywhere in memory.
inline v8 load8(const float* p) { return *reinterpret_cast<const v8u*>(p); }

// The MB x NB dot products of rows a[0..MB) (stride lda) with rows b[0..NB) (stride ldb), K long, in one
// pass over k: every b row loaded once serves MB rows of a.
template <int MB, int NB>
void dotBlock(int K, const float* a, int lda, const float* b, int ldb, float out[MB][NB]) {
  v8 acc[MB][NB] = {};
  int k = 0;
  for (; k + 8 <= K; k += 8) {
    v8 bv[NB], av[MB];
    for (int j = 0; j < NB; j++) bv[j] = load8(b + j * ldb + k);
    for (int i = 0; i < MB; i++) av[i] = load8(a + i * lda + k);
    for (int i = 0; i < MB; i++)
      for (int j = 0; j < NB; j++) acc[i][j] += av[i] * bv[j];
  }
  for (int i = 0; i < MB; i++) {
#ifdef __AVX__
    if constexpr (NB == 4) {
      // the four sums of row i at once: pairwise adds within each half, then the two halves
      __m256 t = _mm256_hadd_ps(_mm256_hadd_ps((__m256)acc[i][0], (__m256)acc[i][1]),
                                _mm256_hadd_ps((__m256)acc[i][2], (__m256)acc[i][3]));
      _mm_storeu_ps(out[i], _mm_add_ps(_mm256_castps256_ps128(t), _mm256_extractf128_ps(t, 1)));
    } else
#endif
      for (int j = 0; j < NB; j++) {
        float s = 0;
        for (int l = 0; l < 8; l++) s += acc[i][j][l];
        out[i][j] = s;
      }
    for (int j = 0; j < NB; j++)
      for (int kk = k; kk < K; kk++) out[i][j] += a[i * lda + kk] * b[j * ldb + kk];
  }
}

// C (M x N) = alpha A (M x K) B^T + beta C with B stored (N x K): a decoding batch's rows times a Linear
// layer's weight. OpenBLAS 0.3.21 packs all of B for every sgemm, which for a few rows costs more than
// the product, so a few rows take this path instead: B streamed once, in blocks of 4 rows, 4 rows of A
// at a time (16 sums in registers).
void fewRowsNT(int M, int N, int K, float alpha, const float* A, int lda, const float* B, int ldb, float beta,
               float* C, int ldc) {
  auto put = [&](int m, int n, float v) {
    float* c = C + (int64_t)m * ldc + n;
    *c = alpha * v + (beta == 0.0f ? 0.0f : beta * *c);  // beta 0 must not read what C held (NaN · 0)
  };
  int n = 0;
  for (; n + 4 <= N; n += 4) {
    const float* b = B + (int64_t)n * ldb;
    int m = 0;
    for (; m + 4 <= M; m += 4) {
      float out[4][4];
      dotBlock<4, 4>(K, A + (int64_t)m * lda, lda, b, ldb, out);
      for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++) put(m + i, n + j, out[i][j]);
    }
    if (m + 2 <= M) {
      float out[2][4];
      dotBlock<2, 4>(K, A + (int64_t)m * lda, lda, b, ldb, out);
      for (int i = 0; i < 2; i++)
        for (int j = 0; j < 4; j++) put(m + i, n + j, out[i][j]);
      m += 2;
    }
    if (m < M) {
      float out[1][4];
      dotBlock<1, 4>(K, A + (int64_t)m * lda, lda, b, ldb, out);
      for (int j = 0; j < 4; j++) put(m, n + j, out[0][j]);
    }
  }
  for (; n < N; n++)
    for (int m = 0; m < M; m++) {
      float out[1][1];
      dotBlock<1, 1>(K, A + (int64_t)m * lda, lda, B + (int64_t)n * ldb, ldb, out);
      put(m, n, out[0][0]);
    }
}

// Rows up to which fewRowsNT runs instead of sgemm (a decoding batch; bench/engine/few-rows.ts times both).
constexpr int64_t FEW_ROWS = 8;

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
      if (!ta && tb && M <= FEW_ROWS && K > 0) {
        fewRowsNT((int)M, (int)N, (int)K, alpha, A.p + aOff + b * sA, (int)lda, B.p + bOff + b * sB, (int)ldb, beta,
                  C.p + cOff + b * sC, (int)ldc);
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
