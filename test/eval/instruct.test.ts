import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ChatMessage } from '../../src/chat/conversation.js';
import {
  answerTokens,
  lineReply,
  scoreReplies,
  summarizeByTask,
  tokenF1,
  type ScoredTurn,
} from '../../src/eval/instruct.js';
import type { LanguageModel } from '../../src/lm.js';
import { CharTokenizer } from '../../src/tokenizers/char.js';

/** A model that writes `script` whatever it is given, recording each prompt it starts on. */
function scripted(script: string): { model: LanguageModel; prompts: number[][] } {
  const tokenizer = CharTokenizer.train(['abcxyz? .\n']);
  const ids = tokenizer.encode(script);
  const prompts: number[][] = [];
  const model: LanguageModel = {
    kind: 'scripted',
    tokenizer,
    contextLength: Infinity,
    start(prompt) {
      prompts.push([...prompt]);
      let i = 0;
      return {
        logProbs() {
          const lp = new Float32Array(tokenizer.vocabSize).fill(-Infinity);
          lp[ids[Math.min(i, ids.length - 1)]] = 0;
          return lp;
        },
        push() {
          i++;
        },
      };
    },
  };
  return { model, prompts };
}

describe('instruction scoring', () => {
  it('splits answers into lowercased words and single Chinese characters', () => {
    assert.deepEqual(answerTokens('The cat, 2 + 2 = 4.'), ['the', 'cat', '2', '2', '4']);
    assert.deepEqual(answerTokens('想得倒美 ok'), ['想', '得', '倒', '美', 'ok']);
    // digits and Latin letters next to Han characters are tokens of their own
    assert.deepEqual(answerTokens('50加44等于94。'), ['50', '加', '44', '等', '于', '94']);
    assert.deepEqual(answerTokens('用lmkit训练'), ['用', 'lmkit', '训', '练']);
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

  it('answers a line-trained model with the line after the history', () => {
    const { model, prompts } = scripted('xy\nzz');
    const history: ChatMessage[] = [
      { role: 'user', content: 'ab\nc' },
      { role: 'assistant', content: 'x' },
      { role: 'user', content: 'b?' },
    ];
    assert.equal(lineReply(model, history, 10), 'xy');
    // each message on its own line, inner line breaks as spaces
    assert.deepEqual(prompts, [model.tokenizer.encode('ab c\nx\nb?\n')]);
    // a reply that does not end its line within maxTokens is cut there
    assert.equal(lineReply(model, history, 1), 'x');
    const turns = scoreReplies(
      model,
      [{ messages: [...history, { role: 'assistant', content: 'xy' }] }],
      10,
      lineReply,
    );
    assert.deepEqual(
      turns.map((t) => [t.reference, t.reply, t.exact]),
      [
        ['x', 'xy', false],
        ['xy', 'xy', true],
      ],
    );
  });

  it('averages exact match and F1 by task', () => {
    const turn = (task: string, exact: boolean, f1: number) => ({ task, exact, f1 }) as ScoredTurn;
    assert.deepEqual(summarizeByTask([turn('a', true, 1), turn('b', false, 0.5), turn('a', false, 0)]), [
      { task: 'a', turns: 2, exact: 0.5, f1: 0.5 },
      { task: 'b', turns: 1, exact: 0, f1: 0.5 },
    ]);
  });
});
