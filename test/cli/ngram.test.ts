import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { runCli } from '../helpers/cli.js';
import { KENLM_FIXTURES, tempDir } from '../helpers/paths.js';

const TRAIN = join(KENLM_FIXTURES, 'tiny40.train.txt');
const TEST = join(KENLM_FIXTURES, 'tiny40.test.txt');
const dir = tempDir();
const arpa = join(dir, 'm.arpa');
const bin = join(dir, 'm.bin');

describe('lmkit ngram', () => {
  it('trains a Kneser-Ney model as ARPA and as binary', async () => {
    const r = await runCli(['ngram', 'train', '--order', '3', TRAIN, '--out', arpa]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /390 1-grams, 774 2-grams, 867 3-grams/);
    assert.ok(readFileSync(arpa, 'utf8').includes('\\3-grams:'));
    const j = await runCli(['ngram', 'train', '-o', '3', TRAIN, '--out', bin, '--json']);
    assert.equal(j.code, 0, j.stderr);
    assert.deepEqual(JSON.parse(j.stdout).ngrams, [390, 774, 867]);
  });

  it('evaluates like KenLM query, in text and JSON, from ARPA and binary alike', async () => {
    for (const model of [arpa, bin]) {
      const r = await runCli(['ngram', 'eval', model, TEST, '--json']);
      assert.equal(r.code, 0, r.stderr);
      const s = JSON.parse(r.stdout);
      assert.equal(s.tokens, 217);
      assert.equal(s.oov, 86);
      assert.equal(s.sentences, 10);
      assert.ok(Math.abs(s.perplexity / 184.76635467079328 - 1) < 1e-6);
      assert.ok(Math.abs(s.perplexity_excl_oov / 55.51304622577488 - 1) < 1e-6);
    }
    const text = await runCli(['ngram', 'eval', arpa, TEST]);
    assert.match(text.stdout, /perplexity including OOVs: 184\.766/);
  });

  it('prints per-word scores from standard input like KenLM query', async () => {
    const r = await runCli(['ngram', 'query', arpa], readFileSync(TEST, 'utf8'));
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    // KenLM: the=3 2 -0.4207654\tcity=32 2 -2.0656853 ... Total: -48.57416 OOV: 7
    assert.match(lines[0], /^the=3 2 -0\.42076\d*\tcity=32 2 -2\.06568\d*\t/);
    assert.match(lines[0], /Total: -48\.5741\d* OOV: 7$/);
    assert.match(r.stdout, /Perplexity including OOVs:\t184\.766/);
  });

  it('reports infinite perplexity for MLE with the number of zero-probability events', async () => {
    const mle = join(dir, 'mle.arpa');
    assert.equal((await runCli(['ngram', 'train', '--smoothing', 'mle', TRAIN, '--out', mle])).code, 0);
    const r = await runCli(['ngram', 'eval', mle, TEST, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout);
    assert.equal(s.perplexity, null);
    assert.ok(s.zero_prob_events > 0);
    const text = await runCli(['ngram', 'eval', mle, TEST]);
    assert.match(text.stdout, /perplexity including OOVs: infinite/);
  });

  it('generates reproducible sentences with a seed, starting with the prompt', async () => {
    const a = await runCli(['ngram', 'generate', bin, '--n', '3', '--seed', '7', '--prompt', 'the jury']);
    const b = await runCli(['ngram', 'generate', bin, '--n', '3', '--seed', '7', '--prompt', 'the jury']);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(a.stdout, b.stdout);
    const lines = a.stdout.trim().split('\n');
    assert.equal(lines.length, 3);
    for (const l of lines) assert.match(l, /^the jury/);
    const greedy = await runCli(['ngram', 'generate', bin, '--n', '2', '--temperature', '0']);
    const [g1, g2] = greedy.stdout.trim().split('\n');
    assert.equal(g1, g2);
  });

  it('lists the most likely next words with probabilities', async () => {
    const r = await runCli(['ngram', 'next', arpa, 'the grand', '--top', '3', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const rows = JSON.parse(r.stdout);
    assert.equal(rows.length, 3);
    assert.equal(rows[0].token, 'jury');
    assert.ok(rows[0].p > rows[1].p && rows[1].p >= rows[2].p);
    const text = (await runCli(['ngram', 'next', arpa, 'the grand', '--top', '3'])).stdout.split('\n');
    assert.equal(text[0], 'p\tlog10p\ttoken', 'a column header');
    assert.match(text[1], /^0\.\d{6}\t-\d\.\d{4}\tjury$/);
  });

  it('accepts gzip training text and character-level models', async () => {
    const gz = join(dir, 'train.txt.gz');
    writeFileSync(gz, gzipSync(readFileSync(TRAIN)));
    const out = join(dir, 'char.bin');
    const r = await runCli(['ngram', 'train', '--order', '5', '--level', 'char', gz, '--out', out, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const e = await runCli(['ngram', 'eval', out, TEST, '--json']);
    assert.equal(JSON.parse(e.stdout).oov < 10, true);
  });
});

describe('lmkit ngram on bad input', () => {
  const cases: [string, string[], RegExp, string?][] = [
    [
      'order 0',
      ['ngram', 'train', '--order', '0', TRAIN, '--out', join(dir, 'x.arpa')],
      /--order must be at least 1/,
    ],
    ['a missing --out', ['ngram', 'train', TRAIN], /--out MODEL is required/],
    [
      'an unknown smoothing',
      ['ngram', 'train', '--smoothing', 'wb', TRAIN, '--out', 'x'],
      /one of kn, mle, addk, stupid/,
    ],
    [
      'a missing training file',
      ['ngram', 'train', join(dir, 'nope.txt'), '--out', 'x'],
      /neither a file nor a dataset/,
    ],
    ['a missing model', ['ngram', 'eval', join(dir, 'nope.arpa'), TEST], /does not exist/],
  ];
  for (const [what, args, pattern] of cases) {
    it(`rejects ${what} with one line on stderr and a non-zero exit`, async () => {
      const r = await runCli(args);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, pattern);
      assert.equal(r.stderr.trim().split('\n').length, 1);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    });
  }

  it('rejects an empty corpus, a line with <s>, and binary garbage', async () => {
    const empty = join(dir, 'empty.txt');
    writeFileSync(empty, '\n\n');
    const r1 = await runCli(['ngram', 'train', empty, '--out', join(dir, 'e.arpa')]);
    assert.notEqual(r1.code, 0);
    assert.match(r1.stderr, /empty|no words/);
    const bos = join(dir, 'bos.txt');
    writeFileSync(bos, 'a b c\nd <s> e\n');
    const r2 = await runCli(['ngram', 'train', bos, '--out', join(dir, 'b.arpa')]);
    assert.match(r2.stderr, /line 2 contains the reserved token <s>.*--skip-symbols/);
    const junk = join(dir, 'junk.bin');
    writeFileSync(junk, Buffer.from([0xff, 0xfe, 0x00, 0x81, 0x82, 0x00, 0x10]));
    const r3 = await runCli(['ngram', 'train', junk, '--out', join(dir, 'j.arpa')]);
    assert.notEqual(r3.code, 0);
    assert.match(r3.stderr, /UTF-8/);
    const r4 = await runCli(['ngram', 'eval', junk, TEST]);
    assert.notEqual(r4.code, 0);
    assert.match(r4.stderr, /neither an ARPA file nor an lmkit binary/);
    assert.ok(!existsSync(join(dir, 'e.arpa')) && !existsSync(join(dir, 'b.arpa')));
  });

  it('rejects a truncated ARPA file with its line number', async () => {
    const cut = join(dir, 'cut.arpa');
    const text = readFileSync(arpa, 'utf8');
    writeFileSync(cut, text.slice(0, Math.floor(text.length * 0.6)));
    const r = await runCli(['ngram', 'eval', cut, TEST]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /cut\.arpa:\d+: /);
  });

  it('rejects a test file tokenized differently from the model (word model, unsegmented Chinese)', async () => {
    const zh = join(dir, 'zh.txt');
    writeFileSync(zh, Array.from({ length: 30 }, (_, i) => `床前明月光疑是地上霜${i}`).join('\n') + '\n');
    const r = await runCli(['ngram', 'eval', arpa, zh]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /tokenized differently.*--allow-oov/);
    const forced = await runCli(['ngram', 'eval', arpa, zh, '--allow-oov', '--json']);
    assert.equal(forced.code, 0);
  });

  it('rejects <s> in the text to score', async () => {
    const r = await runCli(['ngram', 'query', arpa], 'the <s> jury\n');
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /reserved token <s>/);
  });
});

describe('lmkit ngram convert and info', () => {
  it("converts KenLM's ARPA to binary and back without changing a score", async () => {
    const kenlm = join(KENLM_FIXTURES, 'tiny40.o3.arpa');
    const b = join(dir, 'kenlm.bin');
    const back = join(dir, 'kenlm-again.arpa');
    assert.equal((await runCli(['ngram', 'convert', kenlm, b])).code, 0);
    assert.equal((await runCli(['ngram', 'convert', b, back])).code, 0);
    const scores = async (m: string) =>
      (await runCli(['ngram', 'query', m], readFileSync(TEST, 'utf8'))).stdout;
    const reference = await scores(kenlm);
    assert.equal(await scores(b), reference);
    assert.equal(await scores(back), reference);
  });

  it('describes a model', async () => {
    const r = await runCli(['ngram', 'info', bin, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const d = JSON.parse(r.stdout);
    assert.deepEqual(d.ngrams, [390, 774, 867]);
    assert.equal(d.estimator, 'kn');
    assert.equal(d.level, 'word');
    const text = (await runCli(['ngram', 'info', bin])).stdout;
    assert.match(text, /3-gram, kn, word level/);
    assert.match(
      text,
      /discounts \(Kneser-Ney D1, D2, D3\+\):\n {4}1-grams: \d\.\d{4}, \d\.\d{4}, \d\.\d{4}\n/,
    );
    assert.doesNotMatch(text, /[{}]/, 'no raw JSON');
  });
});

describe('lmkit ngram preprocessing recorded in the model', () => {
  it('splits punctuation off words with --tokenize and applies the same split when scoring', async () => {
    const raw = join(dir, 'raw.txt');
    writeFileSync(raw, 'Hello, world! The cat sat. The dog ran, fast.\nHello again, world.\n');
    const model = join(dir, 'tok.arpa');
    const r = await runCli([
      'ngram',
      'train',
      '--order',
      '2',
      '--tokenize',
      '--lowercase',
      '--format',
      'raw',
      raw,
      '--out',
      model,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const info = JSON.parse((await runCli(['ngram', 'info', model, '--json'])).stdout);
    assert.equal(info.details.tokenize, true);
    assert.equal(info.details.lowercase, true);
    const q = await runCli(['ngram', 'query', model], 'Hello, World!\n');
    assert.match(q.stdout, /^hello=\d+ \d -\S+\t,=\d+ \d -\S+\tworld=\d+ \d -\S+\t!=\d+ /);
    assert.match(q.stdout, /OOV: 0\n/);
  });
});
