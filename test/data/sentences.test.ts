import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectFormat, splitLines, splitRawText, toSentences } from '../../src/data/sentences.js';

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
