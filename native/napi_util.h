// Argument helpers shared by every kernel: typed-array access with type checks, scalar reads, and
// bounds checks that run before any kernel touches memory.
#pragma once
#include <node_api.h>
#include <cstddef>
#include <cstdint>
#include <string>

namespace lmkit {

// Thrown inside a kernel entry point; converted to a JS RangeError/TypeError by `guard`.
struct ArgError {
  std::string message;
  bool type;
};

[[noreturn]] inline void fail(const std::string& msg, bool type = false) { throw ArgError{msg, type}; }

struct F32 {
  float* p;
  int64_t len;
};
struct I32 {
  int32_t* p;
  int64_t len;
};
struct U8 {
  uint8_t* p;
  int64_t len;
};
struct F64 {
  double* p;
  int64_t len;
};

// Reads all call arguments into argv (at most N).
template <size_t N>
struct Args {
  napi_env env;
  napi_value argv[N];
  size_t argc = N;
  Args(napi_env e, napi_callback_info info) : env(e) {
    napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
    if (argc < N) fail("expected " + std::to_string(N) + " arguments, got " + std::to_string(argc), true);
  }
  bool isNull(size_t i) const {
    napi_valuetype t;
    napi_typeof(env, argv[i], &t);
    return t == napi_null || t == napi_undefined;
  }
  F32 f32(size_t i, const char* name) const {
    bool is = false;
    napi_is_typedarray(env, argv[i], &is);
    if (!is) fail(std::string(name) + " must be a Float32Array", true);
    napi_typedarray_type type;
    size_t length;
    void* data;
    napi_value ab;
    size_t off;
    napi_get_typedarray_info(env, argv[i], &type, &length, &data, &ab, &off);
    if (type != napi_float32_array) fail(std::string(name) + " must be a Float32Array", true);
    return F32{static_cast<float*>(data), static_cast<int64_t>(length)};
  }
  F32 f32OrNull(size_t i, const char* name) const { return isNull(i) ? F32{nullptr, 0} : f32(i, name); }
  I32 i32(size_t i, const char* name) const {
    bool is = false;
    napi_is_typedarray(env, argv[i], &is);
    if (!is) fail(std::string(name) + " must be an Int32Array", true);
    napi_typedarray_type type;
    size_t length;
    void* data;
    napi_value ab;
    size_t off;
    napi_get_typedarray_info(env, argv[i], &type, &length, &data, &ab, &off);
    if (type != napi_int32_array) fail(std::string(name) + " must be an Int32Array", true);
    return I32{static_cast<int32_t*>(data), static_cast<int64_t>(length)};
  }
  // A typed array of the given type (its data and length), or a TypeError naming `what`.
  template <typename T>
  T typed(size_t i, napi_typedarray_type want, const char* name, const char* what) const {
    bool is = false;
    napi_is_typedarray(env, argv[i], &is);
    napi_typedarray_type type = napi_int8_array;
    size_t length = 0;
    void* data = nullptr;
    napi_value ab;
    size_t off;
    if (is) napi_get_typedarray_info(env, argv[i], &type, &length, &data, &ab, &off);
    if (type != want) fail(std::string(name) + " must be " + what, true);
    return T{static_cast<decltype(T::p)>(data), static_cast<int64_t>(length)};
  }
  U8 u8(size_t i, const char* name) const { return typed<U8>(i, napi_uint8_array, name, "a Uint8Array"); }
  F64 f64(size_t i, const char* name) const { return typed<F64>(i, napi_float64_array, name, "a Float64Array"); }
  int64_t int64(size_t i, const char* name) const {
    double d;
    if (napi_get_value_double(env, argv[i], &d) != napi_ok) fail(std::string(name) + " must be a number", true);
    int64_t v = static_cast<int64_t>(d);
    if (static_cast<double>(v) != d) fail(std::string(name) + " must be an integer", true);
    return v;
  }
  // A size or offset: 0 <= v < 2^31, so that products of up to four of them fit in Wide exactly.
  int64_t count(size_t i, const char* name) const {
    int64_t v = int64(i, name);
    if (v < 0) fail(std::string(name) + " must not be negative");
    if (v > INT32_MAX) fail(std::string(name) + " is too large");
    return v;
  }
  double num(size_t i, const char* name) const {
    double d;
    if (napi_get_value_double(env, argv[i], &d) != napi_ok) fail(std::string(name) + " must be a number", true);
    return d;
  }
  bool flag(size_t i) const {
    bool b = false;
    napi_get_value_bool(env, argv[i], &b);
    return b;
  }
};

// Element counts are checked in 128-bit arithmetic so no product of sizes can wrap around.
using Wide = __int128;
inline Wide W(int64_t v) { return static_cast<Wide>(v); }

// Fails unless `a` holds at least `need` elements.
template <typename A>
inline void needLen(const A& a, Wide need, const char* name) {
  if (need > static_cast<Wide>(a.len))
    fail(std::string(name) + " has " + std::to_string(a.len) + " elements, the kernel needs " +
         (need > static_cast<Wide>(INT64_MAX) ? std::string("more") : std::to_string(static_cast<int64_t>(need))));
}

// Runs a kernel body, turning ArgError into a thrown JS error; returns undefined or the body's value.
template <typename F>
napi_value guard(napi_env env, F body) {
  try {
    return body();
  } catch (const ArgError& e) {
    if (e.type)
      napi_throw_type_error(env, nullptr, e.message.c_str());
    else
      napi_throw_range_error(env, nullptr, e.message.c_str());
    return nullptr;
  }
}

inline napi_value nullValue(napi_env env) {
  napi_value v;
  napi_get_null(env, &v);
  return v;
}

inline napi_value number(napi_env env, double d) {
  napi_value v;
  napi_create_double(env, d, &v);
  return v;
}

inline napi_value undefinedValue(napi_env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

void defineFunction(napi_env env, napi_value exports, const char* name, napi_callback cb);
void registerBlas(napi_env env, napi_value exports);
void registerPointwise(napi_env env, napi_value exports);
void registerAttention(napi_env env, napi_value exports);
void registerRecurrent(napi_env env, napi_value exports);
void registerWord2Vec(napi_env env, napi_value exports);
void registerNGramScoring(napi_env env, napi_value exports);

}  // namespace lmkit
