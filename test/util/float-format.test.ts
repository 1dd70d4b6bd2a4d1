import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { shortestFloat32, writeShortestFloat32 } from '../../src/util/float-format.js';
import { Rng } from '../../src/util/rng.js';

describe('shortest float32 text', () => {
  it('reads back as the same float32, with as few digits as any text that does', () => {
    const rng = new Rng(3);
    for (let i = 0; i < 20000; i++) {
      const v = Math.fround(-Math.exp(rng.normal() * 4));
      const s = shortestFloat32(v);
      assert.equal(Math.fround(Number(s)), v, s);
      const shorter = Number(
        v.toPrecision(Math.max(1, s.replace(/^-|e.*$|\./g, '').replace(/^0+/, '').length - 1)),
      );
      if (s.replace(/^-|e.*$|\./g, '').replace(/^0+/, '').length > 1)
        assert.notEqual(Math.fround(shorter), v, s);
    }
  });

  it('writes the same bytes as the string form, for every kind of number', () => {
    const rng = new Rng(5);
    const buf = new Uint8Array(64);
    const values = [
      0, -0, 1, -1, 10, 100, 1e20, 1e21, 1e-6, 1e-7, -99, 0.5, -0.30103, 123456789, -1.5e-13, 3e15,
    ];
    for (let i = 0; i < 50000; i++)
      values.push(Math.fround((rng.uniform() - 0.7) * 10 ** Math.floor(rng.uniform() * 30 - 15)));
    for (const v of values) {
      const end = writeShortestFloat32(v, buf, 3);
      assert.equal(Buffer.from(buf.subarray(3, end)).toString('latin1'), shortestFloat32(v), String(v));
    }
  });
});
