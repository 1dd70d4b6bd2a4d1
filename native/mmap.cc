// lmkit_io: maps a whole file into memory as an ArrayBuffer (private, copy-on-write), so a large model
// file is paged in from the page cache as it is touched instead of copied into fresh memory first; and
// scores text with an n-gram model straight from its bytes (native/ngram.cc) and reads ARPA files
// (native/arpa.cc).
// A separate addon from the tensor kernels: it needs no BLAS, and loading it is cheap.
#include <node_api.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>
#include <string>

namespace lmkit {
void registerNGramScoring(napi_env env, napi_value exports);
void registerArpaReading(napi_env env, napi_value exports);
}

namespace {

struct Mapping {
  void* addr;
  size_t len;
};

void unmap(napi_env, void*, void* hint) {
  auto* m = static_cast<Mapping*>(hint);
  munmap(m->addr, m->len);
  delete m;
}

napi_value throwError(napi_env env, const std::string& msg) {
  napi_throw_error(env, nullptr, msg.c_str());
  return nullptr;
}

// mapFile(path: string): ArrayBuffer — the file's bytes; writes stay private to this process.
napi_value mapFile(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc < 1) return throwError(env, "mapFile(path) needs a path");
  size_t n = 0;
  if (napi_get_value_string_utf8(env, argv[0], nullptr, 0, &n) != napi_ok)
    return throwError(env, "mapFile(path): path must be a string");
  std::string path(n, '\0');
  napi_get_value_string_utf8(env, argv[0], path.data(), n + 1, &n);
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return throwError(env, "cannot open " + path + ": " + std::strerror(errno));
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size == 0) {
    close(fd);
    return throwError(env, path + " is not a non-empty regular file");
  }
  size_t len = static_cast<size_t>(st.st_size);
  void* addr = mmap(nullptr, len, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  int err = errno;
  close(fd);
  if (addr == MAP_FAILED) return throwError(env, "cannot map " + path + ": " + std::strerror(err));
  auto* m = new Mapping{addr, len};
  napi_value ab;
  if (napi_create_external_arraybuffer(env, addr, len, unmap, m, &ab) != napi_ok) {
    munmap(addr, len);
    delete m;
    return throwError(env, "cannot wrap the mapping of " + path + " in an ArrayBuffer");
  }
  return ab;
}

napi_value Init(napi_env env, napi_value exports) {
  napi_value fn;
  napi_create_function(env, "mapFile", NAPI_AUTO_LENGTH, mapFile, nullptr, &fn);
  napi_set_named_property(env, exports, "mapFile", fn);
  lmkit::registerNGramScoring(env, exports);
  lmkit::registerArpaReading(env, exports);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
