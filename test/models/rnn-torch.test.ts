import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { RNNModel } from '../../src/models/rnn.js';
import type { RNNConfig } from '../../src/nn/char-rnn.js';
import { AdamW, clipGradNorm } from '../../src/nn/optim.js';
import { readSafetensors, writeSafetensors } from '../../src/nn/safetensors.js';
import * as T from '../../src/tensor/index.js';
import { IntTensor } from '../../src/tensor/index.js';
import { CharTokenizer } from '../../src/tokenizers/char.js';
import { ROOT, tempDir } from '../helpers/paths.js';
import { testBackends } from '../tensor/backends.js';

// Made by test/fixtures/torch/make_rnn_fixture.py with Debian's python3-torch: nn.Embedding, a 2-layer
// nn.GRU / nn.LSTM (batch_first) and nn.Linear, in PyTorch's word_language_model names.
const dir = join(ROOT, 'test', 'fixtures', 'torch');

interface Meta {
  config: RNNConfig;
  batch: [number, number];
  startToken: number;
  optimizer: {
    lr: number;
    betas: [number, number];
    eps: number;
    weightDecay: number;
    clip: number;
    steps: number;
  };
  loss: number;
  adamLosses: number[];
}

/** max |a − b| ≤ rtol · max |b|, reported with the tensor's name. */
function near(got: ArrayLike<number>, want: ArrayLike<number>, what: string, rtol = 1e-5): void {
  assert.equal(got.length, want.length, `${what}: ${got.length} values, expected ${want.length}`);
  let scale = 0;
  let err = 0;
  for (let i = 0; i < want.length; i++) {
    scale = Math.max(scale, Math.abs(want[i]));
    err = Math.max(err, Math.abs(got[i] - want[i]));
  }
  assert.ok(err <= rtol * scale, `${what}: max error ${err} vs scale ${scale}`);
}

/** lmkit's parameter name → PyTorch's (`rnn.1.weight_hh` → `rnn.weight_hh_l1`), stated independently of src. */
const torchName = (name: string) => name.replace(/^rnn\.(\d+)\.(\w+)$/, 'rnn.$2_l$1');

/** Runs fn on a backend, going back to ref afterwards even when it throws. */
function on(backend: T.BackendName, fn: () => void): void {
  T.setBackend(backend);
  try {
    fn();
  } finally {
    T.setBackend('ref');
  }
}

for (const cell of ['gru', 'lstm'] as const) {
  const stem = `rnn_${cell}_fixture`;
  const meta = JSON.parse(readFileSync(join(dir, `${stem}.json`), 'utf8')) as Meta;
  const file = readSafetensors(join(dir, `${stem}.safetensors`)).tensors;
  const [B, L] = meta.batch;
  const V = meta.config.vocab_size;
  const idx = new IntTensor(file.get('idx')!.data as Int32Array, meta.batch);
  const targets = new IntTensor(file.get('targets')!.data as Int32Array, meta.batch);

  // A checkpoint (3 specials and V − 3 characters) whose model.safetensors is PyTorch's state_dict as it is: loading goes through lmkit's
  // own name mapping. '\n' first makes the line break id 3, the decoding start the fixture's row 0 uses.
  const tokenizer = CharTokenizer.train(['\nabcdefghij'.slice(0, V - 3)]);
  const ckpt = tempDir();
  new RNNModel(meta.config, tokenizer).save(ckpt);
  const weights = new Map<string, { shape: readonly number[]; data: Float32Array }>();
  for (const [k, v] of file)
    if (k.startsWith('param.'))
      weights.set(k.slice('param.'.length), { shape: v.shape, data: v.data as Float32Array });
  writeSafetensors(join(ckpt, 'model.safetensors'), weights);
  const load = () => RNNModel.load(ckpt);

  describe(`PyTorch parity (2-layer ${cell.toUpperCase()} character RNN)`, () => {
    it('loads every tensor of the state_dict by its PyTorch name', () => {
      const model = load();
      const names = model.net.namedParameters().map((p) => torchName(p.name));
      assert.deepEqual(names.slice().sort(), [...weights.keys()].sort());
      assert.equal(model.startToken, meta.startToken);
      assert.equal(model.config.cell, cell);
    });

    for (const backend of testBackends()) {
      it(`matches logits, loss and every gradient on ${backend}`, () =>
        on(backend, () => {
          const net = load().net;
          const logits = net.forward(idx).logits; // (B,T,V)
          assert.deepEqual(logits.shape, [B, L, V]);
          near(logits.data, file.get('logits')!.data, 'logits');
          const loss = T.crossEntropy(logits, targets);
          assert.ok(Math.abs(loss.item() - meta.loss) < 1e-5, `loss ${loss.item()} vs ${meta.loss}`);
          loss.backward();
          for (const { name, tensor } of net.namedParameters())
            near(tensor.grad!, file.get(`grad.${torchName(name)}`)!.data, `grad ${name}`);
        }));

      it(`matches ${meta.adamLosses.length} steps of the RNN recipe's Adam on ${backend}`, () =>
        on(backend, () => {
          const net = load().net;
          const o = meta.optimizer;
          const params = net.namedParameters();
          // as src/train/loop.ts builds it for --model rnn (weight decay 0: PyTorch's Adam)
          const opt = new AdamW(params, {
            lr: o.lr,
            betas: o.betas,
            eps: o.eps,
            weightDecay: o.weightDecay,
            noDecay: ['bias', 'norm'],
          });
          const losses = meta.adamLosses.map(() =>
            T.tidy(() => {
              const loss = net.loss(idx, targets);
              opt.zeroGrad();
              loss.backward();
              clipGradNorm(params, o.clip);
              opt.step();
              return loss.item();
            }),
          );
          losses.forEach((l, i) =>
            assert.ok(Math.abs(l - meta.adamLosses[i]) < 1e-5, `step ${i}: ${l} vs ${meta.adamLosses[i]}`),
          );
          const after = T.noGrad(() => net.forward(idx).logits);
          near(after.data, file.get('adam_logits')!.data, 'logits after Adam');
        }));

      it(`decodes row 0 step by step to PyTorch's log-probabilities on ${backend}`, () =>
        on(backend, () => {
          const ids = Array.from(idx.data.slice(0, L));
          assert.equal(ids[0], meta.startToken);
          const want = file.get('logprobs')!.data;
          const state = load().start([]); // reads the start token, ids[0]
          for (let t = 0; t < L; t++) {
            if (t > 0) state.push(ids[t]);
            near(
              state.logProbs(),
              Array.from(want).slice(t * V, (t + 1) * V),
              `log-probabilities at step ${t}`,
            );
          }
        }));
    }
  });
}
