#!/usr/bin/env python3
"""The NLTK peer for lmkit's n-gram benchmark: fit nltk.lm.KneserNeyInterpolated on a training file
(one sentence per line, space-separated tokens), then score test words until a word or time limit.
Prints one JSON line. Run with Debian's python3-nltk: /usr/bin/python3 bench/ngram/nltk_kn.py ..."""
import argparse
import json
import resource
import time

from nltk.lm import KneserNeyInterpolated
from nltk.lm.preprocessing import padded_everygram_pipeline, pad_both_ends


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--train", required=True)
    ap.add_argument("--test", required=True)
    ap.add_argument("--order", type=int, default=3)
    ap.add_argument("--max-words", type=int, default=300)
    ap.add_argument("--max-seconds", type=float, default=60.0)
    args = ap.parse_args()

    with open(args.train, encoding="utf-8") as f:
        train = [line.split() for line in f]
    t0 = time.perf_counter()
    lm = KneserNeyInterpolated(args.order)
    grams, vocab = padded_everygram_pipeline(args.order, train)
    lm.fit(grams, vocab)
    fit_seconds = time.perf_counter() - t0

    with open(args.test, encoding="utf-8") as f:
        test = [line.split() for line in f]
    scored = 0
    t1 = time.perf_counter()
    for sentence in test:
        padded = list(pad_both_ends(sentence, n=args.order))
        for i in range(args.order - 1, len(padded)):
            lm.logscore(padded[i], padded[i - args.order + 1 : i])
            scored += 1
            if scored >= args.max_words or time.perf_counter() - t1 > args.max_seconds:
                break
        else:
            continue
        break
    score_seconds = time.perf_counter() - t1
    print(
        json.dumps(
            {
                "peer": "nltk",
                "order": args.order,
                "fit_seconds": fit_seconds,
                "words_scored": scored,
                "score_seconds": score_seconds,
                "words_per_second": scored / score_seconds,
                "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            }
        )
    )


if __name__ == "__main__":
    main()
