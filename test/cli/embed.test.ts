import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Rng } from '../../src/util/rng.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/paths.js';

const dir = tempDir();

/**
 * Sentences in which a word's contexts say its gender (he/she) and its rank (rules the land / works the
 * field), so that king − man + woman lands on queen; apple and pear share every context.
 */
function toyCorpus(): string {
  const rng = new Rng(7);
  const lines: string[] = [];
  const people = [
    ['king', 'he', 'rules the land'],
    ['queen', 'she', 'rules the land'],
    ['man', 'he', 'works the field'],
    ['woman', 'she', 'works the field'],
  ];
  const fruit = ['apple', 'pear'];
  for (let i = 0; i < 2000; i++) {
    const [who, pronoun, task] = people[rng.int(4)];
    const f = fruit[rng.int(2)];
    lines.push(rng.int(3) ? `${pronoun} said the ${who} ${task} today` : `i eat a ripe ${f} from the tree`);
  }
  return lines.join('\n') + '\n';
}

const corpus = join(dir, 'toy.txt');
writeFileSync(corpus, toyCorpus());
const vectors = join(dir, 'toy.bin');

describe('lmkit embed', () => {
  it('trains skip-gram vectors where words of shared contexts are neighbours', async () => {
    const r = await runCli([
      'embed',
      'train',
      '--algo',
      'skipgram',
      corpus,
      '--out',
      vectors,
      '--min-count',
      '1',
      '--vector-size',
      '20',
      '--epochs',
      '10',
      '--threads',
      '1',
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout);
    assert.equal(s.algo, 'skipgram');
    assert.equal(s.objective, 'negative 5');
    assert.equal(s.vocab_size, 21);
    assert.equal(s.trained_words, s.corpus_tokens * 10);
    assert.ok(s.words_per_second > 0);
    const n = await runCli(['embed', 'neighbors', vectors, 'apple', '--top', '3', '--json']);
    assert.equal(n.code, 0, n.stderr);
    assert.equal(JSON.parse(n.stdout).neighbors[0].word, 'pear');
    const text = await runCli(['embed', 'neighbors', vectors, 'apple', '--top', '2']);
    assert.match(text.stdout, /^word +cosine\npear +0\.\d{4}\n/);
    const sim = await runCli(['embed', 'similarity', vectors, 'king', 'queen', '--json']);
    const far = await runCli(['embed', 'similarity', vectors, 'king', 'pear', '--json']);
    assert.ok(JSON.parse(sim.stdout).similarity > JSON.parse(far.stdout).similarity + 0.2);
  });

  it('answers analogies by 3CosAdd, in text and JSON', async () => {
    const j = await runCli(['embed', 'analogy', vectors, 'man', 'king', 'woman', '--json', '--top', '2']);
    assert.equal(j.code, 0, j.stderr);
    const a = JSON.parse(j.stdout);
    assert.deepEqual([a.a, a.b, a.c], ['man', 'king', 'woman']);
    assert.equal(a.answers[0].word, 'queen');
    const t = await runCli(['embed', 'analogy', vectors, 'man', 'king', 'woman']);
    assert.match(t.stdout, /^man : king :: woman : queen\n/);
  });

  it('trains CBOW with hierarchical softmax into the text format', async () => {
    const out = join(dir, 'toy.txt.vec');
    const r = await runCli([
      'embed',
      'train',
      corpus,
      '--out',
      out,
      '--hs',
      '--negative',
      '0',
      '--min-count',
      '1',
      '--vector-size',
      '8',
      '--epochs',
      '1',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /trained cbow \(hs\) on 16000 words: 21 in the vocabulary/);
    assert.match(readFileSync(out, 'utf8'), /^21 8\nthe( -?\d[^ ]*){8}\n/);
  });

  it('runs the TypeScript reference under LMKIT_BACKEND=ref or --backend ref', async () => {
    const out = join(dir, 'ref.bin');
    process.env.LMKIT_BACKEND = 'ref';
    try {
      const r = await runCli([
        'embed',
        'train',
        corpus,
        '--out',
        out,
        '--min-count',
        '1',
        '--vector-size',
        '8',
        '--epochs',
        '1',
        '--json',
      ]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(JSON.parse(r.stdout).backend, 'ref');
    } finally {
      delete process.env.LMKIT_BACKEND;
    }
    const r = await runCli([
      'embed',
      'train',
      corpus,
      '--out',
      out,
      '--min-count',
      '1',
      '--vector-size',
      '8',
      '--epochs',
      '1',
      '--backend',
      'ref',
      '--json',
    ]);
    assert.equal(JSON.parse(r.stdout).backend, 'ref');
  });

  it('trains Chinese at character level', async () => {
    const zh = join(dir, 'zh.txt');
    writeFileSync(zh, '床前明月光\n疑是地上霜\n举头望明月\n低头思故乡\n'.repeat(50));
    const out = join(dir, 'zh.bin');
    const r = await runCli([
      'embed',
      'train',
      zh,
      '--level',
      'char',
      '--out',
      out,
      '--min-count',
      '1',
      '--vector-size',
      '8',
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).vocab_size, 17);
    const n = await runCli(['embed', 'neighbors', out, '明', '--json', '--top', '15']);
    assert.equal(n.code, 0, n.stderr);
    assert.equal(JSON.parse(n.stdout).neighbors.length, 15);
  });

  it('says which word is unknown, and what is wrong with bad corpora and vectors files', async () => {
    const unknown = await runCli(['embed', 'analogy', vectors, 'man', 'emperor', 'woman']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /^lmkit: error: the word "emperor" is not in the vocabulary \(21 words\)/);
    const empty = join(dir, 'empty.txt');
    writeFileSync(empty, '\n');
    const e = await runCli(['embed', 'train', empty, '--out', join(dir, 'e.bin')]);
    assert.notEqual(e.code, 0);
    assert.match(e.stderr, /lmkit: error: .*empty/);
    const one = join(dir, 'one.txt');
    writeFileSync(one, 'hello\n');
    const o = await runCli(['embed', 'train', one, '--out', join(dir, 'o.bin'), '--min-count', '1']);
    assert.equal(o.code, 1);
    assert.match(o.stderr, /holds one distinct word \("hello"\)/);
    const m = await runCli(['embed', 'train', corpus, '--out', join(dir, 'm.bin'), '--min-count', '100000']);
    assert.equal(m.code, 1);
    assert.match(m.stderr, /no word of .* occurs --min-count 100000 times .*lower --min-count to at most/);
    const latin1 = join(dir, 'latin1.txt');
    writeFileSync(latin1, Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]));
    const l = await runCli(['embed', 'train', latin1, '--out', join(dir, 'l.bin')]);
    assert.equal(l.code, 1);
    assert.match(l.stderr, /is not UTF-8 text: invalid byte 0xe9/);
    const noise = await runCli(['embed', 'train', corpus, '--out', join(dir, 'n.bin'), '--negative', '0']);
    assert.equal(noise.code, 1);
    assert.match(noise.stderr, /with --negative 0, turn on --hs/);
    const bad = join(dir, 'bad.txt');
    writeFileSync(bad, 'not a header\n');
    const b = await runCli(['embed', 'neighbors', bad, 'king']);
    assert.equal(b.code, 1);
    assert.match(b.stderr, /its first line should be 'VOCAB_SIZE DIMENSION'/);
  });
});
