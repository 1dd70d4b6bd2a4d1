// N-gram scoring straight from text bytes (part of the lmkit_io addon): words are looked up by their
// bytes in a hash of the vocabulary, each word's n-grams are probed in the probing index's slots (the
// layout of src/ngram/probing-index.ts, read from the binary file or built from an ARPA file), and the
// log10 probabilities are summed as src/ngram/evaluate.ts's Evaluator sums them: the same doubles in the
// same order, so the totals are bit-for-bit those of the TypeScript path (the reference, and the fallback).
#include "napi_util.h"
#include <sys/mman.h>
#include <cmath>
#include <cstring>
#include <algorithm>
#include <thread>
#include <utility>
#include <vector>

namespace lmkit {
namespace {

constexpr int32_t UNK = 0, BOS = 1, EOS = 2, EMPTY = -1;
constexpr int MAX_ORDER = 64;
// A vocabulary slot: id + 1 (0 = empty), byte offset of the word, its length, its hash's low 32 bits.
constexpr int VSLOT = 4;

// FNV-1a over 64 bits, lowercasing ASCII letters on the way when asked.
inline uint64_t wordHash(const uint8_t* p, int64_t n, bool lower) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (int64_t i = 0; i < n; i++) {
    uint8_t c = p[i];
    if (lower && c >= 'A' && c <= 'Z') c += 32;
    h = (h ^ c) * 0x100000001b3ull;
  }
  return h ^ (h >> 29);
}

inline bool sameWord(const uint8_t* word, const uint8_t* text, int64_t n, bool lower) {
  if (!lower) return std::memcmp(word, text, n) == 0;
  for (int64_t i = 0; i < n; i++) {
    uint8_t c = text[i];
    if (c >= 'A' && c <= 'Z') c += 32;
    if (c != word[i]) return false;
  }
  return true;
}

// src/ngram/ngram-table.ts pairHash, in the same 32-bit arithmetic.
inline uint32_t pairHash(int32_t prefix, int32_t word) {
  uint32_t h = (static_cast<uint32_t>(prefix) * 0x9e3779b1u) ^ static_cast<uint32_t>(word);
  h ^= h >> 16;
  h *= 0x85ebca6bu;
  h ^= h >> 13;
  h *= 0xc2b2ae35u;
  return h ^ (h >> 16);
}

}  // namespace

static void unmapHuge(napi_env, void* data, void* hint) { munmap(data, reinterpret_cast<size_t>(hint)); }

// `bytes` of zeroed memory as an ArrayBuffer, in transparent huge pages where the kernel allows them: the
// hash of a 50,000-word vocabulary takes 2 MiB, which in 4 KiB pages costs 512 page faults (5-20 ms on
// this project's VMs, most of a one-sentence query), in a huge page one.
void* hugeZeroed(napi_env env, size_t bytes, napi_value* ab) {
  constexpr size_t HUGE = size_t(2) << 20;
  const size_t len = (bytes + HUGE - 1) & ~(HUGE - 1);
  void* p = mmap(nullptr, len + HUGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) fail("out of memory");
  const uintptr_t start = reinterpret_cast<uintptr_t>(p), at = (start + HUGE - 1) & ~(HUGE - 1);
  if (at > start) munmap(p, at - start);
  if (start + HUGE > at) munmap(reinterpret_cast<void*>(at + len), start + HUGE - at);
  void* data = reinterpret_cast<void*>(at);
  madvise(data, len, MADV_HUGEPAGE);
  if (napi_create_external_arraybuffer(env, data, bytes, unmapHuge, reinterpret_cast<void*>(len), ab) != napi_ok) {
    munmap(data, len);
    fail("cannot wrap memory in an ArrayBuffer");
  }
  return data;
}

namespace {

// ngramVocabIndex(bytes: Uint8Array, size): Int32Array — the hash of the words in `bytes` (each ended by
// NUL, in id order) that ngramScoreText looks words up in; null when the bytes do not hold `size` words.
napi_value VocabIndex(napi_env env, napi_callback_info info) {
  return guard(env, [&]() -> napi_value {
    Args<2> a(env, info);
    const auto bytes = a.u8(0, "bytes");
    const int64_t size = a.count(1, "size");
    int64_t cap = 16;
    while (cap < 2 * size) cap *= 2;
    napi_value ab, out;
    auto* slots = static_cast<int32_t*>(hugeZeroed(env, cap * VSLOT * 4, &ab));
    int64_t id = 0, start = 0;
    for (int64_t i = 0; i < bytes.len; i++) {
      if (bytes.p[i] != 0) continue;
      if (id == size) return nullValue(env);
      const uint64_t h = wordHash(bytes.p + start, i - start, false);
      int64_t s = static_cast<int64_t>(h & (cap - 1));
      while (slots[s * VSLOT] != 0) s = (s + 1) & (cap - 1);
      int32_t* e = slots + s * VSLOT;
      e[0] = static_cast<int32_t>(id + 1);
      e[1] = static_cast<int32_t>(start);
      e[2] = static_cast<int32_t>(i - start);
      e[3] = static_cast<int32_t>(h);
      id++;
      start = i + 1;
    }
    if (id != size) return nullValue(env);
    napi_create_typedarray(env, napi_int32_array, cap * VSLOT, ab, 0, &out);
    return out;
  });
}

struct Vocab {
  const uint8_t* bytes;
  const int32_t* slots;
  int64_t mask;
  bool lower;
  // The id of text[0..n), or -1.
  int32_t find(const uint8_t* text, int64_t n) const {
    const uint64_t h = wordHash(text, n, lower);
    const int32_t lo = static_cast<int32_t>(h);
    for (int64_t s = static_cast<int64_t>(h & mask);; s = (s + 1) & mask) {
      const int32_t* e = slots + s * VSLOT;
      if (e[0] == 0) return -1;
      if (e[3] == lo && e[2] == n && sameWord(bytes + e[1], text, n, lower)) return e[0] - 1;
    }
  }
};

struct Index {
  int order;
  double missing;
  const float* unigram;
  const int32_t* slots;
  const float* values;
  int64_t base[MAX_ORDER + 1], capacity[MAX_ORDER + 1], stride[MAX_ORDER + 1];
  double scale[MAX_ORDER + 1];
};

// ProbingIndex's ScoreState: the stored contexts ending at the last word and their backoffs.
struct State {
  int32_t ctx[MAX_ORDER];
  double backoffs[MAX_ORDER];
  int len;
};

inline void begin(const Index& x, State& s) {
  s.len = 0;
  if (x.order > 1) {
    s.ctx[1] = BOS;
    s.backoffs[1] = x.unigram[2 * BOS + 1];
    s.len = 1;
  }
}

// The first half of ProbingIndex.score: where w's n-gram of each stored context lies (first probes, which
// are prefetched so that their cache misses overlap). Returns how many contexts there are to probe.
inline int probeStart(const Index& x, const State& s, int32_t w, int64_t* probe) {
  int known = 0;
  for (int j = 1; j <= s.len; j++) {
    const int32_t c = s.ctx[j];
    if (c < 0) break;
    const int n = j + 1;
    const int64_t p = x.base[n] + static_cast<int64_t>(static_cast<int32_t>(pairHash(c, w) * x.scale[n])) * x.stride[n];
    __builtin_prefetch(x.slots + p);
    probe[j] = p;
    known = j;
  }
  return known;
}

// The second half: log10 p(w | state), the state advanced past w; `matched` gets the n-gram length.
inline double probeFinish(const Index& x, State& s, int32_t w, const int64_t* probe, int known, int& matched) {
  const int32_t* slots = x.slots;
  double lp = x.unigram[2 * w];
  matched = 1;
  int64_t foundAt[MAX_ORDER + 1];
  double foundBackoff[MAX_ORDER + 1];
  for (int j = 1; j <= known; j++) {
    const int n = j + 1;
    const int32_t c = s.ctx[j];
    const int64_t st = x.stride[n], start = x.base[n], end = start + x.capacity[n] * st, first = probe[j];
    int64_t p = first;
    for (;;) {
      const int32_t word = slots[p + 1];
      if (word == w && slots[p] == c) break;
      if (word == EMPTY) {
        p = -1;
        break;
      }
      p += st;
      if (p == end) p = start;
      if (p == first) {
        p = -1;
        break;
      }
    }
    if (p < 0) break;
    lp = x.values[p + 2];
    matched = n;
    foundAt[n] = p;
    foundBackoff[n] = n < x.order ? x.values[p + 3] : 0;
  }
  for (int j = matched; j <= s.len; j++) lp += s.ctx[j] >= 0 ? s.backoffs[j] : x.missing;
  const int newLen = s.len + 1 < x.order ? s.len + 1 : x.order - 1;
  if (newLen > 0) {
    s.ctx[1] = w;
    s.backoffs[1] = x.unigram[2 * w + 1];
  }
  for (int k = 2; k <= newLen; k++) {
    if (k <= matched) {
      s.ctx[k] = static_cast<int32_t>(foundAt[k]);
      s.backoffs[k] = foundBackoff[k];
    } else {
      s.ctx[k] = -1;
      s.backoffs[k] = 0;
    }
  }
  s.len = newLen;
  return lp;
}

// ProbingIndex.score.
inline double score(const Index& x, State& s, int32_t w, int& matched) {
  int64_t probe[MAX_ORDER];
  const int known = probeStart(x, s, w, probe);
  return probeFinish(x, s, w, probe, known, matched);
}

// Totals as Evaluator keeps them.
enum Total { SENTENCES, TOKENS, OOV, LOG10, LOG10_OOV, ZERO, ZERO_OOV, INDEX, TOTALS };

inline void count(double* t, double lp, bool oov) {
  t[TOKENS]++;
  if (lp == -INFINITY)
    t[ZERO]++;
  else
    t[LOG10] += lp;
  if (oov) {
    t[OOV]++;
    if (lp == -INFINITY)
      t[ZERO_OOV]++;
    else
      t[LOG10_OOV] += lp;
  }
}

inline bool isSeparator(uint8_t c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == 0; }

// Length of the JavaScript whitespace character (String.prototype.trim's set) starting at p, else 0.
inline int spaceAt(const uint8_t* p, const uint8_t* end) {
  const uint8_t c = p[0];
  if (c == ' ' || (c >= '\t' && c <= '\r')) return 1;
  if (c < 0xc2) return 0;
  const int64_t room = end - p;
  if (c == 0xc2) return room >= 2 && p[1] == 0xa0 ? 2 : 0;  // U+00A0
  if (room < 3) return 0;
  const uint32_t u = (c << 16) | (p[1] << 8) | p[2];
  if (u == 0xe19a80 || u == 0xe38080 || u == 0xefbbbf) return 3;  // U+1680, U+3000, U+FEFF
  if (c == 0xe2 && p[1] == 0x80 && (p[2] <= 0x8a || p[2] == 0xa8 || p[2] == 0xa9 || p[2] == 0xaf)) return 3;
  if (u == 0xe2819f) return 3;  // U+205F
  return 0;
}

// Length of the JavaScript whitespace character ending just before `end` (not before `begin`), else 0.
inline int spaceBefore(const uint8_t* begin, const uint8_t* end) {
  for (int k = 1; k <= 3 && end - k >= begin; k++)
    if (spaceAt(end - k, end) == k) return k;
  return 0;
}

// Modes of ngramScoreText.
constexpr int64_t TRIM_SKIP_BLANK = 1;  // lines trimmed as JS trims; blank lines are not sentences (lmkit ngram eval)
constexpr int64_t CR_ENDS_LINE = 2;     // CR and CRLF end a line as LF does (else CR separates words)
constexpr int64_t LOWERCASE = 4;        // ASCII letters are lowercased (the text must be ASCII)

// Reads text line by line as the mode says.
struct LineReader {
  bool trim, crEnds;
  // The line starting at pos (< end) as [ls, le), trimmed when `trim`; returns where the next line starts.
  const uint8_t* next(const uint8_t* pos, const uint8_t* end, const uint8_t*& ls, const uint8_t*& le) const {
    const uint8_t* e = pos;
    while (e < end && *e != '\n' && !(crEnds && *e == '\r')) e++;
    ls = pos;
    le = e;
    if (trim) {
      for (int k; ls < le && (k = spaceAt(ls, le)) > 0;) ls += k;
      for (int k; le > ls && (k = spaceBefore(ls, le)) > 0;) le -= k;
    }
    return e < end && *e == '\r' && e + 1 < end && e[1] == '\n' ? e + 2 : e + 1;
  }
};

// Whether the sentence with this index is scored under the split (0 all, 1 train: not i % 10 == 9, 2 test).
inline bool inSplit(int64_t split, int64_t index) {
  return split == 0 || (split == 1 ? index % 10 != 9 : index % 10 == 9);
}

// One of the interleaved streams of scoreStreams: a stretch of whole lines scored sentence by sentence.
struct Stream {
  const uint8_t *pos, *end;  // the lines not yet started
  const uint8_t *p, *le;     // the rest of the current sentence
  bool inSentence = false, done = false;
  int64_t index = 0;          // index of the next non-blank line (trimmed mode)
  int64_t error = -1;         // offset of a sentence marker found
  State st;
  int32_t w = 0;
  uint8_t flag = 0;           // of the token being scored: 1 OOV, 2 `</s>`
  int known = 0;
  int64_t probe[MAX_ORDER];
  std::vector<double> lp;     // log10 p of each token, in order
  std::vector<uint8_t> flags;
};

// Streams interleaved per thread: each stream's next probes depend on its last, so one stream waits on
// memory for every word; four wait together (measured: 1.3x one, and no better with 8 or 16).
constexpr int STREAMS_PER_THREAD = 4;
// Texts shorter than this are scored on the calling thread alone.
constexpr int64_t THREAD_MIN_BYTES = 1 << 20;

// Scores text[from..to) (whole lines) as K streams over K stretches of it, interleaved token by token, on
// up to two threads (two when the machine has two cores and the text is long). The tokens' log10 p are
// kept and summed in the text's order afterwards, as Evaluator sums them, so the totals do not depend on
// how the text was divided.
int64_t scoreStreams(const Index& x, const Vocab& v, const LineReader& lines, const uint8_t* T, int64_t from,
                     int64_t to, int64_t split, double* t) {
  const int threads = to - from >= THREAD_MIN_BYTES && std::thread::hardware_concurrency() >= 2 ? 2 : 1;
  const int K = STREAMS_PER_THREAD * threads;
  std::vector<Stream> streams(K);
  int64_t cut = from;
  for (int k = 0; k < K; k++) {
    Stream& s = streams[k];
    s.pos = T + cut;
    if (k == K - 1) {
      cut = to;
    } else {
      int64_t c = std::max(cut, from + (to - from) * (k + 1) / K);
      while (c < to && T[c - 1] != '\n') c++;
      cut = c;
    }
    s.end = T + cut;
    s.lp.reserve((s.end - s.pos) / 4 + 16);
    s.flags.reserve((s.end - s.pos) / 4 + 16);
  }
  // With a split, each stretch needs the index of its first non-blank line.
  const int64_t first = static_cast<int64_t>(t[INDEX]);
  int64_t index = first;
  std::vector<int64_t> startIndex(K);
  for (int k = 0; k < K; k++) {
    Stream& s = streams[k];
    s.index = startIndex[k] = index;
    if (!lines.trim || split == 0 || k == K - 1) continue;
    const uint8_t *ls, *le;
    for (const uint8_t* p = s.pos; p < s.end;) {
      p = lines.next(p, s.end, ls, le);
      if (ls < le) index++;
    }
  }
  // The next token of a stream, its probes started; false when the stream has no more.
  auto prepare = [&](Stream& s) -> bool {
    for (;;) {
      if (!s.inSentence) {
        if (s.pos >= s.end) return false;
        const uint8_t *ls, *le;
        s.pos = lines.next(s.pos, s.end, ls, le);
        if (lines.trim) {
          if (ls == le) continue;
          if (!inSplit(split, s.index++)) continue;
        }
        begin(x, s.st);
        s.p = ls;
        s.le = le;
        s.inSentence = true;
      }
      while (s.p < s.le && isSeparator(*s.p)) s.p++;
      if (s.p < s.le) {
        const uint8_t* q = s.p + 1;
        while (q < s.le && !isSeparator(*q)) q++;
        int32_t id = v.find(s.p, q - s.p);
        if (id == BOS || id == EOS) {
          s.error = s.p - T;
          return false;
        }
        if (id < 0) id = UNK;
        s.w = id;
        s.flag = id == UNK ? 1 : 0;
        s.p = q;
      } else {
        s.w = EOS;
        s.flag = 2;
        s.inSentence = false;
      }
      s.known = probeStart(x, s.st, s.w, s.probe);
      return true;
    }
  };
  auto run = [&](Stream* group) {
    for (int active = STREAMS_PER_THREAD; active > 0;) {
      for (int k = 0; k < STREAMS_PER_THREAD; k++)
        if (!group[k].done && !prepare(group[k])) {
          group[k].done = true;
          active--;
        }
      for (int k = 0; k < STREAMS_PER_THREAD; k++) {
        Stream& s = group[k];
        if (s.done) continue;
        int matched;
        s.lp.push_back(probeFinish(x, s.st, s.w, s.probe, s.known, matched));
        s.flags.push_back(s.flag);
      }
    }
  };
  if (threads == 1) {
    run(streams.data());
  } else {
    std::thread second(run, streams.data() + STREAMS_PER_THREAD);
    run(streams.data());
    second.join();
  }
  for (const Stream& s : streams)
    if (s.error >= 0) return s.error;
  for (const Stream& s : streams) {
    for (size_t i = 0; i < s.lp.size(); i++) {
      count(t, s.lp[i], s.flags[i] & 1);
      if (s.flags[i] & 2) t[SENTENCES]++;
    }
  }
  int64_t seen = first;
  for (int k = 0; k < K; k++) seen += streams[k].index - startIndex[k];
  t[INDEX] = static_cast<double>(seen);
  return -1;
}

// ngramScoreText(vocabBytes, vocabIndex, unigram: Float32Array, slots: Int32Array, geometry: Float64Array,
//                text: Uint8Array, from, to, mode, split, totals: Float64Array(8), perToken: Float64Array | null)
// Scores the lines of text[from..to) into `totals` ([sentences, tokens, oov, log10 p, log10 p of OOVs,
// zero-probability tokens, of which OOV, non-blank lines seen]). geometry = [order, missing-context
// backoff, then base, capacity, stride for n = 2..order]. split: 0 every sentence, 1 all but every tenth
// (index % 10 == 9), 2 only every tenth. perToken (query): per token [id, matched, log10 p, byte offset,
// byte length], then −1 after each sentence; it must have room for 5 entries per token and 6 per sentence.
// Returns −1, or the byte offset of a `<s>` or `</s>` in the text (which the caller reports).
napi_value ScoreText(napi_env env, napi_callback_info info) {
  return guard(env, [&]() -> napi_value {
    Args<12> a(env, info);
    const auto vbytes = a.u8(0, "vocabBytes");
    const I32 vindex = a.i32(1, "vocabIndex");
    const F32 unigram = a.f32(2, "unigram");
    const I32 slots = a.i32(3, "slots");
    const auto geo = a.f64(4, "geometry");
    const auto text = a.u8(5, "text");
    const int64_t from = a.count(6, "from"), to = a.count(7, "to"), mode = a.count(8, "mode");
    const int64_t split = a.count(9, "split");
    const auto totals = a.f64(10, "totals");
    const F64 perToken = a.isNull(11) ? F64{nullptr, 0} : a.f64(11, "perToken");
    if (vindex.len < VSLOT || (vindex.len / VSLOT & (vindex.len / VSLOT - 1)) != 0) fail("bad vocabIndex");
    if (geo.len < 2) fail("bad geometry");
    Index x;
    x.order = static_cast<int>(geo.p[0]);
    if (x.order < 1 || x.order > MAX_ORDER - 1 || geo.len < 2 + 3 * (x.order - 1)) fail("bad geometry");
    x.missing = geo.p[1];
    x.unigram = unigram.p;
    x.slots = slots.p;
    x.values = reinterpret_cast<const float*>(slots.p);
    for (int n = 2; n <= x.order; n++) {
      x.base[n] = static_cast<int64_t>(geo.p[2 + 3 * (n - 2)]);
      x.capacity[n] = static_cast<int64_t>(geo.p[3 + 3 * (n - 2)]);
      x.stride[n] = static_cast<int64_t>(geo.p[4 + 3 * (n - 2)]);
      x.scale[n] = static_cast<double>(x.capacity[n]) / 4294967296.0;
      if (x.base[n] < 0 || x.capacity[n] < 1 || x.stride[n] < 3 || x.stride[n] > 4 ||
          W(x.base[n]) + W(x.capacity[n]) * x.stride[n] > W(slots.len))
        fail("geometry does not fit the slots");
    }
    if (to > text.len || from > to) fail("from..to is outside the text");
    if (totals.len < TOTALS) fail("totals needs 8 entries");
    if (split > 2) fail("split must be 0, 1 or 2");
    // Every id the vocabulary can give must have a unigram entry.
    for (int64_t s = 0; s < vindex.len; s += VSLOT) {
      const int32_t* e = vindex.p + s;
      if (e[0] < 0 || W(e[0]) * 2 > W(unigram.len) || e[1] < 0 || e[2] < 0 || W(e[1]) + e[2] > W(vbytes.len))
        fail("vocabIndex does not fit the vocabulary or the unigrams");
    }
    if (unigram.len < 6) fail("unigram needs <unk>, <s> and </s>");
    const Vocab v{vbytes.p, vindex.p, vindex.len / VSLOT - 1, (mode & LOWERCASE) != 0};
    const LineReader lines{(mode & TRIM_SKIP_BLANK) != 0, (mode & CR_ENDS_LINE) != 0};
    double* t = totals.p;
    const uint8_t* const T = text.p;
    if (!perToken.p) return number(env, static_cast<double>(scoreStreams(x, v, lines, T, from, to, split, t)));
    double* out = perToken.p;
    const double* outEnd = perToken.p + perToken.len;
    State st;
    for (const uint8_t* pos = T + from; pos < T + to;) {
      const uint8_t *ls, *le;
      pos = lines.next(pos, T + to, ls, le);
      if (lines.trim) {
        if (ls == le) continue;
        if (!inSplit(split, static_cast<int64_t>(t[INDEX]++))) continue;
      }
      begin(x, st);
      int matched;
      for (const uint8_t* p = ls; p < le;) {
        if (isSeparator(*p)) {
          p++;
          continue;
        }
        const uint8_t* q = p + 1;
        while (q < le && !isSeparator(*q)) q++;
        int32_t id = v.find(p, q - p);
        if (id == BOS || id == EOS) return number(env, static_cast<double>(p - T));
        if (id < 0) id = UNK;
        const double lp = score(x, st, id, matched);
        count(t, lp, id == UNK);
        if (outEnd - out < 11) fail("perToken is too short");
        *out++ = id;
        *out++ = matched;
        *out++ = lp;
        *out++ = static_cast<double>(p - T);
        *out++ = static_cast<double>(q - p);
        p = q;
      }
      const double lp = score(x, st, EOS, matched);
      count(t, lp, false);
      t[SENTENCES]++;
      if (outEnd - out < 6) fail("perToken is too short");
      *out++ = EOS;
      *out++ = matched;
      *out++ = lp;
      *out++ = static_cast<double>(le - T);
      *out++ = 0;
      *out++ = -1;
    }
    return number(env, -1);
  });
}

}  // namespace

// Called by the lmkit_io addon's Init (native/mmap.cc), which has no defineFunction of its own.
void registerNGramScoring(napi_env env, napi_value exports) {
  for (auto [name, cb] : {std::pair<const char*, napi_callback>{"ngramVocabIndex", VocabIndex},
                          std::pair<const char*, napi_callback>{"ngramScoreText", ScoreText}}) {
    napi_value fn;
    napi_create_function(env, name, NAPI_AUTO_LENGTH, cb, nullptr, &fn);
    napi_set_named_property(env, exports, name, fn);
  }
}

}  // namespace lmkit
