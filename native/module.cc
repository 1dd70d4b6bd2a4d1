// The lmkit native addon: registers the BLAS, pointwise, attention and recurrent kernels.
#include "napi_util.h"

namespace lmkit {

void defineFunction(napi_env env, napi_value exports, const char* name, napi_callback cb) {
  napi_value fn;
  napi_create_function(env, name, NAPI_AUTO_LENGTH, cb, nullptr, &fn);
  napi_set_named_property(env, exports, name, fn);
}

}  // namespace lmkit

static napi_value Init(napi_env env, napi_value exports) {
  lmkit::registerBlas(env, exports);
  lmkit::registerPointwise(env, exports);
  lmkit::registerAttention(env, exports);
  lmkit::registerRecurrent(env, exports);
  lmkit::registerWord2Vec(env, exports);
  napi_value version;
  napi_create_int32(env, 1, &version);
  napi_set_named_property(env, exports, "abiVersion", version);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
