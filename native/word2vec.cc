// The word2vec inner loop (skip-gram / CBOW, negative sampling / hierarchical softmax) on Hogwild threads,
// as word2vec.c and gensim run it: threads share the weight arrays without locks, each training its own
// run of sentences. Step for step the same as src/embed/kernel-ref.ts (the reference, which documents
// the algorithm), drawing the same random numbers from the same per-sentence seeds.
// Legend: V = vocabulary size, D = vector size; syn0 (V,D), syn1neg (V,D), syn1 (V-1,D).
#include <algorithm>
#include <atomic>
#include <cmath>
#include <thread>
#include <vector>
#include "fastmath.h"
#include "napi_util.h"

namespace lmkit {
namespace {

struct Params {
  float* syn0;
  float* syn1neg;
  float* syn1;
  const uint32_t* noise;
  int64_t V;
  const uint32_t* keep;
  const int32_t* hOffsets;
  const int32_t* hCodes;
  const int32_t* hPoints;
  const int32_t* ids;
  const int32_t* starts;
  int D, window, negative;
  bool hs, sg, computeLoss;
  double alpha, minAlpha, totalWords;
  uint32_t seed;
  int64_t epoch;
  double wordsBefore;
};

struct Totals {
  double words = 0, loss = 0, targets = 0;
};

inline uint32_t sentenceSeed(uint32_t seed, int64_t epoch, int64_t sentence) {
  uint32_t x = seed ^ (static_cast<uint32_t>(epoch + 1) * 0x9e3779b9u) ^ (static_cast<uint32_t>(sentence + 1) * 0x85ebca6bu);
  x = (x ^ (x >> 16)) * 0x7feb352du;
  x = (x ^ (x >> 15)) * 0x846ca68bu;
  x = x ^ (x >> 16);
  return x ? x : 1;
}

inline uint32_t xorshift(uint32_t& r) {
  r ^= r << 13;
  r ^= r >> 17;
  r ^= r << 5;
  return r;
}

// A noise word from the alias table (2V uint32s: thresholds, then aliases), as drawNoise in sampling-tables.ts.
inline int32_t drawNoise(const uint32_t* table, int64_t V, uint32_t r1, uint32_t r2) {
  const uint32_t k = r1 % static_cast<uint32_t>(V);
  const uint32_t t = table[k];
  return static_cast<int32_t>(t == 0xffffffffu || r2 < t ? k : table[V + k]);
}

inline double logisticLoss(int label, float f) {
  double z = label ? -f : f;
  return z > 0 ? z + std::log1p(std::exp(-z)) : std::log1p(std::exp(z));
}

// One logistic target: f = h·u; g = α (y − σ(f)); neu1e += g u; u += g h (see logisticStep in kernel-ref.ts).
inline double logisticStep(const float* __restrict h, float* __restrict u, int label, float alpha,
                           float* __restrict neu1e, int D, bool withLoss) {
  float f = 0;
#pragma omp simd reduction(+ : f)
  for (int d = 0; d < D; d++) f += h[d] * u[d];
  float g = (static_cast<float>(label) - 1.0f / (1.0f + fexp(-f))) * alpha;
#pragma omp simd
  for (int d = 0; d < D; d++) neu1e[d] += g * u[d];
#pragma omp simd
  for (int d = 0; d < D; d++) u[d] += g * h[d];
  return withLoss ? logisticLoss(label, f) : 0.0;
}

// Trains sentences [s0, s1); `done` counts the words trained by every thread of this call.
void trainRange(const Params& p, int64_t s0, int64_t s1, std::atomic<int64_t>& done, Totals& t) {
  const int D = p.D;
  std::vector<float> neu1(D), neu1e(D);
  int64_t longest = 0;
  for (int64_t s = s0; s < s1; s++) longest = std::max<int64_t>(longest, p.starts[s + 1] - p.starts[s]);
  std::vector<int32_t> sen(longest);
  double loss = 0, targets = 0;

  for (int64_t s = s0; s < s1; s++) {
    const int64_t a = p.starts[s], b = p.starts[s + 1];
    const double progress = (p.wordsBefore + static_cast<double>(done.load(std::memory_order_relaxed))) / p.totalWords;
    const float alpha = static_cast<float>(std::max(p.minAlpha, p.alpha - (p.alpha - p.minAlpha) * progress));
    uint32_t r = sentenceSeed(p.seed, p.epoch, s);
    int64_t n = 0;
    for (int64_t k = a; k < b; k++) {
      const int32_t w = p.ids[k];
      const uint32_t th = p.keep[w];
      if (th == 0xffffffffu || xorshift(r) < th) sen[n++] = w;
    }
    done.fetch_add(b - a, std::memory_order_relaxed);

    auto predict = [&](const float* h, int32_t centre) {
      if (p.hs) {
        for (int32_t k = p.hOffsets[centre]; k < p.hOffsets[centre + 1]; k++) {
          loss += logisticStep(h, p.syn1 + static_cast<int64_t>(p.hPoints[k]) * D, 1 - p.hCodes[k], alpha,
                               neu1e.data(), D, p.computeLoss);
          targets++;
        }
      }
      for (int d = 0; d <= p.negative && p.negative > 0; d++) {
        int32_t target = centre;
        int label = 1;
        if (d > 0) {
          {
            const uint32_t r1 = xorshift(r);
            target = drawNoise(p.noise, p.V, r1, xorshift(r));
          }
          if (target == centre) continue;
          label = 0;
        }
        loss += logisticStep(h, p.syn1neg + static_cast<int64_t>(target) * D, label, alpha, neu1e.data(), D,
                             p.computeLoss);
        targets++;
      }
    };

    for (int64_t i = 0; i < n; i++) {
      const int64_t reduced = p.window - static_cast<int64_t>(xorshift(r) % static_cast<uint32_t>(p.window));
      const int64_t lo = std::max<int64_t>(0, i - reduced), hi = std::min<int64_t>(n - 1, i + reduced);
      const int32_t centre = sen[i];
      if (p.sg) {
        for (int64_t j = lo; j <= hi; j++) {
          if (j == i) continue;
          float* c = p.syn0 + static_cast<int64_t>(sen[j]) * D;
          std::fill(neu1e.begin(), neu1e.end(), 0.0f);
          predict(c, centre);
#pragma omp simd
          for (int d = 0; d < D; d++) c[d] += neu1e[d];
        }
      } else {
        std::fill(neu1.begin(), neu1.end(), 0.0f);
        int cw = 0;
        for (int64_t j = lo; j <= hi; j++) {
          if (j == i) continue;
          const float* c = p.syn0 + static_cast<int64_t>(sen[j]) * D;
#pragma omp simd
          for (int d = 0; d < D; d++) neu1[d] += c[d];
          cw++;
        }
        if (!cw) continue;
        for (int d = 0; d < D; d++) neu1[d] /= static_cast<float>(cw);
        std::fill(neu1e.begin(), neu1e.end(), 0.0f);
        predict(neu1.data(), centre);
        for (int64_t j = lo; j <= hi; j++) {
          if (j == i) continue;
          float* c = p.syn0 + static_cast<int64_t>(sen[j]) * D;
#pragma omp simd
          for (int d = 0; d < D; d++) c[d] += neu1e[d];
        }
      }
    }
  }
  t.loss = loss;
  t.targets = targets;
}

// word2vecTrain(syn0, syn1neg|null, syn1|null, noise, keep, hOffsets, hCodes, hPoints, ids, starts,
//   D, window, negative, hs, sg, alpha, minAlpha, totalWords, seed, computeLoss, epoch, s0, s1,
//   wordsBefore, threads) -> {words, loss, targets}. noise and keep are Uint32Arrays passed as Int32Array
// views. Sentences [s0, s1) are split among `threads` Hogwild threads by word count.
napi_value Word2VecTrain(napi_env env, napi_callback_info info) {
  return guard(env, [&]() -> napi_value {
    Args<25> a(env, info);
    F32 syn0 = a.f32(0, "syn0"), syn1neg = a.f32OrNull(1, "syn1neg"), syn1 = a.f32OrNull(2, "syn1");
    I32 noise = a.i32(3, "noise"), keep = a.i32(4, "keep"), hOff = a.i32(5, "hOffsets"), hCodes = a.i32(6, "hCodes"),
        hPoints = a.i32(7, "hPoints"), ids = a.i32(8, "ids"), starts = a.i32(9, "starts");
    Params p;
    p.D = static_cast<int>(a.count(10, "D"));
    p.window = static_cast<int>(a.count(11, "window"));
    p.negative = static_cast<int>(a.count(12, "negative"));
    p.hs = a.flag(13);
    p.sg = a.flag(14);
    p.alpha = a.num(15, "alpha");
    p.minAlpha = a.num(16, "minAlpha");
    p.totalWords = a.num(17, "totalWords");
    p.seed = static_cast<uint32_t>(a.int64(18, "seed"));
    p.computeLoss = a.flag(19);
    p.epoch = a.count(20, "epoch");
    const int64_t s0 = a.count(21, "s0"), s1 = a.count(22, "s1");
    p.wordsBefore = a.num(23, "wordsBefore");
    const int64_t threads = std::max<int64_t>(1, a.count(24, "threads"));

    const int64_t V = keep.len, D = p.D;
    if (p.window < 1) fail("window must be at least 1");
    if (D < 1) fail("D must be at least 1");
    if (!p.hs && p.negative == 0) fail("train with hs, negative sampling or both");
    needLen(syn0, W(V) * D, "syn0");
    if (p.negative > 0) {
      needLen(syn1neg, W(V) * D, "syn1neg");
      needLen(noise, 2 * W(V), "noise");
      for (int64_t k = 0; k < V; k++)
        if (noise.p[V + k] < 0 || noise.p[V + k] >= V) fail("noise aliases out of range");
    }
    if (p.hs) {
      needLen(syn1, W(V > 1 ? V - 1 : 0) * D, "syn1");
      needLen(hOff, V + 1, "hOffsets");
      const int64_t codeLen = hOff.p[V];
      if (codeLen < 0) fail("hOffsets must be increasing");
      needLen(hCodes, codeLen, "hCodes");
      needLen(hPoints, codeLen, "hPoints");
      for (int64_t w = 0; w < V; w++)
        if (hOff.p[w + 1] < hOff.p[w] || hOff.p[w] < 0) fail("hOffsets must be increasing");
      for (int64_t k = 0; k < codeLen; k++)
        if (hPoints.p[k] < 0 || hPoints.p[k] >= V - 1) fail("hPoints out of range");
    }
    if (s1 < s0) fail("s1 must not be below s0");
    needLen(starts, W(s1) + 1, "starts");
    for (int64_t s = s0; s < s1; s++)
      if (starts.p[s] < 0 || starts.p[s + 1] < starts.p[s] || starts.p[s + 1] > ids.len) fail("starts out of range");
    for (int64_t k = s0 < s1 ? starts.p[s0] : 0; k < (s0 < s1 ? starts.p[s1] : 0); k++)
      if (ids.p[k] < 0 || ids.p[k] >= V) fail("ids out of range");
    if (!(p.totalWords > 0)) fail("totalWords must be positive");

    p.syn0 = syn0.p;
    p.syn1neg = syn1neg.p;
    p.syn1 = syn1.p;
    p.noise = reinterpret_cast<const uint32_t*>(noise.p);
    p.V = V;
    p.keep = reinterpret_cast<const uint32_t*>(keep.p);
    p.hOffsets = hOff.p;
    p.hCodes = hCodes.p;
    p.hPoints = hPoints.p;
    p.ids = ids.p;
    p.starts = starts.p;

    // split the sentences among the threads by word count
    const int64_t words = s0 < s1 ? static_cast<int64_t>(starts.p[s1]) - starts.p[s0] : 0;
    const int64_t T = std::max<int64_t>(1, std::min<int64_t>(threads, s1 - s0));
    std::vector<int64_t> cut(T + 1, s1);
    cut[0] = s0;
    for (int64_t t = 1, s = s0; t < T; t++) {
      const int64_t goal = starts.p[s0] + words * t / T;
      while (s < s1 && starts.p[s] < goal) s++;
      cut[t] = s;
    }
    std::atomic<int64_t> done{0};
    std::vector<Totals> totals(T);
    if (T == 1) {
      trainRange(p, s0, s1, done, totals[0]);
    } else {
      std::vector<std::thread> pool;
      for (int64_t t = 0; t < T; t++)
        pool.emplace_back([&, t]() { trainRange(p, cut[t], std::max(cut[t], cut[t + 1]), done, totals[t]); });
      for (auto& th : pool) th.join();
    }
    Totals sum;
    for (const auto& t : totals) {
      sum.loss += t.loss;
      sum.targets += t.targets;
    }
    napi_value out, v;
    napi_create_object(env, &out);
    napi_create_double(env, static_cast<double>(done.load()), &v);
    napi_set_named_property(env, out, "words", v);
    napi_create_double(env, sum.loss, &v);
    napi_set_named_property(env, out, "loss", v);
    napi_create_double(env, sum.targets, &v);
    napi_set_named_property(env, out, "targets", v);
    return out;
  });
}

}  // namespace

void registerWord2Vec(napi_env env, napi_value exports) { defineFunction(env, exports, "word2vecTrain", Word2VecTrain); }

}  // namespace lmkit
