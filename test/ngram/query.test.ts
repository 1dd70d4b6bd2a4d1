import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseArpa } from '../../src/ngram/arpa.js';
import { ByteVocabulary, scoreBytes } from '../../src/ngram/byte-vocabulary.js';
import { countNGrams } from '../../src/ngram/corpus-count.js';
import { Evaluator, scoreSentence } from '../../src/ngram/evaluate.js';
import { estimateKneserNey } from '../../src/ngram/kneser-ney.js';
import { splitLines, tokenizeSentence } from '../../src/ngram/tokenize.js';
import { KENLM_FIXTURES } from '../helpers/paths.js';

/** Parses KenLM `query -v word` lines: "word=id matched log10p\t..." then "Total: x OOV: k". */
function parseQueryWords(text: string): { word: string; id: number; matched: number; log10p: number }[][] {
  return splitLines(text).map((line) =>
    line
      .split('\t')
      .filter((f) => /=\d+ \d+ /.test(f))
      .map((f) => {
        const m = /^(.*)=(\d+) (\d+) (\S+)$/.exec(f) as RegExpExecArray;
        return { word: m[1], id: Number(m[2]), matched: Number(m[3]), log10p: Number(m[4]) };
      }),
  );
}

function parseSummary(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of splitLines(text)) {
    const [k, v] = line.split(':\t');
    out[k] = Number(v);
  }
  return out;
}

for (const name of ['tiny40', 'tiny8']) {
  describe(`scoring ${name}.test.txt matches KenLM query`, () => {
    const test = splitLines(readFileSync(join(KENLM_FIXTURES, `${name}.test.txt`), 'utf8')).map((l) =>
      tokenizeSentence(l, 'word'),
    );
    const expected = parseQueryWords(
      readFileSync(join(KENLM_FIXTURES, `${name}.o3.query_words.txt`), 'utf8'),
    );
    const summary = parseSummary(readFileSync(join(KENLM_FIXTURES, `${name}.o3.query_summary.txt`), 'utf8'));
    const fromArpa = parseArpa(readFileSync(join(KENLM_FIXTURES, `${name}.o3.arpa`), 'utf8'));
    const lines = splitLines(readFileSync(join(KENLM_FIXTURES, `${name}.train.txt`), 'utf8'));
    const trained = estimateKneserNey(
      countNGrams(
        lines.map((l) => tokenizeSentence(l, 'word')),
        3,
      ),
    ).model;

    for (const [label, model] of [
      ['the KenLM ARPA', fromArpa],
      ['a model lmkit trained', trained],
    ] as const) {
      it(`gives the same word ids, matched lengths and log10 p per word with ${label}`, () => {
        assert.equal(test.length, expected.length);
        test.forEach((tokens, i) => {
          const got = scoreSentence(model, tokens);
          assert.equal(got.length, expected[i].length);
          got.forEach((g, j) => {
            const e = expected[i][j];
            assert.equal(g.word, e.word);
            assert.equal(g.id, e.id, `id of ${e.word}`);
            assert.equal(g.matched, e.matched, `matched length of ${e.word} in sentence ${i}`);
            assert.ok(Math.abs(g.log10p - e.log10p) <= 1e-6, `${e.word}: ${g.log10p} vs ${e.log10p}`);
          });
        });
      });

      it(`gives the same perplexity including and excluding OOVs with ${label}`, () => {
        const ev = new Evaluator(model);
        for (const t of test) ev.add(t);
        const s = ev.summary();
        assert.equal(s.oov, summary['OOVs']);
        assert.equal(s.tokens, summary['Tokens']);
        assert.ok(
          Math.abs(s.perplexity / summary['Perplexity including OOVs'] - 1) < 1e-6,
          `${s.perplexity}`,
        );
        assert.ok(Math.abs(s.perplexityExclOov / summary['Perplexity excluding OOVs'] - 1) < 1e-6);
      });
    }
  });
}

describe('scoring straight from bytes', () => {
  const model = parseArpa(readFileSync(join(KENLM_FIXTURES, 'tiny40.o3.arpa'), 'utf8'));
  const vocab = new ByteVocabulary(model.vocab.words);

  it('gives the same totals as tokenizing lines, with CRLF, tabs, blank lines and no final newline', () => {
    const text = readFileSync(join(KENLM_FIXTURES, 'tiny40.test.txt'), 'utf8');
    const messy = text.replace(/\n/g, '\r\n').replace(/ the /g, '\tthe  ') + '\nzzz unseen\n\nthe jury';
    const a = new Evaluator(model);
    for (const line of splitLines(messy)) a.add(tokenizeSentence(line, 'word'));
    const b = new Evaluator(model);
    scoreBytes(model, vocab, Buffer.from(messy, 'utf8'), b);
    const sa = a.summary();
    const sb = b.summary();
    assert.equal(sb.sentences, sa.sentences);
    assert.equal(sb.tokens, sa.tokens);
    assert.equal(sb.oov, sa.oov);
    assert.ok(Math.abs(sb.log10Prob - sa.log10Prob) < 1e-9);
  });

  it('finds multi-byte words and rejects sentence markers with the line number', () => {
    const zh = new ByteVocabulary(['<unk>', '<s>', '</s>', '明月', 'café']);
    assert.equal(zh.find(Buffer.from('明月'), 0, 6), 3);
    assert.equal(zh.find(Buffer.from('xcafé'), 1, 6), 4);
    assert.equal(zh.find(Buffer.from('明'), 0, 3), -1);
    assert.throws(
      () => scoreBytes(model, vocab, Buffer.from('the jury\nsaid </s> it\n'), new Evaluator(model)),
      /line 2 contains the reserved token <\/s>/,
    );
  });
});
