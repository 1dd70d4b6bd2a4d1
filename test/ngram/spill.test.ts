import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { LmkitError } from '../../src/errors.js';
import { arpaChunks } from '../../src/ngram/arpa.js';
import {
  countNGrams,
  MIN_COUNT_MEMORY,
  NGramCounter,
  type NGramCounts,
} from '../../src/ngram/corpus-count.js';
import { tokenizeSentence } from '../../src/ngram/tokenize.js';
import { trainNGram } from '../../src/ngram/train.js';
import { parseMemorySize } from '../../src/util/memory-size.js';
import { Rng } from '../../src/util/rng.js';
import { runCli } from '../helpers/cli.js';
import { ROOT, tempDir } from '../helpers/paths.js';

/** Random sentences over a Zipf-like vocabulary of `vocab` words (some empty). */
function corpus(sentences: number, vocab: number, seed: number): string[] {
  const rng = new Rng(seed);
  const out: string[] = [];
  for (let s = 0; s < sentences; s++) {
    const len = Math.floor(rng.uniform() * 12);
    const words: string[] = [];
    for (let i = 0; i < len; i++) words.push(`w${Math.floor(vocab * rng.uniform() ** 2)}`);
    out.push(words.join(' '));
  }
  return out;
}

/** Every substring of `<s> … </s>` of length 1..order with `<s>` only first, counted the obvious way. */
function bruteForce(sentences: string[], order: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (const s of sentences) {
    const t = ['<s>', ...s.split(' ').filter(Boolean), '</s>'];
    for (let i = 0; i < t.length; i++) {
      for (let n = 1; n <= order && i + n <= t.length; n++) {
        if (n > 1 && t.slice(i + 1, i + n).includes('<s>')) break;
        const key = t.slice(i, i + n).join(' ');
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
    }
  }
  return counts;
}

/** The counted n-grams as text → raw count, with their suffix rows checked on the way. */
function asMap(c: NGramCounts): Map<string, number> {
  const out = new Map<string, number>();
  const words = c.vocab.words;
  const text: string[][] = [[], words];
  for (let w = 0; w < words.length; w++) if (c.counts[1][w] > 0) out.set(words[w], c.counts[1][w]);
  for (let n = 2; n <= c.order; n++) {
    const t = c.tables[n];
    const rows: string[] = [];
    for (let r = 0; r < t.size; r++) {
      rows.push(`${text[n - 1][t.prefix[r]]} ${words[t.word[r]]}`);
      out.set(rows[r], c.counts[n][r]);
    }
    for (let r = 0; r < t.size; r++) {
      const suffix = rows[r].split(' ').slice(1).join(' ');
      assert.equal(text[n - 1][c.suffix[n][r]], suffix, `suffix row of ${rows[r]}`);
    }
    text.push(rows);
  }
  return out;
}

function arpaText(sentences: string[], order: number, memoryBytes?: number, tempDir?: string): string {
  const runs: number[] = [];
  const { model } = trainNGram(sentences, {
    order,
    smoothing: 'kn',
    memoryBytes,
    tempDir,
    onSpill: (e) => runs.push(e.runs),
  });
  if (memoryBytes !== undefined) assert.ok(runs.length > 1, 'the small memory should have spilled runs');
  return Buffer.concat([...arpaChunks(model)]).toString('utf8');
}

describe('n-gram counting in sorted runs (lmplz-style estimation)', () => {
  it('counts every order exactly as the obvious count does, with consistent suffix rows', () => {
    for (const order of [1, 2, 3, 5]) {
      const sentences = corpus(300, 40, order);
      const got = asMap(
        countNGrams(
          sentences.map((s) => s.split(' ').filter(Boolean)),
          order,
        ),
      );
      assert.deepEqual(new Map([...got].sort()), new Map([...bruteForce(sentences, order)].sort()));
    }
  });

  it('counts lines from their bytes exactly as from their tokens (separators, UTF-8, specials)', () => {
    const lines = [...corpus(500, 60, 9), '', '  déjà\tvu \r naïve 北京 ', 'a\0b  <unk> c', '<s> only </s>'];
    const cases = [
      { lines, options: { unkInText: true, skipSymbols: true } },
      { lines, options: { skipSymbols: true } },
      { lines: ['p q', 'x\ny z'], options: {} }, // not one line each: the token path
    ];
    for (const { lines, options } of cases) {
      const bytes = new NGramCounter(3, options);
      bytes.addLines(lines);
      const tokens = new NGramCounter(3, options);
      for (const l of lines) tokens.add(tokenizeSentence(l, 'word'));
      const a = bytes.finish();
      const b = tokens.finish();
      assert.deepEqual(a.vocab.words, b.vocab.words);
      assert.deepEqual(asMap(a), asMap(b));
    }
    const strict = new NGramCounter(3);
    assert.throws(() => strict.addLines(['a b', 'c <s> d']), /line 2 contains the reserved token <s>/);
  });

  it('gives the same model, byte for byte, when counts spill to many runs and merge in several passes', () => {
    const dir = tempDir();
    const sentences = corpus(4000, 3000, 7);
    const whole = arpaText(sentences, 4);
    const spilled = arpaText(sentences, 4, MIN_COUNT_MEMORY, dir);
    assert.equal(spilled, whole);
    assert.deepEqual(readdirSync(dir), [], 'the spilled runs are deleted');
  });

  it('deletes its runs when counting fails, and explains bad memory and folders', () => {
    const dir = tempDir();
    const counter = new NGramCounter(3, { memoryBytes: MIN_COUNT_MEMORY, tempDir: dir });
    for (const s of corpus(3000, 3000, 3)) counter.add(s.split(' ').filter(Boolean));
    assert.equal(readdirSync(dir).length, 1);
    assert.ok(readdirSync(join(dir, readdirSync(dir)[0])).length > 0, 'runs were spilled');
    assert.throws(() => counter.add(['a', '<s>']), /reserved token <s>/);
    counter.dispose();
    assert.deepEqual(readdirSync(dir), []);
    assert.throws(
      () => new NGramCounter(3, { memoryBytes: 1000 }),
      /too small to count n-grams: at least 64K/,
    );
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    assert.throws(
      () => new NGramCounter(3, { memoryBytes: 1 << 20, tempDir: file }),
      (e: unknown) => e instanceof LmkitError && /cannot make temporary files in .*a-file/.test(e.message),
    );
  });

  it('reads memory sizes as lmplz -S does', () => {
    assert.equal(parseMemorySize('1G'), 2 ** 30);
    assert.equal(parseMemorySize('512M'), 512 * 2 ** 20);
    assert.equal(parseMemorySize('1.5gb'), 1.5 * 2 ** 30);
    assert.equal(parseMemorySize('64'), 64 * 1024);
    assert.ok(parseMemorySize('50%') > 0);
    assert.throws(() => parseMemorySize('lots'), /--memory needs a size such as 1G/);
    assert.throws(() => parseMemorySize('150%'), /more than all the memory/);
  });

  it('lmkit ngram train --memory/--temp: same file as in memory, runs gone, clear errors', async () => {
    const dir = tempDir();
    const text = join(dir, 'train.txt');
    writeFileSync(text, corpus(3000, 2000, 11).join('\n') + '\n');
    const temp = join(dir, 'temp');
    const runs = join(dir, 'runs');
    const a = await runCli(['ngram', 'train', '-o', '3', text, '--out', join(dir, 'a.arpa'), '--json']);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(JSON.parse(a.stdout).spilled_runs, 0);
    mkdirSync(runs);
    const b = await runCli([
      'ngram',
      'train',
      '-o',
      '3',
      text,
      '--out',
      join(dir, 'b.arpa'),
      '--memory',
      '64K',
      '--temp',
      runs,
      '--json',
    ]);
    assert.equal(b.code, 0, b.stderr);
    assert.ok(JSON.parse(b.stdout).spilled_runs > 1);
    assert.match(b.stderr, /merging \d+ sorted runs/);
    assert.deepEqual(readFileSync(join(dir, 'b.arpa')), readFileSync(join(dir, 'a.arpa')));
    assert.deepEqual(readdirSync(runs), []);
    const small = await runCli(['ngram', 'train', text, '--out', join(dir, 'c.arpa'), '--memory', '10K']);
    assert.equal(small.code, 2);
    assert.match(small.stderr, /--memory 10K is too small to make progress/);
    const missing = await runCli(['ngram', 'train', text, '--out', join(dir, 'c.arpa'), '--temp', temp]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /cannot make temporary files in .*temp: no such folder/);
    assert.ok(!existsSync(join(dir, 'c.arpa')));
  });

  it('a build stopped by SIGTERM leaves no model and no spilled runs', async () => {
    const dir = tempDir();
    const text = join(dir, 'train.txt');
    writeFileSync(text, corpus(60000, 20000, 5).join('\n') + '\n');
    const runs = join(dir, 'runs');
    mkdirSync(runs);
    const out = join(dir, 'm.arpa');
    const child = spawn(
      process.execPath,
      [
        join(ROOT, 'bin', 'lmkit.js'),
        'ngram',
        'train',
        '-o',
        '5',
        text,
        '--out',
        out,
        '--memory',
        '64K',
        '--temp',
        runs,
      ],
      { stdio: 'ignore' },
    );
    // Wait until runs are on disk, then stop the build.
    const deadline = Date.now() + 60_000;
    const spilled = () => readdirSync(runs).some((d) => readdirSync(join(runs, d)).length > 0);
    while (!spilled()) {
      assert.ok(Date.now() < deadline, 'no runs were spilled within a minute');
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill('SIGTERM');
    const signal = await new Promise((r) => child.on('exit', (_code, sig) => r(sig)));
    assert.equal(signal, 'SIGTERM');
    assert.deepEqual(readdirSync(runs), []);
    assert.ok(!existsSync(out));
  });
});
