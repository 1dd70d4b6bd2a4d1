import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { answerTokens, summarizeByTask, tokenF1, type ScoredTurn } from '../../src/eval/instruct.js';

describe('instruction scoring', () => {
  it('splits answers into lowercased words and single Chinese characters', () => {
    assert.deepEqual(answerTokens('The cat, 2 + 2 = 4.'), ['the', 'cat', '2', '2', '4']);
    assert.deepEqual(answerTokens('想得倒美 ok'), ['想', '得', '倒', '美', 'ok']);
  });

  it("computes SQuAD's token F1", () => {
    assert.equal(tokenF1('the cat sat', 'the cat sat'), 1);
    assert.equal(tokenF1('a dog', 'the cat'), 0);
    // prediction 'the cat' vs reference 'the cat sat down': precision 1, recall 1/2
    assert.ok(Math.abs(tokenF1('the cat', 'the cat sat down') - 2 / 3) < 1e-12);
    // repeated tokens count once per occurrence in the reference
    assert.ok(Math.abs(tokenF1('the the the', 'the cat') - 0.4) < 1e-12);
    assert.equal(tokenF1('', ''), 1);
    assert.equal(tokenF1('', 'x'), 0);
  });

  it('averages exact match and F1 by task', () => {
    const turn = (task: string, exact: boolean, f1: number) => ({ task, exact, f1 }) as ScoredTurn;
    assert.deepEqual(summarizeByTask([turn('a', true, 1), turn('b', false, 0.5), turn('a', false, 0)]), [
      { task: 'a', turns: 2, exact: 0.5, f1: 0.5 },
      { task: 'b', turns: 1, exact: 0, f1: 0.5 },
    ]);
  });
});
