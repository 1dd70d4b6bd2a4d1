import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import * as T from '../../src/tensor/index.js';
import { IntTensor } from '../../src/tensor/index.js';
import * as nn from '../../src/nn/index.js';
import { ROOT } from '../helpers/paths.js';
import { testBackends } from '../tensor/backends.js';

// Made by test/fixtures/torch/make_gpt_fixture.py with Debian's python3-torch: GPT-2's layout, and the
// rope/rmsnorm options (rotary embeddings, RMSNorm, no biases, no position table).
const dir = join(ROOT, 'test', 'fixtures', 'torch');

interface Meta {
  config: Partial<nn.GPTConfig>;
  batch: [number, number];
  optimizer: {
    lr: number;
    betas: [number, number];
    eps: number;
    weightDecay: number;
    clip: number;
    steps: number;
  };
  loss: number;
  adamwLosses: number[];
}

/** max |a − b| ≤ rtol · max |b|, reported with the tensor's name. */
function near(got: ArrayLike<number>, want: ArrayLike<number>, what: string, rtol = 1e-4): void {
  let scale = 0;
  let err = 0;
  for (let i = 0; i < want.length; i++) {
    scale = Math.max(scale, Math.abs(want[i]));
    err = Math.max(err, Math.abs(got[i] - want[i]));
  }
  assert.ok(err <= rtol * scale, `${what}: max error ${err} vs scale ${scale}`);
}

for (const [stem, title] of [
  ['gpt_fixture', 'small GPT, llm.c style'],
  ['gpt_rope_fixture', 'small GPT with rotary embeddings and RMSNorm'],
] as const) {
  const meta = JSON.parse(readFileSync(join(dir, `${stem}.json`), 'utf8')) as Meta;
  const file = nn.readSafetensors(join(dir, `${stem}.safetensors`)).tensors;

  const loaded = (): nn.GPT => {
    const params = new Map<string, nn.StoredTensor>();
    for (const [k, v] of file) if (k.startsWith('param.')) params.set(k.slice('param.'.length), v);
    const model = new nn.GPT(meta.config);
    model.loadStateDict(params);
    return model;
  };

  const idx = new IntTensor(file.get('idx')!.data as Int32Array, meta.batch);
  const targets = new IntTensor(file.get('targets')!.data as Int32Array, meta.batch);

  describe(`PyTorch parity (${title})`, () => {
    for (const backend of testBackends()) {
      it(`matches logits, loss and every gradient on ${backend}`, () => {
        T.setBackend(backend);
        const model = loaded();
        assert.equal(model.wpe === null, meta.config.rope === true);
        const logits = model.forward(idx);
        near(logits.data, file.get('logits')!.data, 'logits');
        const loss = T.crossEntropy(logits, targets);
        assert.ok(Math.abs(loss.item() - meta.loss) < 1e-5, `loss ${loss.item()} vs ${meta.loss}`);
        loss.backward();
        for (const { name, tensor } of model.namedParameters())
          near(tensor.grad!, file.get(`grad.${name}`)!.data, `grad ${name}`);
        T.setBackend('ref');
      });

      it(`matches the losses of ${meta.adamwLosses.length} AdamW steps with clipping on ${backend}`, () => {
        T.setBackend(backend);
        const model = loaded();
        const o = meta.optimizer;
        const opt = new nn.AdamW(model.namedParameters(), {
          lr: o.lr,
          betas: o.betas,
          eps: o.eps,
          weightDecay: o.weightDecay,
        });
        const losses = meta.adamwLosses.map(() =>
          T.tidy(() => {
            const loss = model.loss(idx, targets);
            opt.zeroGrad();
            loss.backward();
            nn.clipGradNorm(model.parameters(), o.clip);
            opt.step();
            return loss.item();
          }),
        );
        losses.forEach((l, i) =>
          assert.ok(Math.abs(l - meta.adamwLosses[i]) < 1e-5, `step ${i}: ${l} vs ${meta.adamwLosses[i]}`),
        );
        T.setBackend('ref');
      });
    }
  });
}
