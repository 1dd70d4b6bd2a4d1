import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import fc from 'fast-check';
import { GPTModel } from '../../src/models/gpt.js';
import { loadLanguageModel } from '../../src/models/load.js';
import { CharTokenizer } from '../../src/tokenizers/char.js';
import { tempDir } from '../helpers/paths.js';
import { damagedBytes, damagedJson, returnsOrFailsCleanly, runs } from './mutate.js';

const tokenizer = CharTokenizer.train(['hello world\nthe end\n']);

/** Loads the checkpoint in `dir` and takes one step with it (what `lmkit generate` does first). */
function loadAndStep(dir: string): void {
  const model = loadLanguageModel(dir);
  model.start(model.tokenizer.encode('he')).logProbs();
}

describe('fuzzed checkpoint folders end in a clear error, never a crash or a blind allocation', () => {
  const dir = tempDir('lmkit-fuzz-ckpt-');
  new GPTModel(
    {
      n_layer: 1,
      n_head: 2,
      n_embd: 8,
      block_size: 8,
      vocab_size: tokenizer.vocabSize,
      dropout: 0,
      bias: true,
    },
    tokenizer,
    1,
  ).save(dir);
  const files = {
    config: join(dir, 'config.json'),
    weights: join(dir, 'model.safetensors'),
    tokenizer: join(dir, 'tokenizer.json'),
  };
  const original = {
    config: readFileSync(files.config),
    weights: readFileSync(files.weights),
    tokenizer: readFileSync(files.tokenizer),
  };
  afterEach(() => {
    for (const k of ['config', 'weights', 'tokenizer'] as const) writeFileSync(files[k], original[k]);
  });

  it('config.json with wrong types, NaN, huge dimensions and deep nesting', () => {
    const config = JSON.parse(original.config.toString('utf8')) as unknown;
    fc.assert(
      fc.property(damagedJson(config), (c) => {
        writeFileSync(files.config, JSON.stringify(c) ?? 'null');
        returnsOrFailsCleanly(
          () => loadAndStep(dir),
          () => JSON.stringify(c) ?? '',
        );
      }),
      runs(300),
    );
  });

  it('config.json dimensions far beyond what the weights hold are refused before allocating', () => {
    const config = JSON.parse(original.config.toString('utf8')) as Record<string, unknown>;
    for (const [key, value] of [
      ['n_embd', 2 ** 20],
      ['n_embd', 2 ** 14],
      ['n_layer', 100_000],
      ['block_size', 2 ** 30],
      ['n_head', 2 ** 30],
    ] as const) {
      writeFileSync(files.config, JSON.stringify({ ...config, [key]: value }));
      returnsOrFailsCleanly(
        () => loadAndStep(dir),
        () => `${key}=${value}`,
      );
    }
  });

  it('model.safetensors with truncations, bit flips and extreme sizes', () => {
    fc.assert(
      fc.property(damagedBytes(original.weights), (b) => {
        writeFileSync(files.weights, b);
        returnsOrFailsCleanly(() => loadAndStep(dir));
      }),
      runs(300),
    );
  });

  it('tokenizer.json with damaged bytes', () => {
    fc.assert(
      fc.property(damagedBytes(original.tokenizer), (b) => {
        writeFileSync(files.tokenizer, b);
        returnsOrFailsCleanly(() => loadAndStep(dir));
      }),
      runs(200),
    );
  });
});
