import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { trainProbe } from '../../src/eval/probe.js';
import { Rng } from '../../src/util/rng.js';

const accuracy = (pred: Int32Array, labels: Int32Array) =>
  pred.reduce((n, p, i) => n + (p === labels[i] ? 1 : 0), 0) / labels.length;

/** N tokens of three classes: the class sits in dims 0..2 of `informative` layers, noise elsewhere. */
function data(N: number, seed: number) {
  const rng = new Rng(seed);
  const D = 6;
  const labels = Int32Array.from({ length: N }, () => Math.floor(rng.uniform() * 3));
  const layer = (informative: boolean) =>
    Float32Array.from({ length: N * D }, (_, k) => {
      const i = Math.floor(k / D);
      const d = k % D;
      return rng.normal() * 0.5 + (informative && d === labels[i] ? 2 : 0);
    });
  return { labels, D, noise: layer(false), signal: layer(true) };
}

describe('linear probe', () => {
  it('learns a linearly separable labelling from dense vectors, and nothing from noise', () => {
    const train = data(3000, 1);
    const test = data(1000, 2);
    const o = { classes: 3, epochs: 20, seed: 1 };
    const good = trainProbe({ kind: 'dense', dim: train.D, rows: train.signal }, train.labels, o);
    assert.ok(accuracy(good.predict({ kind: 'dense', dim: test.D, rows: test.signal }), test.labels) > 0.95);
    const bad = trainProbe({ kind: 'dense', dim: train.D, rows: train.noise }, train.labels, o);
    assert.ok(accuracy(bad.predict({ kind: 'dense', dim: test.D, rows: test.noise }), test.labels) < 0.45);
  });

  it("learns the scalar mix's weights: the informative layer gets the most", () => {
    const train = data(3000, 3);
    const test = data(1000, 4);
    const input = (d: ReturnType<typeof data>) => ({
      kind: 'layers' as const,
      dim: d.D,
      layers: [d.noise, d.signal, d.noise],
    });
    const probe = trainProbe(input(train), train.labels, { classes: 3, epochs: 20, seed: 1 });
    assert.ok(accuracy(probe.predict(input(test)), test.labels) > 0.9);
    const w = probe.mix!.weights;
    assert.ok(w[1] > w[0] && w[1] > w[2] && w[1] > 0.4, `weights ${w}`);
  });

  it('learns word identity from one-hot ids; an unseen word gets the bias alone', () => {
    const rng = new Rng(5);
    const N = 2000;
    // word w has tag w % 3, except that words 0..2 are twice as frequent as tag-0 words
    const ids = Int32Array.from({ length: N }, () => Math.floor(rng.uniform() * 30));
    const labels = Int32Array.from(ids, (w) => w % 3);
    const probe = trainProbe({ kind: 'onehot', count: 30, ids }, labels, { classes: 3, epochs: 20, seed: 1 });
    const pred = probe.predict({ kind: 'onehot', count: 30, ids: Int32Array.from([4, 5, 6, -1, -1]) });
    assert.deepEqual(Array.from(pred.subarray(0, 3)), [1, 2, 0]);
    assert.equal(pred[3], pred[4], 'every unseen word gets the same class');
  });

  it('with a validation set, stops once it stops improving and keeps the best epoch', () => {
    // one-hot ids with 30% of the training labels scrambled: later epochs memorise the noise
    const rng = new Rng(7);
    const N = 3000;
    const ids = Int32Array.from({ length: N }, () => Math.floor(rng.uniform() * 200));
    const labels = Int32Array.from(ids, (w) => (rng.uniform() < 0.3 ? Math.floor(rng.uniform() * 5) : w % 5));
    const validIds = Int32Array.from({ length: 1000 }, () => Math.floor(rng.uniform() * 200));
    const valid = {
      input: { kind: 'onehot' as const, count: 200, ids: validIds },
      labels: validIds.map((w) => w % 5),
    };
    const seen: number[] = [];
    const probe = trainProbe({ kind: 'onehot', count: 200, ids }, labels, {
      classes: 5,
      epochs: 200,
      learningRate: 0.05,
      seed: 1,
      validation: valid,
      patience: 2,
      onEpoch: (_e, _loss, acc) => seen.push(acc as number),
    });
    assert.equal(probe.epochs, seen.length);
    assert.ok(probe.epochs < 200, `stopped after ${probe.epochs} epochs`);
    assert.equal(probe.epochs - probe.epoch, 2, 'two epochs without improvement, then stop');
    const best = Math.max(...seen);
    assert.equal(seen.indexOf(best) + 1, probe.epoch);
    assert.equal(
      accuracy(probe.predict(valid.input), valid.labels),
      best,
      "the best epoch's weights are kept",
    );
  });

  it('refuses labels that do not match the tokens', () => {
    assert.throws(
      () =>
        trainProbe({ kind: 'dense', dim: 2, rows: new Float32Array(6) }, new Int32Array(2), { classes: 2 }),
      /2 labels for 3 tokens/,
    );
  });
});
