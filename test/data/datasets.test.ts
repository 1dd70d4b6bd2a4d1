import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  brownSentences,
  brownTaggedSentences,
  partOfSpeech,
  splitTagged,
  stripTags,
} from '../../src/data/brown.js';
import { fnv1a, parseFortunes, stripAnsi } from '../../src/data/chinese.js';
import { getDataset, listDatasets, measure } from '../../src/data/datasets.js';
import { loadSentences } from '../../src/data/load.js';
import { LmkitError } from '../../src/errors.js';
import { KENLM_FIXTURES, tempDir } from '../helpers/paths.js';

describe('brown', () => {
  it('has 57,340 sentences and 1,161,192 tokens, as its metadata says', async () => {
    const brown = getDataset('brown');
    const size = measure(await brown.sentences());
    assert.deepEqual(size, brown.size);
    assert.equal(size.sentences, 57340);
    assert.equal(size.words, 1161192);
  });

  it('lowercased, its mod10 train and test splits begin with the KenLM reference texts tiny40 and tiny8', async () => {
    const read = (name: string) => readFileSync(join(KENLM_FIXTURES, name), 'utf8');
    const opts = { lowercase: true, splitScheme: 'mod10' };
    const train = await loadSentences('brown', { ...opts, split: 'train' });
    const test = await loadSentences('brown', { ...opts, split: 'test' });
    assert.equal(train.slice(0, 40).join('\n') + '\n', read('tiny40.train.txt'));
    assert.equal(test.slice(0, 10).join('\n') + '\n', read('tiny40.test.txt'));
    assert.equal(train.slice(0, 8).join('\n') + '\n', read('tiny8.train.txt'));
    assert.equal(test.slice(0, 3).join('\n') + '\n', read('tiny8.test.txt'));
  });

  it('strips the tag after the last slash and keeps original case', () => {
    assert.equal(stripTags('\tThe/at 1/2/cd Jury/nn-tl ./.  '), 'The 1/2 Jury .');
  });
});

describe('sotu', () => {
  it('reads every address in chronological order, sentence-split, as its metadata says', async () => {
    const sotu = getDataset('sotu');
    const sentences = await sotu.sentences();
    assert.deepEqual(measure(sentences), sotu.size);
    assert.match(
      sentences[0],
      /^Fellow-Citizens of the Senate and House of Representatives: In meeting you again/,
    );
    assert.ok(
      sentences.every((s) => !/\p{Cc}/u.test(s)),
      'no control characters',
    );
  });
});

describe('Chinese datasets', () => {
  it('parse fortune files: % separators, ANSI colours stripped', () => {
    const text =
      '\x1b[32m《静夜思》\x1b[m\n\x1b[33m作者：李白\x1b[m\n床前明月光，疑是地上霜。\n%\n第二条\n%\n';
    assert.deepEqual(parseFortunes(text), ['《静夜思》\n作者：李白\n床前明月光，疑是地上霜。', '第二条']);
    assert.equal(stripAnsi('\x1b[1;33mhi\x1b[0m'), 'hi');
  });

  for (const name of ['tang300', 'fortunes-zh', 'tang']) {
    const d = getDataset(name);
    it(
      `${name}: sentences match the metadata`,
      { skip: d.installed() ? false : `not installed (${d.install.command})` },
      async () => {
        const sentences = await d.sentences();
        assert.deepEqual(measure(sentences), d.size);
        assert.ok(
          sentences.every((s) => !s.includes('\x1b')),
          'no colour codes',
        );
        assert.ok(
          sentences.filter((s) => /\p{Script=Han}/u.test(s)).length > 0.9 * sentences.length,
          'mostly Chinese',
        );
      },
    );
  }

  it('tang, when not in the cache, says how to install it', async () => {
    const saved = process.env.LMKIT_CACHE;
    process.env.LMKIT_CACHE = tempDir();
    try {
      assert.equal(getDataset('tang').installed(), false);
      await assert.rejects(getDataset('tang').sentences(), (err: LmkitError) =>
        /lmkit data install tang/.test(err.hint ?? ''),
      );
    } finally {
      if (saved === undefined) delete process.env.LMKIT_CACHE;
      else process.env.LMKIT_CACHE = saved;
    }
  });

  it(
    'a missing fortunes-zh says how to install it',
    { skip: getDataset('tang300').installed() && 'fortunes-zh is installed' },
    async () => {
      await assert.rejects(getDataset('tang300').sentences(), (err: LmkitError) =>
        /apt-get install fortunes-zh/.test(err.hint ?? ''),
      );
    },
  );
});

describe('registry', () => {
  it('lists every dataset with a license and a source', () => {
    const names = listDatasets().map((d) => d.name);
    assert.deepEqual(names, ['brown', 'sotu', 'tang300', 'fortunes-zh', 'tang', 'spam', 'poem-era']);
    for (const d of listDatasets()) assert.ok(d.license && d.source && d.description);
  });

  it('an unknown name lists the known ones', () => {
    assert.throws(
      () => getDataset('brwn'),
      (err: LmkitError) => /unknown dataset 'brwn'/.test(err.message) && /brown, sotu/.test(err.hint ?? ''),
    );
  });
});

describe('spam', () => {
  it('reads 6,046 labelled messages as its metadata says, split by checksum about 80/10/10', async () => {
    const spam = getDataset('spam');
    assert.deepEqual(measure(await spam.sentences()), spam.size);
    const examples = await spam.labelled!();
    const count = (f: (e: (typeof examples)[number]) => boolean) => examples.filter(f).length;
    assert.equal(
      count((e) => e.label === 'spam'),
      1896,
    );
    assert.equal(
      count((e) => e.label === 'ham'),
      4150,
    );
    assert.ok(Math.abs(count((e) => e.split === 'test') / examples.length - 0.1) < 0.02);
    assert.ok(Math.abs(count((e) => e.split === 'valid') / examples.length - 0.1) < 0.02);
  });

  it('keeps the subject and body of a message, not its headers or HTML', async () => {
    const { messageText, splitOfChecksum } = await import('../../src/data/spam.js');
    const raw =
      'From: a@b.c\nReceived: by relay\nSubject: Cheap <b>pills</b>\n\n<html><p>Buy  now&nbsp;!</p></html>\n';
    assert.equal(messageText(raw), 'Cheap pills Buy now !');
    assert.equal(splitOfChecksum('00000009aaaa'), 'test');
    assert.equal(splitOfChecksum('00000008aaaa'), 'valid');
    assert.equal(splitOfChecksum('00000007aaaa'), 'train');
  });
});

describe('poem-era', () => {
  it('hashes ids with FNV-1a', () => {
    assert.equal(fnv1a(''), 0x811c9dc5);
    assert.equal(fnv1a('a'), 0xe40c292c);
    assert.equal(fnv1a('foobar'), 0xbf9cf968);
  });

  const era = getDataset('poem-era');
  it(
    'labels about 5,000 Tang and 5,000 Song poems, split by hash about 80/10/10, as its metadata says',
    { skip: era.installed() ? false : `not installed (${era.install.command})` },
    async () => {
      const examples = await era.labelled!();
      assert.deepEqual(measure(examples.map((e) => e.text)), era.size);
      const count = (f: (e: (typeof examples)[number]) => boolean) => examples.filter(f).length;
      assert.equal(
        count((e) => e.label === 'tang'),
        4873,
      );
      assert.equal(
        count((e) => e.label === 'song'),
        4855,
      );
      assert.equal(
        count((e) => e.split === 'test'),
        970,
      );
      assert.equal(
        count((e) => e.split === 'valid'),
        997,
      );
      assert.ok(examples.every((e) => /\p{Script=Han}/u.test(e.text) && [...e.text].length >= 20));
    },
  );
});

describe('Brown part-of-speech tags', () => {
  it('reads each sentence with its tags, the same sentences as the untagged reader', async () => {
    assert.deepEqual(splitTagged("The/at Fulton/np-tl said/vbd Atlanta's/np$ ./."), {
      words: ['The', 'Fulton', 'said', "Atlanta's", '.'],
      tags: ['at', 'np-tl', 'vbd', 'np$', '.'],
    });
    assert.equal(partOfSpeech('nn-tl'), 'nn');
    assert.equal(partOfSpeech('jj-tl-hl'), 'jj');
    assert.equal(partOfSpeech('fw-nn'), 'fw-nn');
    assert.equal(partOfSpeech('ppss+md'), 'ppss+md');
    const [plain, tagged] = await Promise.all([brownSentences(), brownTaggedSentences()]);
    assert.equal(tagged.length, plain.length);
    for (const i of [0, 1000, plain.length - 1]) assert.equal(tagged[i].words.join(' '), plain[i]);
    assert.ok(tagged.every((s) => s.tags.length === s.words.length));
    assert.deepEqual(tagged[0].tags.slice(0, 3), ['at', 'np-tl', 'nn-tl']);
  });
});
