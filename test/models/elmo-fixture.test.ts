import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ElmoModel } from '../../src/models/elmo.js';
import { readSafetensors } from '../../src/nn/safetensors.js';
import { runCli } from '../helpers/cli.js';
import { ROOT, tempDir } from '../helpers/paths.js';

/** An ELMo biLM folder written by test/fixtures/elmo/make.mjs, and what it computed then. */
const FIXTURE = join(ROOT, 'test', 'fixtures', 'elmo');
const DIR = join(FIXTURE, 'elmo');
const expected = JSON.parse(readFileSync(join(FIXTURE, 'expected.json'), 'utf8')) as {
  text: string;
  ids: number[];
  layers: number[][];
  readings: { name: string; logProbs: number[] }[];
};

function near(got: ArrayLike<number>, want: readonly number[], what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++)
    assert.ok(Math.abs(got[i] - want[i]) < 1e-6, `${what}[${i}]: ${got[i]} vs ${want[i]}`);
}

describe('an ELMo checkpoint written by an earlier build', () => {
  it('loads and gives every contextual layer and both directions’ log-probabilities it gave then', () => {
    const elmo = ElmoModel.load(DIR);
    assert.deepEqual(elmo.tokenizer.encode(expected.text), expected.ids);
    const layers = elmo.contextualLayers(expected.ids);
    assert.equal(layers.length, 3);
    layers.forEach((l, j) => near(l, expected.layers[j], `layer ${j}`));
    const readings = elmo.scoreReadings([expected.ids]);
    assert.deepEqual(
      readings.map((r) => r.name),
      ['forward', 'backward'],
    );
    readings.forEach((r, k) => near(r.scores[0], expected.readings[k].logProbs, r.name));
  });

  it('lmkit embed encode prints the same vectors', async () => {
    const r = await runCli(['embed', 'encode', DIR, expected.text, '--layer', '2', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout) as { dim: number; vectors: number[][] };
    assert.equal(j.dim, 16);
    near(j.vectors.flat(), expected.layers[2], 'embed encode --layer 2');
  });

  it('is saved again under the same PyTorch nn.LSTM names and values', () => {
    const old = readSafetensors(join(DIR, 'model.safetensors')).tensors;
    assert.ok(old.has('forward.weight_ih_l0') && old.has('backward.weight_hh_l1') && old.has('decoder_bias'));
    const dir = join(tempDir(), 'again');
    ElmoModel.load(DIR).save(dir);
    const again = readSafetensors(join(dir, 'model.safetensors')).tensors;
    assert.deepEqual([...again.keys()].sort(), [...old.keys()].sort());
    for (const [name, t] of old) assert.deepEqual(again.get(name)?.data, t.data, name);
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
    assert.equal(config.start_token_id, 2);
    assert.equal(config.lmkit_kind, 'elmo');
  });
});
