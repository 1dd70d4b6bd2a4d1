import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { toTokenizerJSON } from '../../src/tokenizers/bpe-json.js';
import { trainBPE } from '../../src/tokenizers/bpe-train.js';
import { CharTokenizer } from '../../src/tokenizers/char.js';
import { loadTokenizer, tokenizerFromJSON } from '../../src/tokenizers/tokenizer-file.js';
import { Vocabulary } from '../../src/tokenizers/vocab.js';
import { WordTokenizer } from '../../src/tokenizers/word.js';
import { tempDir } from '../helpers/paths.js';
import {
  damagedBytes,
  damagedJson,
  deepJsonText,
  resolvesOrFailsCleanly,
  returnsOrFailsCleanly,
  runs,
} from './mutate.js';

const TEXTS = ['the jury said that the city was good.\n', 'the city said that the jury was bad!\n'];

/** Encodes and decodes with a tokenizer a damaged file produced. */
function use(json: unknown): void {
  const t = tokenizerFromJSON(json);
  t.decode(t.encode('the jury said hello, world\n'));
}

describe('fuzzed tokenizer and vocabulary files end in a clear error, never a crash', () => {
  const files: [string, unknown][] = [
    ['tokenizer.json (BPE)', toTokenizerJSON(trainBPE(TEXTS, { vocabSize: 280, minFrequency: 1 }))],
    ['word tokenizer', WordTokenizer.train(TEXTS).toJSON()],
    ['char tokenizer', CharTokenizer.train(TEXTS).toJSON()],
  ];
  for (const [name, json] of files) {
    it(`${name}: values replaced by wrong types, NaN, huge ids, deep nesting`, () => {
      fc.assert(
        fc.property(damagedJson(json), (damaged) =>
          returnsOrFailsCleanly(
            () => use(damaged),
            () => JSON.stringify(damaged) ?? '',
          ),
        ),
        runs(300),
      );
    });
  }

  it('arrays nested 100,000 deep in place of any field', () => {
    const deep = JSON.parse(deepJsonText(100_000)) as unknown;
    for (const [name, json] of files) {
      const places: string[][] = [];
      for (const [k, v] of Object.entries(json as object)) {
        places.push([k]);
        if (v && typeof v === 'object' && !Array.isArray(v))
          for (const k2 of Object.keys(v)) places.push([k, k2]);
      }
      for (const [a, b] of places) {
        const copy = structuredClone(json) as Record<string, Record<string, unknown>>;
        if (b === undefined) copy[a] = deep as Record<string, unknown>;
        else copy[a][b] = deep;
        returnsOrFailsCleanly(
          () => use(copy),
          () => `${name}: ${a}.${b ?? ''}`,
        );
      }
    }
  });

  it('vocabulary files: values replaced by wrong types, NaN, huge counts', () => {
    const json = CharTokenizer.train(TEXTS).toJSON().vocab;
    fc.assert(
      fc.property(damagedJson(json), (damaged) => returnsOrFailsCleanly(() => Vocabulary.fromJSON(damaged))),
      runs(300),
    );
  });

  it('tokenizer files with damaged bytes and deep nesting, read from disk', async () => {
    const dir = tempDir('lmkit-fuzz-tok-');
    const path = join(dir, 'tokenizer.json');
    const bytes = Buffer.from(JSON.stringify(files[0][1]));
    writeFileSync(path, deepJsonText(100_000));
    await resolvesOrFailsCleanly(() => loadTokenizer(path));
    await fc.assert(
      fc.asyncProperty(damagedBytes(bytes), async (damaged) => {
        writeFileSync(path, damaged);
        await resolvesOrFailsCleanly(async () => {
          const t = await loadTokenizer(path);
          t.decode(t.encode('the jury'));
        });
      }),
      runs(150),
    );
  });
});
