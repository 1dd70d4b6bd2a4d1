#!/usr/bin/env python3
"""
The bag-of-words baseline for the classification benchmark (bench/bert/classify.ts): scikit-learn's
CountVectorizer (unigrams and bigrams, lowercased, words seen in 2+ training texts; with --chars single
characters seen in 2+ training texts, for Chinese) and LogisticRegression (L2, C=1, liblinear), trained on
the train split and scored on the test split. Debian python3-sklearn.

    /usr/bin/python3 bench/bert/bow_logreg.py TRAIN.jsonl TEST.jsonl [--chars]    # prints one JSON line
"""
import json, sys, time
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score


def read(path):
    rows = [json.loads(l) for l in open(path, encoding='utf-8') if l.strip()]
    return [r['text'] for r in rows], [r['label'] for r in rows]


t0 = time.time()
(xtr, ytr), (xte, yte) = read(sys.argv[1]), read(sys.argv[2])
if '--chars' in sys.argv[3:]:
    vec = CountVectorizer(analyzer='char', ngram_range=(1, 1), min_df=2)
else:
    vec = CountVectorizer(lowercase=True, ngram_range=(1, 2), min_df=2)
clf = LogisticRegression(C=1.0, solver='liblinear', max_iter=1000)
clf.fit(vec.fit_transform(xtr), ytr)
pred = clf.predict(vec.transform(xte))
print(json.dumps({'test_accuracy': accuracy_score(yte, pred), 'test_macro_f1': f1_score(yte, pred, average='macro'),
                  'features': len(vec.vocabulary_), 'seconds': round(time.time() - t0, 2)}))
