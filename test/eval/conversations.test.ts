import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readConversations, scoreConversationFile } from '../../src/eval/conversations.js';
import type { LanguageModel } from '../../src/lm.js';
import { CharTokenizer } from '../../src/tokenizers/char.js';
import { tempDir } from '../helpers/paths.js';

/** A line-prompted model that always answers `answer` (then a line break). */
function answering(answer: string): LanguageModel {
  const tokenizer = CharTokenizer.train(['abcxyz? .\n']);
  const ids = tokenizer.encode(answer + '\n');
  return {
    kind: 'scripted',
    tokenizer,
    contextLength: Infinity,
    start() {
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
}

const line = (task: string, q: string, a: string) =>
  JSON.stringify({
    task,
    messages: [
      { role: 'user', content: q },
      { role: 'assistant', content: a },
    ],
  });

describe('scoring a conversation file', () => {
  it('keeps the first N conversations of each task and scores exact match and F1 per task', () => {
    const file = join(tempDir(), 'test.jsonl');
    writeFileSync(
      file,
      [line('x', 'a?', 'xy'), line('x', 'b?', 'zz'), line('x', 'c?', 'xy'), line('y', 'a?', 'xy z')].join(
        '\n',
      ) + '\n',
    );
    assert.equal(readConversations(file, 2).length, 3, 'two of task x, one of y');
    const r = scoreConversationFile(answering('xy'), file, 2, 10);
    assert.deepEqual(
      r.tasks.map((t) => [t.task, t.turns, t.exact]),
      [
        ['x', 2, 0.5],
        ['y', 1, 0],
      ],
    );
    assert.equal(r.turns, 3);
    assert.ok(Math.abs(r.exact - 1 / 3) < 1e-12);
    // F1: 1 and 0 on x, 2/3 on y ("xy" against "xy z")
    assert.ok(Math.abs(r.f1 - (1 + 0 + 2 / 3) / 3) < 1e-12);
    assert.deepEqual(
      r.samples.map((s) => s.task),
      ['x', 'y'],
    );
  });

  it('names the file and line of a damaged conversation', () => {
    const file = join(tempDir(), 'bad.jsonl');
    writeFileSync(file, line('x', 'a?', 'b') + '\n{"messages": \n');
    assert.throws(() => readConversations(file, 5), /bad\.jsonl line 2 is not JSON/);
    writeFileSync(file, '\n');
    assert.throws(() => readConversations(file, 5), /holds no conversations/);
  });
});
