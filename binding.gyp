{
  "targets": [
    {
      "target_name": "lmkit",
      "sources": [
        "native/module.cc",
        "native/blas.cc",
        "native/pointwise.cc",
        "native/attention.cc",
        "native/recurrent.cc",
        "native/word2vec.cc"
      ],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags_cc": ["-O3", "-march=<!(node -p \"process.env.LMKIT_MARCH || 'native'\")", "-fopenmp-simd", "-fno-math-errno", "-std=c++17", "-Wall"],
      "libraries": ["-lopenblas"]
    },
    {
      "target_name": "lmkit_io",
      "sources": ["native/mmap.cc", "native/ngram.cc", "native/arpa.cc"],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags_cc": ["-O2", "-std=c++17", "-Wall"]
    }
  ]
}
