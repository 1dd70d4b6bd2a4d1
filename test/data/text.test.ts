import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { getDataset } from '../../src/data/datasets.js';
import { loadSentences } from '../../src/data/load.js';
import { hasWrittenForm, loadText } from '../../src/data/text.js';
import { ROOT, tempDir } from '../helpers/paths.js';

/** Wrapped prose: lines broken mid-sentence, a blank line between paragraphs, a double space, no final break. */
const BOOK =
  'It is a truth universally acknowledged, that a single man in possession\n' +
  'of a good fortune,  must be in want of a wife.\n' +
  '\n' +
  'However little known the feelings or views of such a man may be.\n' +
  '\n' +
  '\n' +
  '    Chapter 2';

function file(content: string | Uint8Array, name = 'book.txt'): string {
  const path = join(tempDir(), name);
  writeFileSync(path, content);
  return path;
}

describe('loadText: a corpus as written', () => {
  it('gives a file back character for character: wrapped lines, blank lines, double spaces, indentation', async () => {
    assert.equal(await loadText(file(BOOK)), BOOK);
    assert.equal(await loadText(file(BOOK + '\n')), BOOK + '\n');
    // the re-flowing reader changes all of these
    const reflowed = (await loadSentences(file(BOOK), { format: 'raw' })).join('\n');
    assert.notEqual(reflowed, BOOK);
    assert.doesNotMatch(reflowed, /\n\n| {2}/);
  });

  it('only normalises line endings and drops a byte-order mark, as a text reader does; gzip is read through', async () => {
    const crlf = '\ufeff' + BOOK.replace(/\n/g, '\r\n');
    assert.equal(await loadText(file(crlf)), BOOK);
    assert.equal(await loadText(file(gzipSync(Buffer.from(BOOK + '\n')), 'book.txt.gz')), BOOK + '\n');
  });

  it('cleans or lowercases line by line, keeping line breaks and blank lines', async () => {
    assert.equal(await loadText(file('Ab Cd.\n\nEF  gh\n'), { lowercase: true }), 'ab cd.\n\nef  gh\n');
    assert.equal(
      await loadText(file('An apple, a day!\n\nOK then\n'), { clean: true }),
      'apple day\n\nthen\n',
    );
  });

  it('refuses a split: text as written has no sentences to pick', async () => {
    await assert.rejects(loadText(file(BOOK), { split: 'test' }), /--split test picks sentences/);
    assert.equal(await loadText(file(BOOK), { split: 'all' }), BOOK);
  });

  it("gives SOTU's addresses as the package holds them, one a line, and Brown's sentences one a line", async () => {
    const dir = join(ROOT, 'node_modules', '@stdlib', 'datasets-sotu', 'data');
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.txt'))
      .sort();
    const want = files.map((f) => readFileSync(join(dir, f), 'utf8').replace(/\n$/, '') + '\n').join('');
    const sotu = await loadText('sotu');
    assert.equal(sotu, want);
    assert.equal(sotu.split('\n').length - 1, files.length);
    assert.match(sotu, /\. {2}\S/); // the double spaces where paragraphs were stay
    assert.equal(hasWrittenForm('sotu'), true);
    // its splits pick whole addresses: mod10, every 10th is test
    const addresses = sotu.slice(0, -1).split('\n');
    const test = addresses.filter((_, i) => i % 10 === 9);
    assert.equal(await loadText('sotu', { split: 'test' }), test.map((a) => `${a}\n`).join(''));
    assert.equal(
      (await loadText('sotu', { split: 'train' })).split('\n').length - 1,
      files.length - test.length,
    );
    await assert.rejects(loadText('sotu', { split: 'valid' }), /mod10 split has only train and test/);
    assert.equal(hasWrittenForm('brown'), false);
    assert.equal(await loadText('brown'), (await getDataset('brown').sentences()).join('\n'));
    // a sentence list keeps its splits
    assert.equal(
      await loadText('brown', { split: 'valid' }),
      (await loadSentences('brown', { split: 'valid' })).join('\n'),
    );
  });
});
