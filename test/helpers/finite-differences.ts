/** Checking a whole network's loss gradients against central finite differences, coordinate by coordinate. */
import assert from 'node:assert/strict';
import type { Module } from '../../src/nn/module.js';
import type { Tensor } from '../../src/tensor/tensor.js';

/**
 * Backpropagates `loss()` into `net`, then for about `perTensor` coordinates of every parameter compares
 * the analytic gradient with (loss(θ+ε) − loss(θ−ε)) / 2ε, ε = 1e-2, within 2e-3 + 1% of the numeric
 * value; returns how many coordinates were checked. `label` prefixes failure messages.
 */
export function checkGradients(net: Module, loss: () => Tensor, perTensor: number, label = ''): number {
  net.zeroGrad();
  loss().backward();
  const eps = 1e-2;
  let checked = 0;
  for (const { name, tensor } of net.namedParameters()) {
    const grad = Float64Array.from(tensor.grad!);
    for (let i = 0; i < tensor.size; i += Math.max(1, Math.floor(tensor.size / perTensor))) {
      const keep = tensor.data[i];
      tensor.data[i] = keep + eps;
      const up = loss().item();
      tensor.data[i] = keep - eps;
      const down = loss().item();
      tensor.data[i] = keep;
      const numeric = (up - down) / (2 * eps);
      assert.ok(
        Math.abs(numeric - grad[i]) < 2e-3 + 1e-2 * Math.abs(numeric),
        `${label}${name}[${i}]: analytic ${grad[i]}, numeric ${numeric}`,
      );
      checked++;
    }
  }
  return checked;
}
