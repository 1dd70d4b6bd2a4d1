import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseArpa } from '../../src/ngram/arpa.js';
import type { BackoffModel } from '../../src/ngram/backoff-model.js';
import { countNGrams } from '../../src/ngram/corpus-count.js';
import { estimateKneserNey } from '../../src/ngram/kneser-ney.js';
import { splitLines, tokenizeSentence } from '../../src/ngram/tokenize.js';
import { KENLM_FIXTURES } from '../helpers/paths.js';

function train(name: string, order: number) {
  const lines = splitLines(readFileSync(join(KENLM_FIXTURES, `${name}.train.txt`), 'utf8'));
  return estimateKneserNey(
    countNGrams(
      lines.map((l) => tokenizeSentence(l, 'word')),
      order,
    ),
  );
}

/** Every n-gram of a model as "w1 w2 ..." → [log10 p, log10 backoff]. */
function entries(model: BackoffModel): Map<string, [number, number]> {
  const out = new Map<string, [number, number]>();
  const text: string[][] = [[], model.vocab.words.slice()];
  for (let n = 1; n <= model.order; n++) {
    if (n > 1) {
      const t = model.tables[n];
      text.push(
        Array.from(
          { length: t.size },
          (_, r) => `${text[n - 1][t.prefix[r]]} ${model.vocab.words[t.word[r]]}`,
        ),
      );
    }
    for (let r = 0; r < model.size(n); r++) {
      out.set(text[n][r], [model.logProb[n][r], n < model.order ? model.backoff[n][r] : 0]);
    }
  }
  return out;
}

for (const name of ['tiny40', 'tiny8']) {
  describe(`Kneser-Ney on ${name} (order 3) matches KenLM lmplz`, () => {
    const reference = parseArpa(
      readFileSync(join(KENLM_FIXTURES, `${name}.o3.arpa`), 'utf8'),
      `${name}.o3.arpa`,
    );
    const { model, warnings } = train(name, 3);

    it('lists exactly the same n-grams per order', () => {
      for (let n = 1; n <= 3; n++) assert.equal(model.size(n), reference.size(n), `order ${n}`);
      const ours = entries(model);
      for (const key of entries(reference).keys()) assert.ok(ours.has(key), `missing ${key}`);
    });

    it('gives every log10 probability and backoff within 1e-6', () => {
      const ours = entries(model);
      let worst = 0;
      for (const [key, [p, b]] of entries(reference)) {
        const [q, c] = ours.get(key) as [number, number];
        worst = Math.max(worst, Math.abs(p - q), Math.abs(b - c));
        assert.ok(Math.abs(p - q) <= 1e-6, `${key}: log10 p ${q} vs KenLM ${p}`);
        assert.ok(Math.abs(b - c) <= 1e-6, `${key}: backoff ${c} vs KenLM ${b}`);
      }
      assert.ok(worst < 1e-6);
    });

    it(
      name === 'tiny8'
        ? 'falls back to default discounts with a warning naming the order'
        : 'needs no discount fallback',
      () => {
        if (name === 'tiny8') {
          assert.ok(warnings.length > 0);
          assert.match(warnings[0], /order \d: cannot estimate Kneser-Ney discounts/);
        } else {
          assert.deepEqual(warnings, []);
        }
      },
    );
  });
}
