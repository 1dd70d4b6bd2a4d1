#!/usr/bin/env python3
"""
The bag-of-words baseline of the few-shot prompting benchmark (bench/bert/prompting.ts): scikit-learn's
CountVectorizer (unigrams and bigrams, lowercased, every word of the k training messages: min_df 1, as
a few examples leave few words seen twice) and LogisticRegression (L2, C=1, liblinear), trained on the k
messages and scored on the test split. When the k messages hold one label only, every test message gets
that label. Debian python3-sklearn.

    /usr/bin/python3 bench/bert/bow_fewshot.py TRAIN.jsonl TEST.jsonl    # prints one JSON line
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
if len(set(ytr)) < 2:
    pred = [ytr[0]] * len(xte)
    features = 0
else:
    vec = CountVectorizer(lowercase=True, ngram_range=(1, 2), min_df=1)
    clf = LogisticRegression(C=1.0, solver='liblinear', max_iter=1000)
    clf.fit(vec.fit_transform(xtr), ytr)
    pred = clf.predict(vec.transform(xte))
    features = len(vec.vocabulary_)
print(json.dumps({'test_accuracy': accuracy_score(yte, pred), 'test_macro_f1': f1_score(yte, pred, average='macro'),
                  'features': features, 'seconds': round(time.time() - t0, 2)}))
