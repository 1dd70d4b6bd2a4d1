import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import * as T from '../../src/tensor/index.js';
import { IntTensor } from '../../src/tensor/index.js';
import * as nn from '../../src/nn/index.js';
import { ROOT } from '../helpers/paths.js';
import { testBackends } from '../tensor/backends.js';

// Made by test/fixtures/torch/make_gpt_fixture.py with Debian's python3-torch: a GPT with rotary
// embeddings, RMSNorm and no biases (lmkit's rope/rmsnorm options).
const dir = join(ROOT, 'test', 'fixtures', 'torch');
const meta = JSON.parse(readFileSync(join(dir, 'gpt_rope_fixture.json'), 'utf8')) as {
  config: nn.GPTConfig;
  batch: [number, number];
  optimizer: { lr: number; betas: [number, number]; eps: number; weightDecay: number; clip: number };
  loss: number;
  adamwLosses: number[];
};
const file = nn.readSafetensors(join(dir, 'gpt_rope_fixture.safetensors')).tensors;
const idx = new IntTensor(file.get('idx')!.data as Int32Array, meta.batch);
const targets = new IntTensor(file.get('targets')!.data as Int32Array, meta.batch);

function loaded(): nn.GPT {
  const params = new Map<string, nn.StoredTensor>();
  for (const [k, v] of file) if (k.startsWith('param.')) params.set(k.slice('param.'.length), v);
  const model = new nn.GPT(meta.config);
  model.loadStateDict(params);
  return model;
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

describe('PyTorch parity: GPT with rotary embeddings and RMSNorm', () => {
  assert.equal(meta.config.rope, true);
  assert.equal(meta.config.norm, 'rmsnorm');
  for (const backend of testBackends()) {
    it(`matches logits, loss, every gradient and ${meta.adamwLosses.length} AdamW steps on ${backend}`, () => {
      T.setBackend(backend);
      try {
        const model = loaded();
        const names = model.namedParameters().map((p) => p.name);
        assert.ok(!names.includes('wpe.weight') && !names.includes('h.0.ln_1.bias'));
        const logits = model.forward(idx);
        near(logits.data, file.get('logits')!.data, 'logits');
        const loss = T.crossEntropy(logits, targets);
        assert.ok(Math.abs(loss.item() - meta.loss) < 1e-5, `loss ${loss.item()} vs ${meta.loss}`);
        loss.backward();
        for (const { name, tensor } of model.namedParameters())
          near(tensor.grad!, file.get(`grad.${name}`)!.data, `grad ${name}`);
        const fresh = loaded();
        const o = meta.optimizer;
        const opt = new nn.AdamW(fresh.namedParameters(), {
          lr: o.lr,
          betas: o.betas,
          eps: o.eps,
          weightDecay: o.weightDecay,
        });
        meta.adamwLosses.forEach((want, step) => {
          const l = T.tidy(() => {
            const l = fresh.loss(idx, targets);
            opt.zeroGrad();
            l.backward();
            nn.clipGradNorm(fresh.parameters(), o.clip);
            opt.step();
            return l.item();
          });
          assert.ok(Math.abs(l - want) < 1e-5, `step ${step}: ${l} vs ${want}`);
        });
      } finally {
        T.setBackend('ref');
      }
    });
  }
});
