// Branch-free float math that compilers vectorize: exp by range reduction and a degree-6 polynomial
// (relative error about 2e-7 on the float range), and tanh built on it.
#pragma once
#include <cstdint>
#include <cstring>

namespace lmkit {

inline float fexp(float x) {
  x = x < -87.3f ? -87.3f : (x > 88.3f ? 88.3f : x);
  // x = n ln2 + r, |r| <= ln2/2; ln2 split into a high and a low part for an exact product.
  float n = __builtin_rintf(x * 1.44269504088896341f);
  float r = x - n * 0.693145751953125f;
  r = r - n * 1.428606765330187045e-06f;
  float p = 1.0f / 720.0f;
  p = p * r + 1.0f / 120.0f;
  p = p * r + 1.0f / 24.0f;
  p = p * r + 1.0f / 6.0f;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  int32_t bits = (static_cast<int32_t>(n) + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return p * scale;
}

inline float ftanh(float x) {
  float e = fexp(2.0f * x);
  return 1.0f - 2.0f / (e + 1.0f);
}

}  // namespace lmkit
