"""The peer of bench/embed/bench.ts: gensim 4's Word2Vec (Debian python3-gensim, its C loop) trained on
the same one-sentence-per-line file with the same settings. Prints one JSON line: vocabulary size, words
trained, training seconds and CPU seconds of every thread (vocabulary building excluded, as for
lmkit) and words/s; writes the vectors
in the word2vec format when --out is given. Run with /usr/bin/python3."""
import argparse
import json
import time

from gensim.models import Word2Vec
from gensim.models.word2vec import LineSentence


def main():
    p = argparse.ArgumentParser()
    p.add_argument("corpus")
    p.add_argument("--sg", type=int, default=0)
    p.add_argument("--hs", type=int, default=0)
    p.add_argument("--negative", type=int, default=5)
    p.add_argument("--vector-size", type=int, default=100)
    p.add_argument("--window", type=int, default=5)
    p.add_argument("--min-count", type=int, default=5)
    p.add_argument("--sample", type=float, default=1e-3)
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--workers", type=int, default=3)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--out")
    a = p.parse_args()
    sentences = list(LineSentence(a.corpus))
    model = Word2Vec(
        sg=a.sg, hs=a.hs, negative=a.negative, vector_size=a.vector_size, window=a.window,
        min_count=a.min_count, sample=a.sample, workers=a.workers, seed=a.seed,
    )
    model.build_vocab(sentences)
    in_vocab = sum(1 for s in sentences for w in s if w in model.wv.key_to_index)
    t = time.perf_counter()
    cpu = time.process_time()
    model.train(sentences, total_examples=len(sentences), epochs=a.epochs)
    seconds = time.perf_counter() - t
    cpu_seconds = time.process_time() - cpu
    if a.out:
        model.wv.save_word2vec_format(a.out, binary=a.out.endswith(".bin"))
    words = in_vocab * a.epochs
    print(json.dumps({
        "vocab_size": len(model.wv),
        "trained_words": words,
        "train_seconds": seconds,
        "train_cpu_seconds": cpu_seconds,
        "words_per_second": words / seconds,
    }))


if __name__ == "__main__":
    main()
