import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { arpaChunks, parseArpa } from '../../src/ngram/arpa.js';
import type { BackoffModel } from '../../src/ngram/backoff-model.js';
import { readBinary, writeBinary } from '../../src/ngram/binary.js';
import { scoreSentence } from '../../src/ngram/evaluate.js';
import { trainNGram } from '../../src/ngram/train.js';
import { tempDir } from '../helpers/paths.js';
import { damagedBytes, damagedText, returnsOrFailsCleanly, runs } from './mutate.js';

const SENTENCES = [
  'the jury said that the city was good .',
  'the city said that the jury was bad .',
  'a man said that the dog ran home .',
];

/** Scores two sentences with a model a damaged file produced (which must not hang or crash). */
function use(model: BackoffModel): void {
  for (const s of ['the jury said that the dog ran home .', 'unknown words here'])
    scoreSentence(model, s.split(' '));
}

describe('fuzzed n-gram files end in a clear error, never a crash or a hang', () => {
  const { model } = trainNGram(SENTENCES, { order: 3, smoothing: 'kn' });
  const arpa = Buffer.concat([...arpaChunks(model)]).toString('utf8');
  const dir = tempDir('lmkit-fuzz-ngram-');
  const binPath = join(dir, 'm.bin');
  writeBinary(model, binPath);
  const bin = readFileSync(binPath);

  it('ARPA text with wild counts, probabilities, dropped and doubled lines, truncations', () => {
    fc.assert(
      fc.property(damagedText(arpa), (text) =>
        returnsOrFailsCleanly(
          () => use(parseArpa(text, 'fuzz.arpa')),
          () => text,
        ),
      ),
      runs(400),
    );
  });

  it('ARPA bytes with bit flips and extreme values', () => {
    fc.assert(
      fc.property(damagedBytes(Buffer.from(arpa)), (bytes) =>
        returnsOrFailsCleanly(() => use(parseArpa(bytes, 'fuzz.arpa'))),
      ),
      runs(300),
    );
  });

  it('ARPA counts far beyond the file are refused before allocating', () => {
    for (const count of ['2147483647', '9007199254740991', '1e300', '-5', 'NaN'])
      assert.throws(
        () => parseArpa(arpa.replace(/ngram 1=\d+/, `ngram 1=${count}`), 'fuzz.arpa'),
        /ngram 1|count|unigram|1-grams/i,
      );
  });

  it('binary models with truncations, bit flips and huge sizes', () => {
    fc.assert(
      fc.property(damagedBytes(bin), (bytes) =>
        returnsOrFailsCleanly(() => use(readBinary(binPath, Buffer.from(bytes)))),
      ),
      runs(500),
    );
  });

  it('binary headers with wrong types, NaN, huge and negative sizes', () => {
    const jsonLen = bin.readUInt32LE(8);
    const header = JSON.parse(bin.toString('utf8', 12, 12 + jsonLen)) as Record<string, unknown>;
    const rest = bin.subarray(12 + jsonLen);
    const wild = fc.constantFrom<unknown>(
      null,
      -1,
      1.5,
      2 ** 31,
      2 ** 53,
      1e308,
      'x',
      [],
      {},
      [-1, 2 ** 40],
      [1, 2, 3, 4],
    );
    const field = fc.constantFrom(
      'order',
      'vocabBytes',
      'sizes',
      'layout',
      'missingContextBackoff',
      'info',
      'version',
    );
    fc.assert(
      fc.property(field, wild, (name, value) => {
        const json = Buffer.from(JSON.stringify({ ...header, [name]: value }));
        // keep the body 4-byte aligned where it was
        const padded = Buffer.concat([json, Buffer.alloc((4 - ((12 + json.length) % 4)) % 4, 0x20)]);
        const start = Buffer.alloc(12);
        start.write('LMKITNG1', 0, 'latin1');
        start.writeUInt32LE(padded.length, 8);
        const restAligned = rest.subarray((4 - ((12 + jsonLen) % 4)) % 4);
        returnsOrFailsCleanly(
          () => use(readBinary(binPath, Buffer.concat([start, padded, restAligned]))),
          () => `${name}=${JSON.stringify(value)}`,
        );
      }),
      runs(200),
    );
  });

  it('a binary model whose hash table has no empty slot answers instead of probing forever', () => {
    const damaged = Buffer.from(bin);
    const jsonLen = damaged.readUInt32LE(8);
    const header = JSON.parse(damaged.toString('utf8', 12, 12 + jsonLen)) as {
      vocabBytes: number;
      sizes: number[];
    };
    const align = (n: number) => (n + 3) & ~3;
    const slotsAt = align(align(12 + jsonLen) + header.vocabBytes) + 8 * header.sizes[0];
    // every slot of every table now holds word 7 under parent 7: no lookup finds an empty slot
    for (let at = slotsAt; at + 8 <= damaged.length; at += 4) damaged.writeInt32LE(7, at);
    returnsOrFailsCleanly(() => use(readBinary(binPath, damaged)));
  });
});
