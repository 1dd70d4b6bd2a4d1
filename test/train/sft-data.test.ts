import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addChatTokens } from '../../src/chat/chat-tokens.js';
import { chatTokenIds } from '../../src/chat/template.js';
import { LmkitError } from '../../src/errors.js';
import { CharTokenizer } from '../../src/tokenizers/char.js';
import { Rng } from '../../src/util/rng.js';
import {
  encodeSFT,
  IGNORE_INDEX,
  lengthGroupedBatch,
  padBatch,
  parseSFTJsonl,
  randomSFTBatch,
  sortByLength,
  splitSFT,
} from '../../src/train/sft-data.js';

const { tokenizer } = addChatTokens(CharTokenizer.train(['abcdefghijklmnopqrstuvwxyz 0123456789+=?.\n']));
const ids = chatTokenIds(tokenizer)!;

const line = (o: unknown) => JSON.stringify(o);

describe('SFT JSONL', () => {
  it("reads TRL's messages and prompt/completion shapes (strings or message lists), ignoring other keys", () => {
    const text = [
      line({
        messages: [
          { role: 'user', content: 'hi' },
          { role: 'assistant', content: 'hello' },
        ],
        source: 'x',
      }),
      '',
      line({ prompt: 'what is 1+1?', completion: '2' }),
      line({
        prompt: [
          { role: 'system', content: 's' },
          { role: 'user', content: 'u' },
        ],
        completion: [{ role: 'assistant', content: 'a' }],
      }),
    ].join('\n');
    const ex = parseSFTJsonl(text, 'd.jsonl');
    assert.deepEqual(
      ex.map((e) => e.line),
      [1, 3, 4],
    );
    assert.deepEqual(ex[1].messages, [
      { role: 'user', content: 'what is 1+1?' },
      { role: 'assistant', content: '2' },
    ]);
    assert.deepEqual(
      ex[2].messages.map((m) => m.role),
      ['system', 'user', 'assistant'],
    );
  });

  const ok = line({ prompt: 'a', completion: 'b' });
  const cases: [string, string, RegExp][] = [
    ['bad JSON', `${ok}\n{"messages": [`, /d\.jsonl line 2 is not valid JSON/],
    [
      'an unknown role',
      `${ok}\n${ok}\n${line({ messages: [{ role: 'bot', content: 'x' }] })}`,
      /line 3: messages\[0\] has unknown role "bot"/,
    ],
    ['an empty conversation', line({ messages: [] }), /line 1: the conversation is empty/],
    [
      'no assistant turn',
      line({ messages: [{ role: 'user', content: 'x' }] }),
      /line 1: the conversation has no assistant message/,
    ],
    [
      'a non-string content',
      line({ messages: [{ role: 'user', content: 3 }] }),
      /line 1: messages\[0\]: "content" must be a string/,
    ],
    ['another shape', line({ text: 'x' }), /line 1: expected "messages", or "prompt" and "completion"/],
    ['a non-object line', '[1, 2]', /line 1: expected a JSON object/],
    ['no lines at all', '\n\n', /d\.jsonl holds no examples/],
  ];
  for (const [name, text, message] of cases)
    it(`refuses ${name} with the line number`, () => {
      assert.throws(
        () => parseSFTJsonl(text, 'd.jsonl'),
        (err: unknown) => err instanceof LmkitError && message.test(err.message),
      );
    });
});

describe('SFT labels', () => {
  const [example] = parseSFTJsonl(
    line({
      messages: [
        { role: 'system', content: 'be short' },
        { role: 'user', content: 'what is 2+2?' },
        { role: 'assistant', content: '4.' },
        { role: 'user', content: 'and 3+3?' },
        { role: 'assistant', content: '6.' },
      ],
    }),
    'd',
  );
  const prefix = tokenizer.encode('\n');

  it('puts loss on the assistant tokens only: their content and the <|end|> of their turns', () => {
    const { examples, targets, dropped } = encodeSFT(tokenizer, prefix, [example], 64);
    assert.equal(dropped, 0);
    const { x, y } = examples[0];
    assert.equal(x.length, y.length);
    assert.equal(x[0], prefix[0]);
    const learned = [...y].filter((t) => t !== IGNORE_INDEX);
    assert.deepEqual(learned, [...tokenizer.encode('4.'), ids.end, ...tokenizer.encode('6.'), ids.end]);
    assert.equal(targets, learned.length);
    // each learned target is the next input token, and comes right after <|assistant|> or assistant text
    for (let i = 0; i < y.length; i++) {
      if (i + 1 < x.length) assert.ok(y[i] === IGNORE_INDEX || y[i] === x[i + 1]);
      if (y[i] !== IGNORE_INDEX && (i === 0 || y[i - 1] === IGNORE_INDEX)) assert.equal(x[i], ids.assistant);
    }
    // user text, system text and role markers carry no loss
    assert.ok(
      !learned.includes(ids.user) && !learned.includes(ids.assistant) && !learned.includes(ids.system),
    );
  });

  it('drops examples longer than block_size + 1 tokens and counts them', () => {
    const n = encodeSFT(tokenizer, prefix, [example], 64).examples[0].x.length + 1; // tokens in the example
    assert.equal(encodeSFT(tokenizer, prefix, [example], n - 1).examples.length, 1);
    const cut = encodeSFT(tokenizer, prefix, [example, example], n - 2);
    assert.deepEqual([cut.examples.length, cut.dropped], [0, 2]);
  });

  it('pads a batch to its longest example, padding ignored by the loss', () => {
    const short = parseSFTJsonl(line({ prompt: 'hi', completion: 'yo' }), 'd')[0];
    const { examples } = encodeSFT(tokenizer, prefix, [example, short], 64);
    const { x, y } = padBatch(examples, ids.end);
    const T = examples[0].x.length;
    assert.deepEqual(x.shape, [2, T]);
    const row = [...y.data.slice(T, 2 * T)];
    assert.deepEqual(row.slice(0, examples[1].y.length), [...examples[1].y]);
    assert.ok(row.slice(examples[1].y.length).every((t) => t === IGNORE_INDEX));
  });

  it('groups batches by length without changing how often each example is drawn', () => {
    // 100 examples of lengths 1..100 (shuffled), buckets of 16: the last bucket holds only 4
    const lengths = [...Array(100).keys()].map((i) => ((i * 37) % 100) + 1);
    const examples = lengths.map((n) => ({ x: new Int32Array(n).fill(n), y: new Int32Array(n) }));
    const sorted = sortByLength(examples);
    assert.deepEqual(
      sorted.map((e) => e.x.length),
      [...Array(100).keys()].map((i) => i + 1),
    );
    const rng = new Rng(9);
    const counts = new Array<number>(101).fill(0);
    const draws = 20_000;
    let padded = 0;
    for (let i = 0; i < draws; i++) {
      const { x } = lengthGroupedBatch(sorted, 4, 0, rng, 16);
      const T = x.shape[1];
      const rows = [0, 1, 2, 3].map((b) => x.data[b * T]); // each row's first token is its length
      assert.ok(Math.max(...rows) - Math.min(...rows) < 16, `one bucket per batch: ${rows}`);
      for (const n of rows) counts[n]++;
      padded += 4 * T;
    }
    // each example drawn with probability 4/100 per batch: about 800 times (sd ≈ 28)
    for (let n = 1; n <= 100; n++) assert.ok(Math.abs(counts[n] - 800) < 150, `length ${n}: ${counts[n]}`);
    // random batches of this data pad far more
    let randomPadded = 0;
    for (let i = 0; i < 2000; i++) randomPadded += randomSFTBatch(examples, 4, 0, rng).x.size;
    assert.ok(padded / draws < 0.75 * (randomPadded / 2000), `${padded / draws} vs ${randomPadded / 2000}`);
  });

  it('holds out every 10th example when no validation file is given', () => {
    const { train, valid } = splitSFT([...Array(25).keys()]);
    assert.deepEqual(valid, [9, 19]);
    assert.equal(train.length, 23);
  });
});
