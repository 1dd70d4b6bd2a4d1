/**
 * How much of an SFT batch is padding: the share of real positions among the computed ones, for random
 * batches and for length-grouped ones (--group_by_length), over a model's tokenizer and block size.
 *
 *   node dist/bench/sft/padding.js --model runs/sft/best --data instruct/train.jsonl --batch 8
 */
import { parseArgs } from 'node:util';
import { GPTModel } from '../../src/models/gpt.js';
import { Rng } from '../../src/util/rng.js';
import {
  encodeSFT,
  lengthGroupedBatch,
  randomSFTBatch,
  readSFTFile,
  sortByLength,
} from '../../src/train/sft-data.js';

const { values } = parseArgs({
  options: {
    model: { type: 'string' },
    data: { type: 'string' },
    batch: { type: 'string', default: '8' },
    draws: { type: 'string', default: '2000' },
  },
});
if (!values.model || !values.data) {
  process.stderr.write('usage: padding.js --model DIR --data FILE.jsonl [--batch N] [--draws N]\n');
  process.exit(2);
}
const model = GPTModel.load(values.model);
const set = encodeSFT(model.tokenizer, model.prefix, readSFTFile(values.data), model.config.block_size);
const B = Number(values.batch);
const draws = Number(values.draws);
const mean = set.examples.reduce((n, e) => n + e.x.length, 0) / set.examples.length;
const sorted = sortByLength(set.examples);
for (const [name, draw] of [
  ['random', (rng: Rng) => randomSFTBatch(set.examples, B, 0, rng)],
  ['group_by_length', (rng: Rng) => lengthGroupedBatch(sorted, B, 0, rng)],
] as const) {
  const rng = new Rng(1);
  let computed = 0;
  for (let i = 0; i < draws; i++) computed += draw(rng).x.size;
  process.stdout.write(
    `${name}: ${set.examples.length} conversations, mean ${mean.toFixed(1)} positions; ` +
      `real share of computed positions ${((draws * B * mean) / computed).toFixed(3)} (expected over draws)\n`,
  );
}
