import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadLanguageModel } from '../../src/models/load.js';
import { MODEL_KINDS } from '../../src/models/kinds.js';
import { preprocessingOf } from '../../src/models/preprocessing.js';
import { readSafetensors } from '../../src/nn/safetensors.js';
import { ROOT, tempDir } from '../helpers/paths.js';

/** Checkpoints of every kind written by commit c3e40f4 (test/fixtures/checkpoints/make.mjs). */
const FIXTURES = join(ROOT, 'test', 'fixtures', 'checkpoints');
const expected = JSON.parse(readFileSync(join(FIXTURES, 'expected.json'), 'utf8')) as Record<
  string,
  { prompt: string; kind: string; logProbs: number[][] }
>;

describe('checkpoints written before the kind registry', () => {
  for (const [name, want] of Object.entries(expected)) {
    it(`loads ${name} and gives the next-token log-probabilities it gave then`, () => {
      const model = loadLanguageModel(join(FIXTURES, name));
      assert.equal(model.kind, want.kind);
      const prompt = model.tokenizer.encode(want.prompt);
      const state = model.start(prompt);
      const got = [Array.from(state.logProbs())];
      state.push(prompt[0]);
      got.push(Array.from(state.logProbs()));
      for (let k = 0; k < 2; k++) {
        assert.equal(got[k].length, want.logProbs[k].length);
        for (let i = 0; i < got[k].length; i++)
          assert.ok(Math.abs(got[k][i] - want.logProbs[k][i]) < 1e-5, `${name} step ${k} token ${i}`);
      }
    });

    it(`saves ${name} again in the same files (config.json keys, tensor names, shapes and values)`, () => {
      const model = MODEL_KINDS.get(want.kind)!.load(join(FIXTURES, name));
      const out = tempDir();
      const before = JSON.parse(readFileSync(join(FIXTURES, name, 'config.json'), 'utf8')) as Record<
        string,
        unknown
      >;
      model.save(out, { training: before.training });
      assert.deepEqual(JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')), before);
      const a = readSafetensors(join(FIXTURES, name, 'model.safetensors')).tensors;
      const b = readSafetensors(join(out, 'model.safetensors')).tensors;
      assert.deepEqual([...b.keys()].sort(), [...a.keys()].sort());
      for (const [k, t] of a) {
        assert.deepEqual(b.get(k)!.shape, t.shape, k);
        assert.deepEqual(Array.from(b.get(k)!.data), Array.from(t.data), k);
      }
    });
  }

  it("reads the run's recorded cleaning through the one preprocessing accessor", () => {
    assert.equal(preprocessingOf(loadLanguageModel(join(FIXTURES, 'rnn-gru'))).clean, true);
    assert.equal(preprocessingOf(loadLanguageModel(join(FIXTURES, 'gpt'))).clean, false);
  });

  it('reads sentences, as every run then did (lmkit re-flowed all training text before #18)', () => {
    for (const name of Object.keys(expected))
      assert.equal(preprocessingOf(loadLanguageModel(join(FIXTURES, name))).sentences, true, name);
  });
});
