import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addChatTokens } from '../../src/chat/chat-tokens.js';
import { chatTokenIds } from '../../src/chat/template.js';
import { LmkitError } from '../../src/errors.js';
import { CharTokenizer } from '../../src/tokenizers/char.js';
import {
  encodePreferences,
  parsePreferenceJsonl,
  parsePromptJsonl,
  rankingPairs,
} from '../../src/train/preference-data.js';

const { tokenizer } = addChatTokens(CharTokenizer.train(['abcdefghijklmnopqrstuvwxyz 0123456789+=?.\n']));
const ids = chatTokenIds(tokenizer)!;
const line = (o: unknown) => JSON.stringify(o);

describe('preference JSONL', () => {
  it("reads TRL's pairs (strings, message lists, implicit prompt) and K-wise rankings, keeping other keys", () => {
    const text = [
      line({ prompt: 'what is 1+1?', chosen: '2', rejected: '3', labeler: 'judge', source: 's' }),
      line({
        prompt: [
          { role: 'system', content: 'be brief' },
          { role: 'user', content: 'hi' },
        ],
        chosen: [{ role: 'assistant', content: 'hello' }],
        rejected: [{ role: 'assistant', content: 'go away' }],
      }),
      '',
      line({
        chosen: [
          { role: 'user', content: 'q' },
          { role: 'assistant', content: 'good' },
        ],
        rejected: [
          { role: 'user', content: 'q' },
          { role: 'assistant', content: 'bad' },
        ],
      }),
      line({ prompt: 'p', responses: ['a', 'b', 'c', 'd'], ranking: [2, 0, 3, 1] }),
      line({ prompt: 'p', responses: ['a', 'b', 'c'], ranking: [[0, 2], 1] }),
    ].join('\n');
    const ex = parsePreferenceJsonl(text, 'p.jsonl');
    assert.deepEqual(
      ex.map((e) => e.line),
      [1, 2, 4, 5, 6],
    );
    assert.deepEqual(ex[0].responses, ['2', '3']);
    assert.deepEqual(ex[0].ranking, [[0], [1]]);
    assert.deepEqual(ex[0].meta, { labeler: 'judge', source: 's' });
    assert.equal(ex[1].prompt.length, 2);
    assert.deepEqual(ex[2].prompt, [{ role: 'user', content: 'q' }]);
    assert.deepEqual(ex[2].responses, ['good', 'bad']);
    assert.deepEqual(ex[3].ranking, [[2], [0], [3], [1]]);
    assert.deepEqual(ex[4].ranking, [[0, 2], [1]]);
  });

  it('forms all C(K,2) pairs of a ranking, and none between tied responses', () => {
    assert.equal(rankingPairs([[2], [0], [3], [1]]).length, 6);
    assert.deepEqual(rankingPairs([[2], [0], [1]]), [
      [2, 0],
      [2, 1],
      [0, 1],
    ]);
    assert.deepEqual(rankingPairs([[0, 2], [1]]), [
      [0, 1],
      [2, 1],
    ]);
  });

  const cases: [string, unknown, RegExp][] = [
    [
      'K = 1',
      { prompt: 'p', responses: ['a'], ranking: [0] },
      /line 1: a ranking needs 2 to 9 responses, not 1/,
    ],
    ['K = 10', { prompt: 'p', responses: [...'abcdefghij'], ranking: [...Array(10).keys()] }, /not 10/],
    ['a duplicate index', { prompt: 'p', responses: ['a', 'b'], ranking: [0, 0] }, /lists response 0 twice/],
    [
      'an out-of-range index',
      { prompt: 'p', responses: ['a', 'b'], ranking: [0, 2] },
      /holds 2, not a response index 0 … 1/,
    ],
    [
      'a left-out index',
      { prompt: 'p', responses: ['a', 'b', 'c'], ranking: [0, 2] },
      /leaves out response 1 of 3/,
    ],
    ['all tied', { prompt: 'p', responses: ['a', 'b'], ranking: [[0, 1]] }, /ties every response/],
    ['an empty response', { prompt: 'p', chosen: ' ', rejected: 'b' }, /"chosen" is an empty response/],
    [
      'an empty ranked response',
      { prompt: 'p', responses: ['a', ''], ranking: [0, 1] },
      /"responses\[1\]" is an empty response/,
    ],
    [
      'a prompt ending in an assistant turn',
      { prompt: [{ role: 'assistant', content: 'x' }], chosen: 'a', rejected: 'b' },
      /must end in a user turn/,
    ],
    [
      'a user turn as response',
      { prompt: 'p', chosen: [{ role: 'user', content: 'x' }], rejected: 'b' },
      /one assistant message/,
    ],
    [
      'a missing ranking',
      { prompt: 'p', responses: ['a', 'b'] },
      /needs "prompt", "responses" and "ranking"/,
    ],
    ['another shape', { text: 'x' }, /expected "prompt", "chosen" and "rejected".*its keys are text/],
  ];
  for (const [what, record, message] of cases)
    it(`refuses ${what}, naming the file and line`, () => {
      assert.throws(
        () => parsePreferenceJsonl(line(record), 'bad.jsonl'),
        (e: unknown) =>
          e instanceof LmkitError &&
          /^bad\.jsonl line 1/.test(e.message) &&
          message.test(`${e.message} ${e.hint ?? ''}`),
      );
    });

  it('names the line of bad JSON and refuses an empty file', () => {
    assert.throws(
      () => parsePreferenceJsonl(`${line({ prompt: 'p', chosen: 'a', rejected: 'b' })}\n{oops`, 'f'),
      /f line 2 is not valid JSON/,
    );
    assert.throws(() => parsePreferenceJsonl('\n\n', 'f'), /f holds no examples/);
  });
});

describe('prompt JSONL', () => {
  it('reads {"prompt"} and {"messages"} ending in a user turn, keeping other keys', () => {
    const ex = parsePromptJsonl(
      [line({ prompt: 'hi', answer: '2' }), line({ messages: [{ role: 'user', content: 'yo' }] })].join('\n'),
      'q.jsonl',
    );
    assert.deepEqual(ex[0].prompt, [{ role: 'user', content: 'hi' }]);
    assert.deepEqual(ex[0].meta, { answer: '2' });
    assert.equal(ex[1].line, 2);
    assert.throws(
      () =>
        parsePromptJsonl(
          line({
            messages: [
              { role: 'user', content: 'a' },
              { role: 'assistant', content: 'b' },
            ],
          }),
          'q',
        ),
      /q line 1: "messages" must end in a user turn/,
    );
  });
});

describe('encoding rankings', () => {
  const [ex] = parsePreferenceJsonl(
    line({ prompt: 'ab', responses: ['c', 'dd', 'eeeeeeeee'], ranking: [1, 0, 2] }),
    'e',
  );

  it('renders prompt + response + <|end|> under the chat template, after the start tokens', () => {
    const { examples } = encodePreferences(tokenizer, [0], [ex], 64, 'e');
    const r = examples[0].responses[1];
    const expected = [
      0,
      ids.user,
      ...tokenizer.encode('ab'),
      ids.end,
      ids.assistant,
      ...tokenizer.encode('dd'),
      ids.end,
    ];
    assert.deepEqual([...r.ids], expected);
    assert.equal(r.start, 6);
    assert.deepEqual(examples[0].pairs, [
      [1, 0],
      [1, 2],
      [0, 2],
    ]);
  });

  it('drops a response that does not fit (and its pairs), and a ranking left with none', () => {
    const fit = encodePreferences(tokenizer, [0], [ex], 10, 'e');
    assert.equal(fit.droppedResponses, 1);
    assert.deepEqual(fit.examples[0].pairs, [[1, 0]]);
    const none = encodePreferences(tokenizer, [0], [ex], 8, 'e');
    assert.equal(none.droppedRankings, 1);
    assert.equal(none.examples.length, 0);
  });

  it('refuses a prompt longer than the context, naming the file and line', () => {
    assert.throws(
      () => encodePreferences(tokenizer, [0], [ex], 6, 'prefs.jsonl'),
      /prefs\.jsonl line 1: the prompt is 6 tokens, leaving no room for a response in the model's context of 6/,
    );
  });

  it('continues a prompt ending in an assistant message when the record says continue_final_message', () => {
    const opening = [{ role: 'assistant', content: 'ab' }];
    const [cont] = parsePreferenceJsonl(
      line({ prompt: opening, continue_final_message: true, chosen: 'c', rejected: 'dd' }),
      'c.jsonl',
    );
    assert.deepEqual(cont.prompt, opening);
    const { examples } = encodePreferences(tokenizer, [0], [cont], 64, 'c.jsonl');
    // the response follows the opening words inside the open assistant turn
    assert.deepEqual(
      [...examples[0].responses[0].ids],
      [0, ids.assistant, ...tokenizer.encode('ab'), ...tokenizer.encode('c'), ids.end],
    );
    assert.equal(examples[0].responses[0].start, 4);
    const [p] = parsePromptJsonl(line({ prompt: opening, continue_final_message: true, judge: 'x' }), 'p');
    assert.deepEqual(p.prompt, opening);
    assert.deepEqual(p.meta, { continue_final_message: true, judge: 'x' });
  });

  it('refuses continue_final_message that is not a boolean or has no assistant message to continue', () => {
    assert.throws(
      () => parsePromptJsonl(line({ prompt: 'hi', continue_final_message: 'yes' }), 'p.jsonl'),
      /p\.jsonl line 1: "continue_final_message" must be true or false \(got "yes"\)/,
    );
    assert.throws(
      () =>
        parsePreferenceJsonl(
          line({ prompt: 'hi', continue_final_message: true, chosen: 'a', rejected: 'b' }),
          'q.jsonl',
        ),
      /q\.jsonl line 1: with "continue_final_message": true, "prompt" must end in the assistant message to continue/,
    );
    assert.throws(
      () => parsePromptJsonl(line({ prompt: [{ role: 'assistant', content: 'x' }] }), 'r'),
      (e: unknown) => e instanceof LmkitError && /continue_final_message/.test(e.hint ?? ''),
    );
  });
});
