import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { arpaChunks, parseArpa } from '../../src/ngram/arpa.js';
import type { BackoffModel } from '../../src/ngram/backoff-model.js';
import { readBinary, writeBinary } from '../../src/ngram/binary.js';
import { Evaluator, scoreSentence } from '../../src/ngram/evaluate.js';
import { NativeScorer, ScoreMode } from '../../src/ngram/native-score.js';
import { ProbingIndex } from '../../src/ngram/probing-index.js';
import { scoreFileNatively } from '../../src/ngram/score-file.js';
import { trainNGram } from '../../src/ngram/train.js';
import { splitLines, tokenizeSentence } from '../../src/ngram/tokenize.js';
import { ioAddon } from '../../src/util/io-addon.js';
import { Rng } from '../../src/util/rng.js';
import { runCli } from '../helpers/cli.js';
import { KENLM_FIXTURES, tempDir } from '../helpers/paths.js';

const probe = parseArpa(readFileSync(join(KENLM_FIXTURES, 'tiny8.o3.arpa'), 'utf8'));
const skip = NativeScorer.of(probe) ? false : 'the lmkit_io addon is not built';
const dir = tempDir();

/** A corpus with a Zipf-like vocabulary, so that orders 3 and 5 have many stored and unseen n-grams. */
function corpus(sentences: number, seed: number): string[] {
  const rng = new Rng(seed);
  const words = Array.from({ length: 300 }, (_, i) => `w${i}`);
  return Array.from({ length: sentences }, () => {
    const len = 1 + Math.floor(rng.uniform() * 14);
    return Array.from({ length: len }, () => words[Math.floor(300 * rng.uniform() ** 3)]).join(' ');
  });
}

/** Scores `text` with the TypeScript path (the reference), as `lmkit ngram query` splits it. */
function reference(model: BackoffModel, lines: string[]) {
  return lines.map((l) => scoreSentence(model, tokenizeSentence(l, 'word')));
}

describe('native n-gram scoring', { skip }, () => {
  const train = corpus(3000, 1);
  // Held-out text with unseen words (w300+), <unk> itself, tabs, NUL and CR inside lines, and empty lines.
  const test = [...corpus(400, 2), 'w1 w999 w2 <unk> w3', '', 'w5\tw6  w7\0w8\rw9', 'zz', '   '];
  for (const order of [3, 5]) {
    const trained = trainNGram(train, { order, smoothing: 'kn' }).model;
    const path = join(dir, `kn${order}.bin`);
    writeBinary(trained, path);
    for (const [label, model] of [
      ['as estimated', trained],
      ['read from its binary file', readBinary(path)],
    ] as const) {
      it(`gives every token the reference's id, matched length and log10 p (KN order ${order}, ${label})`, () => {
        const scorer = NativeScorer.of(model) as NativeScorer;
        const bytes = Buffer.from(test.join('\n') + '\n', 'utf8');
        const got = scorer.scoreTokens(bytes, 0, bytes.length, 0);
        assert.ok(Array.isArray(got));
        const want = reference(model, test);
        assert.equal(got.length, want.length);
        want.forEach((sentence, i) => {
          assert.equal(got[i].length, sentence.length, `sentence ${i}`);
          sentence.forEach((w, k) => {
            const g = got[i][k];
            assert.equal(g.id, w.id);
            assert.equal(g.matched, w.matched, `matched length of token ${k} of sentence ${i}`);
            assert.equal(g.log10p, w.log10p); // the same doubles, not merely close
            if (k < sentence.length - 1)
              assert.equal(bytes.toString('utf8', g.start, g.start + g.length), w.word);
          });
        });
      });

      it(`sums the reference's totals to the bit (KN order ${order}, ${label})`, () => {
        const ev = new Evaluator(model);
        for (const l of test) ev.add(tokenizeSentence(l, 'word'));
        const native = new Evaluator(model);
        const scorer = NativeScorer.of(model) as NativeScorer;
        const bytes = Buffer.from(test.join('\n'), 'utf8');
        // In two calls split at a line end, as `ngram eval` scores a file chunk by chunk.
        const cut = bytes.indexOf(0x0a, bytes.length >> 1) + 1;
        assert.equal(scorer.score(bytes, 0, cut, 0), -1);
        assert.equal(scorer.score(bytes, cut, bytes.length, 0), -1);
        native.addTotals(scorer.result());
        const [a, b] = [ev.summary(), native.summary()];
        assert.deepEqual(b, a);
        assert.ok(a.oov >= 3 && a.sentences === test.length, `${a.oov} OOVs, ${a.sentences} sentences`);
      });
    }
  }

  it('sums a text of over 1 MiB (two threads, eight streams) to the same totals', () => {
    const model = trainNGram(train, { order: 4, smoothing: 'kn' }).model;
    const lines = corpus(45000, 5);
    const bytes = Buffer.from(lines.join('\n'), 'utf8');
    assert.ok(bytes.length > 1 << 20);
    const ev = new Evaluator(model);
    for (const l of lines) ev.add(tokenizeSentence(l, 'word'));
    const scorer = NativeScorer.of(model) as NativeScorer;
    assert.equal(scorer.score(bytes, 0, bytes.length, ScoreMode.trimSkipBlank, 'test'), -1);
    const test = new Evaluator(model);
    for (const l of lines.filter((_, i) => i % 10 === 9)) test.add(tokenizeSentence(l, 'word'));
    const native = new Evaluator(model);
    native.addTotals(scorer.result());
    assert.deepEqual(native.summary(), test.summary());
    const all = NativeScorer.of(model) as NativeScorer;
    assert.equal(all.score(bytes, 0, bytes.length, 0), -1);
    const whole = new Evaluator(model);
    whole.addTotals(all.result());
    assert.deepEqual(whole.summary(), ev.summary());
  });

  it('matches KenLM query word by word and in perplexity (its ARPA files and query output)', () => {
    for (const name of ['tiny40', 'tiny8']) {
      const model = parseArpa(readFileSync(join(KENLM_FIXTURES, `${name}.o3.arpa`), 'utf8'));
      const text = readFileSync(join(KENLM_FIXTURES, `${name}.test.txt`));
      const expected = splitLines(readFileSync(join(KENLM_FIXTURES, `${name}.o3.query_words.txt`), 'utf8'));
      const got = (NativeScorer.of(model) as NativeScorer).scoreTokens(text, 0, text.length, 0);
      assert.ok(Array.isArray(got));
      assert.equal(got.length, expected.length);
      got.forEach((sentence, i) => {
        const fields = expected[i].split('\t').filter((f) => /=\d+ \d+ /.test(f));
        assert.equal(sentence.length, fields.length);
        sentence.forEach((t, k) => {
          const m = /=(\d+) (\d+) (\S+)$/.exec(fields[k]) as RegExpExecArray;
          assert.equal(t.id, Number(m[1]));
          assert.equal(t.matched, Number(m[2]));
          assert.ok(Math.abs(t.log10p - Number(m[3])) < 1e-6, fields[k]);
        });
      });
    }
  });

  it('reads ARPA files into the probing index the TypeScript reader builds, slot for slot', () => {
    const texts = [
      readFileSync(join(KENLM_FIXTURES, 'tiny40.o3.arpa')),
      readFileSync(join(KENLM_FIXTURES, 'tiny8.o3.arpa')),
      Buffer.concat([...arpaChunks(trainNGram(train, { order: 5, smoothing: 'kn' }).model)]),
    ];
    for (const text of texts) {
      // The addon reads this file itself (it does not hand it back to arpa.ts).
      const counts = [
        ...text.toString('latin1', 0, text.indexOf('\\1-grams:')).matchAll(/ngram \d+=(\d+)/g),
      ].map((c) => Number(c[1]));
      const layout = ProbingIndex.layoutFor(counts.length, counts);
      const geometry = [counts.length];
      counts.forEach((c, i) =>
        geometry.push(c, layout.base[i + 1], layout.capacity[i + 1], layout.stride[i + 1]),
      );
      const read = ioAddon()?.ngramReadArpa;
      assert.ok(read?.(text, text.indexOf('\\1-grams:'), Float64Array.from(geometry)));
      const fast = parseArpa(text);
      process.env.LMKIT_NO_NATIVE_NGRAM = '1';
      const slow = (() => {
        try {
          return parseArpa(text);
        } finally {
          delete process.env.LMKIT_NO_NATIVE_NGRAM;
        }
      })();
      assert.deepEqual(fast.vocab.words, slow.vocab.words);
      assert.deepEqual(fast.index.unigram, slow.index.unigram);
      assert.deepEqual(fast.index.layout, slow.index.layout);
      assert.ok(
        Buffer.from(fast.index.slots.buffer, fast.index.slots.byteOffset, fast.index.slots.byteLength).equals(
          Buffer.from(slow.index.slots.buffer, slow.index.slots.byteOffset, slow.index.slots.byteLength),
        ),
      );
    }
    // A context missing (as in pruned SRILM files) or a duplicate: the addon declines, arpa.ts reads it.
    const pruned =
      '\\data\\\nngram 1=4\nngram 2=1\nngram 3=1\n\n\\1-grams:\n-1\t<s>\t-0.5\n-1\ta\t-0.5\n-1\tb\n-1\t</s>\n\n' +
      '\\2-grams:\n-0.5\t<s> a\t-0.2\n\n\\3-grams:\n-0.1\ta b </s>\n\n\\end\\\n';
    const m = parseArpa(pruned);
    assert.equal(m.size(2), 2); // a b was added with its backed-off probability
  });

  it('reports where a sentence marker is, and finds words that differ only after byte 8', () => {
    const model = trainNGram(['abcdefghij1 abcdefghij2 x', 'abcdefghij2 x y'], {
      order: 3,
      smoothing: 'kn',
    }).model;
    const scorer = NativeScorer.of(model) as NativeScorer;
    const text = Buffer.from('x y\nx </s> y\n');
    assert.equal(scorer.score(text, 0, text.length, 0), text.indexOf('</s>'));
    const words = Buffer.from('abcdefghij2 abcdefghij3 ABCDEFGHIJ1\n');
    const [s] = scorer.scoreTokens(words, 0, words.length, ScoreMode.lowercaseAscii) as { id: number }[][];
    assert.deepEqual(
      s.map((t) => t.id),
      [model.vocab.idOf('abcdefghij2'), 0, model.vocab.idOf('abcdefghij1'), 2],
    );
  });
});

describe('lmkit ngram eval scores files natively as the TypeScript path does', { skip }, () => {
  const model = join(dir, 'lower.bin');
  const lines = corpus(2000, 3);
  writeFileSync(join(dir, 'train.txt'), lines.join('\n') + '\n');

  it('gives the same summary for CRLF, lone CR, blank and whitespace lines, BOM, NUL, trims and case', async () => {
    const t = await runCli([
      'ngram',
      'train',
      '-o',
      '4',
      '--lowercase',
      join(dir, 'train.txt'),
      '--out',
      model,
    ]);
    assert.equal(t.code, 0, t.stderr);
    const texts: Record<string, string> = {
      tiny: 'W1 w2\n',
      ascii: [
        '\ufeffW1 w2 W3',
        '',
        '  \t ',
        'w4 w5\r\nw6\rw7 w8',
        '\0',
        'W999 w1\0w2',
        ...lines.slice(0, 300),
      ].join('\n'),
      unicode: [
        '\u00a0w1 w2\u3000',
        '\u2028',
        'ΣΊΣΥΦΟΣ w1 İw2 ÉCOLE',
        '\u205fw3\u00a0w4 \ufeff',
        ...lines.slice(300, 600),
      ].join('\r\n'),
    };
    for (const [name, text] of Object.entries(texts)) {
      const file = join(dir, `${name}.txt`);
      writeFileSync(file, text);
      for (const extra of [[], ['--split', 'train'], ['--split', 'test'], ['--format', 'lines']]) {
        const args = ['ngram', 'eval', model, file, '--json', ...extra];
        const split = extra[0] === '--split' ? extra[1] : undefined;
        assert.ok(await scoreFileNatively(readBinary(model), file, { split }), `${name}: scored natively`);
        const fast = await runCli(args);
        process.env.LMKIT_NO_NATIVE_NGRAM = '1';
        const slow = await runCli(args).finally(() => delete process.env.LMKIT_NO_NATIVE_NGRAM);
        assert.equal(fast.code, 0, fast.stderr);
        assert.equal(fast.stdout, slow.stdout, `${name} ${extra.join(' ')}`);
      }
    }
  });

  it('lmkit ngram query prints what the TypeScript path prints, word by word and in JSON', async () => {
    const input = ['W1 w2 W999', '', 'w3\tw4  w5 \r', 'ΣΊΣΥΦΟΣ w6', ...lines.slice(0, 50)].join('\n') + '\n';
    for (const extra of [[], ['--json'], ['--summary-only']]) {
      const args = ['ngram', 'query', model, ...extra];
      const fast = await runCli(args, input);
      process.env.LMKIT_NO_NATIVE_NGRAM = '1';
      const slow = await runCli(args, input).finally(() => delete process.env.LMKIT_NO_NATIVE_NGRAM);
      assert.equal(fast.code, 0, fast.stderr);
      assert.equal(fast.stdout, slow.stdout, extra.join(' '));
    }
    const marker = await runCli(['ngram', 'query', model], 'w1 <s> w2\n');
    assert.equal(marker.code, 1);
    assert.match(marker.stderr, /reserved token <s>/);
  });

  it('refuses sentence markers with the line, as the TypeScript path refuses them', async () => {
    const file = join(dir, 'marker.txt');
    writeFileSync(file, 'w1 w2\nw3 </s> w4\n');
    const fast = await runCli(['ngram', 'eval', model, file]);
    assert.equal(fast.code, 1);
    assert.match(fast.stderr, /marker\.txt:2: the text contains the reserved token <\/s>/);
  });
});
