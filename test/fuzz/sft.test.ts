import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseSFTJsonl } from '../../src/train/sft-data.js';
import { damagedJson, damagedText, deepJsonText, returnsOrFailsCleanly, runs } from './mutate.js';

const RECORDS = [
  {
    messages: [
      { role: 'system', content: 'be brief' },
      { role: 'user', content: 'hi' },
      { role: 'assistant', content: 'hello' },
    ],
  },
  { prompt: 'two plus two', completion: 'four' },
  { prompt: [{ role: 'user', content: 'q' }], completion: [{ role: 'assistant', content: 'a' }] },
];

describe('fuzzed SFT JSONL ends in a clear error, never a crash', () => {
  const text = RECORDS.map((r) => JSON.stringify(r)).join('\n') + '\n';

  it('records with values replaced by wrong types, NaN, huge numbers, deep nesting', () => {
    fc.assert(
      fc.property(damagedJson(RECORDS), (records) => {
        const lines = (Array.isArray(records) ? records : [records]).map((r) => JSON.stringify(r) ?? 'null');
        returnsOrFailsCleanly(
          () => parseSFTJsonl(lines.join('\n'), 'fuzz.jsonl'),
          () => lines.join('\n'),
        );
      }),
      runs(500),
    );
  });

  it('text with cut, dropped and doubled lines and wild numbers', () => {
    fc.assert(
      fc.property(damagedText(text), (t) => returnsOrFailsCleanly(() => parseSFTJsonl(t, 'fuzz.jsonl'))),
      runs(300),
    );
  });

  it('lines nested 100,000 deep', () => {
    const deep = deepJsonText(100_000);
    for (const line of [deep, `{"messages":${deep}}`, `{"messages":[{"role":${deep},"content":"x"}]}`])
      returnsOrFailsCleanly(() => parseSFTJsonl(line, 'fuzz.jsonl'));
  });
});
