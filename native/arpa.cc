// Reading the body of an ARPA file (the n-gram sections after the header) straight into the probing
// index's slots (src/ngram/probing-index.ts), in C++: part of the lmkit_io addon. It takes the common case
// only, a well-formed file whose every n-gram's context is listed; for anything else (a pruned SRILM file,
// a duplicate, a malformed line, an unusual number) it returns null and src/ngram/arpa.ts reads the file
// in TypeScript, which handles those cases or names the line at fault. The slots it fills are the ones
// ProbingIndex.slotBlocks fills from the TypeScript reader's columns: the same n-grams inserted in the
// same order with the same hash.
#include <sys/mman.h>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>
#include "napi_util.h"

namespace lmkit {

void* hugeZeroed(napi_env env, size_t bytes, napi_value* ab);  // native/ngram.cc

namespace {

constexpr int32_t EMPTY = -1;
constexpr double LOG_ZERO = -99;

// src/ngram/ngram-table.ts pairHash.
inline uint32_t pairHash(int32_t prefix, int32_t word) {
  uint32_t h = (static_cast<uint32_t>(prefix) * 0x9e3779b1u) ^ static_cast<uint32_t>(word);
  h ^= h >> 16;
  h *= 0x85ebca6bu;
  h ^= h >> 13;
  h *= 0xc2b2ae35u;
  return h ^ (h >> 16);
}

inline uint64_t bytesHash(const uint8_t* p, int64_t n) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (int64_t i = 0; i < n; i++) h = (h ^ p[i]) * 0x100000001b3ull;
  return h ^ (h >> 29);
}

const double POW10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                          1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

// A decimal like -2.485738 or -1.2e-07, as JavaScript's Number() reads it; false for any other form.
bool parseNumber(const uint8_t* b, const uint8_t* e, double& out) {
  const uint8_t* i = b;
  bool negative = false;
  if (i < e && (*i == '-' || *i == '+')) negative = *i++ == '-';
  uint64_t mantissa = 0;
  int digits = 0, scale = 0;
  bool seen = false;
  for (; i < e && *i >= '0' && *i <= '9'; i++, seen = true) {
    if (mantissa > 0 || *i != '0') digits++;
    if (digits <= 18) mantissa = mantissa * 10 + (*i - '0');
  }
  if (i < e && *i == '.')
    for (i++; i < e && *i >= '0' && *i <= '9'; i++, seen = true) {
      if (mantissa > 0 || *i != '0') digits++;
      if (digits <= 18) mantissa = mantissa * 10 + (*i - '0');
      scale--;
    }
  if (!seen) return false;
  int exp = 0;
  if (i < e && (*i == 'e' || *i == 'E')) {
    i++;
    bool expNegative = false;
    if (i < e && (*i == '-' || *i == '+')) expNegative = *i++ == '-';
    const uint8_t* start = i;
    for (; i < e && *i >= '0' && *i <= '9' && exp < 1000; i++) exp = exp * 10 + (*i - '0');
    if (i == start) return false;
    if (expNegative) exp = -exp;
  }
  if (i != e) return false;
  if (digits <= 15 && scale + exp >= -22 && scale + exp <= 22) {
    const int s = scale + exp;  // mantissa and 10^|s| are exact doubles: one correctly rounded operation
    const double v = s >= 0 ? static_cast<double>(mantissa) * POW10[s] : static_cast<double>(mantissa) / POW10[-s];
    out = negative ? -v : v;
    return true;
  }
  std::string text(reinterpret_cast<const char*>(b), e - b);
  char* end = nullptr;
  out = std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size();
}

// Lines of the file; fields separated by spaces and tabs, a CR before the LF dropped (as arpa.ts's LineReader).
struct Reader {
  const uint8_t *pos, *end;
  const uint8_t *ls, *le, *f;  // the current line and the read position in it
  bool next() {
    if (pos >= end) return false;
    const uint8_t* nl = static_cast<const uint8_t*>(std::memchr(pos, '\n', end - pos));
    const uint8_t* e = nl ? nl : end;
    ls = pos;
    le = e > pos && e[-1] == '\r' ? e - 1 : e;
    f = ls;
    pos = e + 1;
    return true;
  }
  bool field(const uint8_t*& b, const uint8_t*& e) {
    while (f < le && (*f == ' ' || *f == '\t')) f++;
    if (f >= le) return false;
    b = f;
    while (f < le && *f != ' ' && *f != '\t') f++;
    e = f;
    return true;
  }
  bool blank() const {
    for (const uint8_t* p = ls; p < le; p++)
      if (*p != ' ' && *p != '\t') return false;
    return true;
  }
  // The line without surrounding ASCII whitespace equals s.
  bool is(const char* s) const {
    const uint8_t *b = ls, *e = le;
    while (b < e && (*b == ' ' || (*b >= '\t' && *b <= '\r'))) b++;
    while (e > b && (e[-1] == ' ' || (e[-1] >= '\t' && e[-1] <= '\r'))) e--;
    const size_t n = std::strlen(s);
    return static_cast<size_t>(e - b) == n && std::memcmp(b, s, n) == 0;
  }
  // Moves to the next line holding more than ASCII whitespace.
  bool nextNonBlank() {
    while (next())
      for (const uint8_t* p = ls; p < le; p++)
        if (!(*p == ' ' || (*p >= '\t' && *p <= '\r'))) return true;
    return false;
  }
};

// Words of the unigram section, ids as NGramVocabulary numbers them: <unk> 0, <s> 1, </s> 2, then in order.
struct Words {
  std::vector<const uint8_t*> at{nullptr, nullptr, nullptr};
  std::vector<int32_t> len{0, 0, 0};
  std::vector<int64_t> slots;  // id + 1 in the low 32 bits, hash in the high; 0 empty
  int64_t mask;
  explicit Words(int64_t count) {
    int64_t cap = 16;
    while (cap < 2 * (count + 3)) cap *= 2;
    slots.assign(cap, 0);
    mask = cap - 1;
    static const char* specials[3] = {"<unk>", "<s>", "</s>"};
    for (int i = 0; i < 3; i++) {
      const auto* p = reinterpret_cast<const uint8_t*>(specials[i]);
      at[i] = p;
      len[i] = static_cast<int32_t>(std::strlen(specials[i]));
      insert(p, len[i], i);
    }
  }
  void insert(const uint8_t* p, int64_t n, int32_t id) {
    const uint64_t h = bytesHash(p, n);
    int64_t s = static_cast<int64_t>(h & mask);
    while (slots[s] != 0) s = (s + 1) & mask;
    slots[s] = static_cast<int64_t>((h >> 32) << 32) | static_cast<uint32_t>(id + 1);
  }
  int32_t find(const uint8_t* p, int64_t n) const {
    const uint64_t h = bytesHash(p, n);
    const uint32_t hi = static_cast<uint32_t>(h >> 32);
    for (int64_t s = static_cast<int64_t>(h & mask);; s = (s + 1) & mask) {
      const int64_t e = slots[s];
      if (e == 0) return -1;
      const int32_t id = static_cast<int32_t>(static_cast<uint32_t>(e)) - 1;
      if (static_cast<uint32_t>(static_cast<uint64_t>(e) >> 32) == hi && len[id] == n && std::memcmp(at[id], p, n) == 0)
        return id;
    }
  }
};

// ngramReadArpa(text: Uint8Array, from, geometry: Float64Array) → [vocab bytes, unigram, slots] or null.
// `from`: the byte after the header's "ngram N=count" lines; geometry: [order, then count, base, capacity,
// stride of each order n = 1..order] (as ProbingIndex.layoutFor lays out those counts; order 1 only its
// count). vocab bytes: each word followed by NUL, in id order; unigram: [log10 p, backoff] per word.
napi_value ReadArpa(napi_env env, napi_callback_info info) {
  return guard(env, [&]() -> napi_value {
    Args<3> a(env, info);
    const U8 text = a.u8(0, "text");
    const int64_t from = a.count(1, "from");
    const F64 geo = a.f64(2, "geometry");
    if (from > text.len || geo.len < 1) fail("bad arguments");
    const int order = static_cast<int>(geo.p[0]);
    if (order < 1 || order > 64 || geo.len < 1 + 4 * order) fail("bad geometry");
    std::vector<int64_t> count(order + 1), base(order + 1), cap(order + 1), stride(order + 1);
    int64_t total = 0;
    for (int n = 1; n <= order; n++) {
      count[n] = static_cast<int64_t>(geo.p[1 + 4 * (n - 1)]);
      base[n] = static_cast<int64_t>(geo.p[2 + 4 * (n - 1)]);
      cap[n] = static_cast<int64_t>(geo.p[3 + 4 * (n - 1)]);
      stride[n] = static_cast<int64_t>(geo.p[4 + 4 * (n - 1)]);
      if (count[n] < 0 || count[n] > text.len) fail("bad count");
      if (n >= 2) {
        if (base[n] != total || cap[n] <= count[n] || (stride[n] != 3 && stride[n] != 4)) fail("bad layout");
        total += cap[n] * stride[n];
      }
    }
    if (total >= (int64_t(1) << 31)) return nullValue(env);
    Reader r{text.p + from, text.p + text.len, nullptr, nullptr, nullptr};
    Words words(count[1]);
    std::vector<float> unigram(2 * (count[1] + 3), 0.0f);
    bool seenSpecial[3] = {false, false, false};
    napi_value slotsBuffer;
    auto* slots = static_cast<int32_t*>(hugeZeroed(env, static_cast<size_t>(total) * 4 + 4, &slotsBuffer));
    auto* values = reinterpret_cast<float*>(slots);
    for (int n = 2; n <= order; n++)
      for (int64_t s = 0, p = base[n]; s < cap[n]; s++, p += stride[n]) slots[p + 1] = EMPTY;
    // Slot offset of the (k)-gram ids[0..k) (k ≥ 2), or -1.
    auto find = [&](int k, int32_t parent, int32_t w) -> int64_t {
      const int64_t st = stride[k], start = base[k], end = start + cap[k] * st;
      const double scale = static_cast<double>(cap[k]) / 4294967296.0;
      const int64_t first = start + static_cast<int64_t>(static_cast<int32_t>(pairHash(parent, w) * scale)) * st;
      for (int64_t p = first;;) {
        if (slots[p + 1] == EMPTY) return -1 - p;  // absent: -1 - (where it would go)
        if (slots[p + 1] == w && slots[p] == parent) return p;
        p += st;
        if (p == end) p = start;
        if (p == first) return INT64_MIN;
      }
    };
    int32_t ids[65];
    for (int n = 1; n <= order; n++) {
      if (!r.nextNonBlank() || !r.is((std::string("\\") + std::to_string(n) + "-grams:").c_str()))
        return nullValue(env);
      const bool hasBackoff = n < order;
      for (int64_t i = 0; i < count[n]; i++) {
        if (!r.next() || r.blank() || *r.ls == '\\') return nullValue(env);
        const uint8_t *b, *e;
        double p;
        if (!r.field(b, e) || !parseNumber(b, e, p) || !std::isfinite(p) || p > 0) return nullValue(env);
        if (p <= LOG_ZERO) p = -INFINITY;
        for (int k = 0; k < n; k++) {
          if (!r.field(b, e)) return nullValue(env);
          int32_t id = words.find(b, e - b);
          if (n == 1) {
            if (id >= 3) return nullValue(env);  // listed twice
            if (id < 0) {
              id = static_cast<int32_t>(words.at.size());
              words.at.push_back(b);
              words.len.push_back(static_cast<int32_t>(e - b));
              words.insert(b, e - b, id);
            } else {
              seenSpecial[id] = true;
            }
          } else if (id < 0) {
            return nullValue(env);
          }
          ids[k] = id;
        }
        double bo = 0;
        if (r.field(b, e)) {
          if (!parseNumber(b, e, bo) || !std::isfinite(bo) || (!hasBackoff && bo != 0)) return nullValue(env);
          if (bo <= LOG_ZERO) bo = -INFINITY;
          const uint8_t *b2, *e2;
          if (r.field(b2, e2)) return nullValue(env);
        }
        if (n == 1) {
          unigram[2 * ids[0]] = static_cast<float>(p);
          unigram[2 * ids[0] + 1] = order > 1 ? static_cast<float>(bo) : 0.0f;
          continue;
        }
        int64_t parent = ids[0];
        for (int k = 2; k < n; k++) {
          parent = find(k, static_cast<int32_t>(parent), ids[k - 1]);
          if (parent < 0) return nullValue(env);  // a pruned context: arpa.ts adds it
        }
        const int64_t at = find(n, static_cast<int32_t>(parent), ids[n - 1]);
        if (at >= 0 || at == INT64_MIN) return nullValue(env);  // listed twice, or a full table
        const int64_t q = -1 - at;
        slots[q] = static_cast<int32_t>(parent);
        slots[q + 1] = ids[n - 1];
        values[q + 2] = static_cast<float>(p);
        if (n < order) values[q + 3] = static_cast<float>(bo);
      }
      if (n == 1)
        for (int id = 0; id < 3; id++)
          if (!seenSpecial[id]) unigram[2 * id] = -INFINITY;
    }
    if (!r.nextNonBlank() || !r.is("\\end\\")) return nullValue(env);
    const int64_t vocab = static_cast<int64_t>(words.at.size());
    std::string joined;
    for (int64_t id = 0; id < vocab; id++) {
      joined.append(reinterpret_cast<const char*>(words.at[id]), words.len[id]);
      joined.push_back('\0');
    }
    napi_value out, vb, vbytes, ub, uarr, sarr;
    void* data;
    napi_create_arraybuffer(env, joined.size(), &data, &vb);
    std::memcpy(data, joined.data(), joined.size());
    napi_create_typedarray(env, napi_uint8_array, joined.size(), vb, 0, &vbytes);
    napi_create_arraybuffer(env, 2 * vocab * 4, &data, &ub);
    std::memcpy(data, unigram.data(), 2 * vocab * 4);
    napi_create_typedarray(env, napi_float32_array, 2 * vocab, ub, 0, &uarr);
    napi_create_typedarray(env, napi_int32_array, total, slotsBuffer, 0, &sarr);
    napi_create_array_with_length(env, 3, &out);
    napi_set_element(env, out, 0, vbytes);
    napi_set_element(env, out, 1, uarr);
    napi_set_element(env, out, 2, sarr);
    return out;
  });
}

}  // namespace

// Called by the lmkit_io addon's Init (native/mmap.cc).
void registerArpaReading(napi_env env, napi_value exports) {
  napi_value fn;
  napi_create_function(env, "ngramReadArpa", NAPI_AUTO_LENGTH, ReadArpa, nullptr, &fn);
  napi_set_named_property(env, exports, "ngramReadArpa", fn);
}

}  // namespace lmkit
