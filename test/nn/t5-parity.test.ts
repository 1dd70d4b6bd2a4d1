import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import * as T from '../../src/tensor/index.js';
import { IntTensor } from '../../src/tensor/index.js';
import { T5ForConditionalGeneration, shiftRight } from '../../src/nn/t5.js';
import { relativePositionBucket } from '../../src/nn/t5-attention.js';
import type { T5Config } from '../../src/nn/t5-config.js';
import { readSafetensors } from '../../src/nn/safetensors.js';
import type { StoredTensor } from '../../src/models/checkpoint.js';
import { ROOT } from '../helpers/paths.js';
import { testBackends } from '../tensor/backends.js';

// Made by test/fixtures/torch/make_t5_fixture.py with Debian's python3-torch: a plain-torch T5 v1.0 under
// Hugging Face's T5ForConditionalGeneration names, a padded input row and a target padded with -100.
const dir = join(ROOT, 'test', 'fixtures', 'torch');
const meta = JSON.parse(readFileSync(join(dir, 't5_fixture.json'), 'utf8')) as {
  config: T5Config;
  inputs: [number, number];
  labels: [number, number];
  loss: number;
};
const file = readSafetensors(join(dir, 't5_fixture.safetensors')).tensors;
const ints = (name: string, shape: number[]) => new IntTensor(file.get(name)!.data as Int32Array, shape);

/** max |a − b| ≤ tol · max(1, max |b|), reported with the tensor's name. */
function near(got: ArrayLike<number>, want: ArrayLike<number>, what: string, tol = 1e-5): void {
  assert.equal(got.length, want.length, `${what}: length`);
  let scale = 1;
  let err = 0;
  for (let i = 0; i < want.length; i++) {
    scale = Math.max(scale, Math.abs(want[i]));
    err = Math.max(err, Math.abs(got[i] - want[i]));
  }
  assert.ok(err <= tol * scale, `${what}: max error ${err} vs scale ${scale}`);
}

describe('T5 relative position buckets', () => {
  it("are Hugging Face's for distances −300..300 (32 buckets, max distance 128), both directions", () => {
    for (const [name, bidirectional] of [
      ['buckets.bi', true],
      ['buckets.uni', false],
    ] as const) {
      const want = file.get(name)!.data;
      for (let i = 0; i < want.length; i++)
        assert.equal(
          relativePositionBucket(i - 300, bidirectional, 32, 128),
          want[i],
          `${name} at ${i - 300}`,
        );
    }
  });
});

describe('PyTorch parity (T5ForConditionalGeneration, a padded input, a target padded with -100)', () => {
  const inputIds = ints('input_ids', meta.inputs);
  const labels = ints('labels', meta.labels);
  for (const backend of testBackends())
    it(`matches logits, loss and every gradient to 1e-5 on ${backend}`, () => {
      T.setBackend(backend);
      const model = new T5ForConditionalGeneration(meta.config);
      const params = new Map<string, StoredTensor>();
      for (const [k, v] of file) if (k.startsWith('param.')) params.set(k.slice('param.'.length), v);
      model.loadStateDict(params); // strict: the names are Hugging Face's, every one
      const logits = T.noGrad(() =>
        model.decode(shiftRight(labels, meta.config.pad_token_id), model.encode(inputIds)),
      );
      near(logits.data, file.get('logits')!.data, 'logits');
      const loss = model.loss(inputIds, labels);
      assert.ok(Math.abs(loss.item() - meta.loss) < 1e-5, `loss ${loss.item()} vs ${meta.loss}`);
      loss.backward();
      for (const { name, tensor } of model.namedParameters())
        near(tensor.grad!, file.get(`grad.${name}`)!.data, `grad ${name}`);
      T.setBackend('ref');
    });
});
