import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import * as T from '../../src/tensor/index.js';
import { IntTensor } from '../../src/tensor/index.js';
import { BertForMaskedLM, BertForSequenceClassification } from '../../src/nn/bert.js';
import type { BertConfig } from '../../src/nn/bert-config.js';
import type { Module } from '../../src/nn/module.js';
import { readSafetensors } from '../../src/nn/safetensors.js';
import type { StoredTensor } from '../../src/models/checkpoint.js';
import { ROOT } from '../helpers/paths.js';
import { testBackends } from '../tensor/backends.js';

// Made by test/fixtures/torch/make_bert_fixture.py with Debian's python3-torch: a plain-torch BERT under
// Hugging Face's names (post-LN, tanh GELU, tied MLM decoder), segment ids and a padded row.
const dir = join(ROOT, 'test', 'fixtures', 'torch');

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

for (const [stem, title, build] of [
  ['bert_mlm_fixture', 'BertForMaskedLM', (c: BertConfig) => new BertForMaskedLM(c)],
  [
    'bert_cls_fixture',
    'BertForSequenceClassification',
    (c: BertConfig) => new BertForSequenceClassification(c, 3),
  ],
] as const) {
  const meta = JSON.parse(readFileSync(join(dir, `${stem}.json`), 'utf8')) as {
    config: BertConfig;
    batch: [number, number];
    loss: number;
  };
  const file = readSafetensors(join(dir, `${stem}.safetensors`)).tensors;
  const ints = (name: string, shape: number[]) => new IntTensor(file.get(name)!.data as Int32Array, shape);
  const ids = ints('ids', meta.batch);
  const inputs = { tokenTypes: ints('types', meta.batch), attentionMask: ints('mask', meta.batch) };
  const targets = ints('targets', stem === 'bert_mlm_fixture' ? meta.batch : [meta.batch[0]]);

  describe(`PyTorch parity (${title}, segment ids, a padded row)`, () => {
    for (const backend of testBackends())
      it(`matches logits, loss and every gradient to 1e-5 on ${backend}`, () => {
        T.setBackend(backend);
        const model = build(meta.config) as Module & {
          forward(ids: IntTensor, o: typeof inputs): T.Tensor;
          loss(ids: IntTensor, y: IntTensor, o: typeof inputs): T.Tensor;
        };
        const params = new Map<string, StoredTensor>();
        for (const [k, v] of file) if (k.startsWith('param.')) params.set(k.slice('param.'.length), v);
        model.loadStateDict(params); // strict: the names are Hugging Face's, every one
        near(model.forward(ids, inputs).data, file.get('logits')!.data, 'logits');
        const loss = model.loss(ids, targets, inputs);
        assert.ok(Math.abs(loss.item() - meta.loss) < 1e-5, `loss ${loss.item()} vs ${meta.loss}`);
        loss.backward();
        for (const { name, tensor } of model.namedParameters())
          near(tensor.grad!, file.get(`grad.${name}`)!.data, `grad ${name}`);
        T.setBackend('ref');
      });
  });
}
