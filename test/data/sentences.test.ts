import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  detectFormat,
  splitLines,
  splitRawText,
  streamSentencesOfLines,
  toSentences,
} from '../../src/data/sentences.js';

describe('sentence splitting', () => {
  it('lines: one sentence per line, trimmed, blank lines skipped', () => {
    assert.deepEqual(splitLines('  the cat .\n\n\tthe dog .  \n'), ['the cat .', 'the dog .']);
  });

  it('raw English: splits on . ! ? before a capital or a quote, not after abbreviations or initials', () => {
    const text =
      'Mr. Smith met Dr. Jones in the U.S. Capitol. It rained! Did it? "Yes," said J. R. Smith. ' +
      'He left, e.g. at noon. "Go." She went.';
    assert.deepEqual(splitRawText(text), [
      'Mr. Smith met Dr. Jones in the U.S. Capitol.',
      'It rained!',
      'Did it?',
      '"Yes," said J. R. Smith.',
      'He left, e.g. at noon.',
      '"Go."',
      'She went.',
    ]);
  });

  it('raw English: wrapped lines are joined, blank lines end paragraphs, lowercase after a period does not split', () => {
    const text = 'The results were good\nand the team was happy. version 2. was next\n\nA new paragraph';
    assert.deepEqual(splitRawText(text), [
      'The results were good and the team was happy. version 2. was next',
      'A new paragraph',
    ]);
  });

  it('raw Chinese: splits after 。！？；… and keeps closing quotes with the sentence', () => {
    const text = '他说：“今天天气很好。”我们去公园吧！你去吗？我不去；太累了……好吧。';
    assert.deepEqual(splitRawText(text), [
      '他说：“今天天气很好。”',
      '我们去公园吧！',
      '你去吗？',
      '我不去；',
      '太累了……',
      '好吧。',
    ]);
  });

  it('raw Chinese: a line break between two Chinese characters joins without a space', () => {
    assert.deepEqual(splitRawText('床前明月光，疑是\n地上霜。举头望明月，\n低头思故乡。'), [
      '床前明月光，疑是地上霜。',
      '举头望明月，低头思故乡。',
    ]);
  });

  it('auto picks lines for one sentence per line (with or without punctuation), raw for prose', () => {
    assert.equal(detectFormat('The cat sat .\nThe dog ran .\nA bird sang !\n'), 'lines');
    assert.equal(detectFormat('the cat sat\nthe dog ran\na bird sang\n'), 'lines');
    assert.equal(detectFormat('床前明月光，疑是地上霜。\n举头望明月，低头思故乡。\n'), 'lines');
    assert.equal(
      detectFormat('One sentence here. Another one there. And a third.\nMore text. And more.\n'),
      'raw',
    );
    assert.equal(
      detectFormat('This is prose that wraps\nacross lines without ending\nthem. It goes on\nand on\n'),
      'raw',
    );
    assert.deepEqual(toSentences('One two. Three four.\nFive six. Seven.', 'auto'), [
      'One two.',
      'Three four.',
      'Five six.',
      'Seven.',
    ]);
  });
});

/** `sentences` joined by spaces, `times` over, and wrapped at `width` columns (at spaces), blank lines removed. */
function wrapped(sentences: readonly string[], times: number, width = 70): string[] {
  const lines: string[] = [];
  let line = '';
  for (let t = 0; t < times; t++)
    for (const s of sentences)
      for (const word of s.split(' ')) {
        if (line && line.length + 1 + word.length > width) {
          lines.push(line);
          line = '';
        }
        line = line ? `${line} ${word}` : word;
      }
  if (line) lines.push(line);
  return lines;
}

const PROSE = [
  'Mr. Smith met Dr. Jones in the U.S. Capitol.',
  'It rained!',
  '"Yes," said J. R. Smith, who had waited e.g. since noon.',
  'The committee, after long and careful deliberation on every point raised, adjourned until the spring.',
  'Did it?',
  'The café — the one by the river — closed.',
];

describe('sentence splitting of long running text', () => {
  it('a paragraph of thousands of wrapped lines splits as its sentences, whole or streamed in batches', async () => {
    const lines = wrapped(PROSE, 400);
    assert.ok(lines.length > 1000 && lines.join('\n').length > 20 * 4096);
    const expected = Array.from({ length: 400 }, () => PROSE).flat();
    assert.deepEqual(splitRawText(lines.join('\n')), expected);
    async function* batches() {
      for (let i = 0; i < lines.length; i += 37) yield lines.slice(i, i + 37);
    }
    const streamed: string[] = [];
    for await (const batch of streamSentencesOfLines(batches(), 'auto')) streamed.push(...batch);
    assert.deepEqual(streamed, expected);
  });

  it('time per line does not grow with the length of a paragraph (8× the lines: < 4× the time per line)', () => {
    const small = wrapped(PROSE, 250); // ~1,000 lines
    const large = wrapped(PROSE, 2000); // ~8,000 lines: a quadratic splitter takes 8× as long per line, or worse
    const texts = [small.join('\n'), large.join('\n')];
    const best = [Infinity, Infinity];
    // Runs alternate so both sizes see the same load on a shared machine; the best of each is kept.
    for (let run = 0; run < 6; run++)
      texts.forEach((text, k) => {
        const start = performance.now();
        splitRawText(text);
        const ms = performance.now() - start;
        // A linear splitter takes ~20 ms here; the quadratic one took seconds, so stop it early.
        assert.ok(ms < 2000, `splitting ${k ? large.length : small.length} lines took ${ms.toFixed(0)} ms`);
        if (run > 0) best[k] = Math.min(best[k], ms); // run 0 warms up the JIT
      });
    const ratio = best[1] / large.length / (best[0] / small.length);
    assert.ok(
      ratio < 4,
      `time per line grew ${ratio.toFixed(2)}× from ${small.length} to ${large.length} lines`,
    );
  });
});
