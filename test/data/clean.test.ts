import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classicClean, lowercase } from '../../src/data/clean.js';

describe('cleaning', () => {
  it('classic recipe: lowercase, letters only, words of 3+ letters', () => {
    assert.equal(classicClean("The U.S. economy grew 3.5% in 2019, didn't it?"), 'the economy grew didn');
    assert.equal(classicClean('Ünïcödé ÄÖ ok'), 'ünïcödé');
    assert.equal(classicClean('a b 1 2 !'), '');
  });

  it('lowercase keeps everything else', () => {
    assert.equal(lowercase('Hello, WORLD 3.5%'), 'hello, world 3.5%');
  });
});
